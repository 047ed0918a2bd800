/**
 * A retry of a PR head the app failed: `/coordinator retry`, or a person pressing "Re-run" on the
 * failing `Merge queue` check (GitHub sends `check_run.rerequested` to the app that owns the run;
 * docs: "Webhook events and payloads", check_run). The run becomes neutral and its record keeps only
 * who took the head in, so the head rejoins the queue as new: no failure, no bisection limit, no
 * retries counted.
 */
import type { Logger } from 'probot';
import type { Octokit, RepoRef } from '../adapters/github/octokit.js';
import type { PermissionCache } from '../adapters/github/permissions.js';
import { authorize } from '../domain/commands/authorize.js';
import { formatQueueRecord, parseQueueRecord, retriedRecord } from '../domain/merge/queue-record.js';

/** The app's `Merge queue` run to clear. */
export interface FailedRun {
  readonly id: number;
  readonly title: string | null;
  readonly externalId: string | null;
}

/** Clears a failed run. `who` is `@login`. @throws octokit errors. */
export async function retryHead(octokit: Octokit, repo: RepoRef, run: FailedRun, who: string): Promise<void> {
  await octokit.rest.checks.update({
    ...repo,
    check_run_id: run.id,
    status: 'completed',
    conclusion: 'neutral',
    external_id: formatQueueRecord(retriedRecord(parseQueueRecord(run.externalId))),
    output: {
      title: `Retry requested by ${who}`,
      summary: `The earlier failure (${run.title ?? 'merge failed'}) is cleared; this head rejoins the queue.`,
    },
  });
}

/**
 * A rerequested `Merge queue` run: a retry when the run failed and the person may write to the
 * repository (as `/coordinator retry`); anything else changes nothing and is logged. `auth` gives
 * the installation's client (only asked for when there is something to do).
 * @returns what happened. @throws octokit errors.
 */
export async function rerequestedRun(
  deps: { readonly permissions: PermissionCache; readonly log: Pick<Logger, 'info' | 'warn'> },
  auth: () => Promise<Octokit>,
  repo: RepoRef,
  request: { run: FailedRun & { conclusion: string | null; headSha: string }; sender: string },
): Promise<'retried' | 'refused' | 'not-failed'> {
  const { run, sender } = request;
  const where = { repo: `${repo.owner}/${repo.repo}`, head: run.headSha, sender };
  if (run.conclusion !== 'failure') {
    deps.log.info(where, 'Merge queue re-run requested on a run that did not fail: nothing to retry');
    return 'not-failed';
  }
  const octokit = await auth();
  const permission = await deps.permissions.permission(octokit, repo, sender);
  if (!authorize({ verb: 'retry', permission, isSelf: false }).allowed) {
    deps.log.warn({ ...where, permission }, 'Merge queue re-run requested without write access: refused');
    return 'refused';
  }
  await retryHead(octokit, repo, run, `@${sender}`);
  return 'retried';
}
