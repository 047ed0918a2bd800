/**
 * Writes what users are told when a PR head cannot merge (`domain/merge/reports.ts` builds it):
 * the failing `Merge queue` check first (the durable record that takes the head out of the queue),
 * then the one comment. A comment GitHub refuses never stops the queue: it is logged, and the
 * check and the event still say what happened.
 */
import type { Logger } from 'probot';
import { writeCheckRun } from '../adapters/github/write-check-run.js';
import { recordOf } from '../domain/merge/queue-record.js';
import { type FailureKind, failureReport } from '../domain/merge/reports.js';
import { type BatchEntry, CHECK_NAMES, type CoordinatorEvent } from '../domain/merge/types.js';
import type { ExecuteInput } from './execute-plan.js';

/** Reports one PR head. @returns the event to announce. @throws when the check cannot be written. */
export async function reportFailure(
  input: ExecuteInput,
  entry: BatchEntry,
  failure: { kind: FailureKind; title: string; text: string; message?: string },
): Promise<CoordinatorEvent> {
  const pull = input.read.snapshot.pulls.find((p) => p.number === entry.number);
  const record =
    pull && pull.headSha === entry.headSha
      ? recordOf(pull)
      : recordOf({ headSha: entry.headSha, ownChecks: {} });
  const report = failureReport({ entry, ...failure, record: { ...record, blockedByRules: false } });
  await queueCheck(input, entry, {
    conclusion: 'failure',
    title: report.check.title,
    summary: report.check.summary,
    externalId: report.check.externalId,
  });
  try {
    await input.octokit.rest.issues.createComment({
      ...input.repo,
      issue_number: entry.number,
      body: report.comment,
    });
  } catch (error) {
    logOf(input).warn(
      { err: error, pull: entry.number },
      'could not comment on the PR; the Merge queue check says what happened',
    );
  }
  return report.event;
}

/** Sets the `Merge queue` check on a PR head, keeping the head's record (`external_id`). */
export async function queueCheck(
  input: ExecuteInput,
  entry: BatchEntry,
  state: { conclusion: 'success' | 'failure' | null; title: string; summary: string; externalId?: string },
): Promise<void> {
  const pull = input.read.snapshot.pulls.find((p) => p.number === entry.number);
  const existing = pull?.ownChecks[CHECK_NAMES.queue];
  const onHead = existing?.headSha === entry.headSha ? existing : undefined;
  await writeCheckRun(input.octokit, input.repo, {
    name: CHECK_NAMES.queue,
    headSha: entry.headSha,
    status: state.conclusion === null ? 'in_progress' : 'completed',
    conclusion: state.conclusion,
    title: state.title,
    summary: state.summary,
    annotations: [],
    existingId: onHead?.id ?? null,
    ...(state.externalId !== undefined
      ? { externalId: state.externalId }
      : onHead?.externalId
        ? { externalId: onHead.externalId }
        : {}),
  });
}

function logOf(input: ExecuteInput): Pick<Logger, 'warn'> {
  return input.log ?? { warn: () => undefined };
}
