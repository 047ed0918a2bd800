/**
 * The staging strategy's decisions about one batch (see the rules in `plan.ts`): judging the first
 * car of the train, and the status commit a new batch carries.
 */
import { batchChecks, isOwnCheck } from './batch-checks.js';
import { redBatchVerdicts } from './bisect.js';
import { requiredOutcome } from './candidates.js';
import { checkRunDiffers } from './check-runs.js';
import { event } from './events.js';
import type { QueueRecord } from './queue-record.js';
import { autoCompletions } from './status-plan.js';
import { type Car, carName } from './train.js';
import {
  type BatchEntry,
  type BatchVerdict,
  CHECK_NAMES,
  type CoordinatorEvent,
  type DesiredCheckRun,
  type MergeAction,
  type PullState,
  type RepoSnapshot,
  STAGING_BRANCH,
  type StatusEdit,
  type Wait,
} from './types.js';

/** What the planner decides about merging, with what it must write and announce. */
export interface Decision {
  readonly action: MergeAction | Wait;
  /** Facts that become true only if the action succeeds. */
  readonly actionEvents: readonly CoordinatorEvent[];
  /** Check runs to write before the action (the app's own checks on the staging head). */
  readonly checkRuns?: readonly DesiredCheckRun[];
  /** Facts true whatever happens (a block by branch rules). */
  readonly events?: readonly CoordinatorEvent[];
}

/**
 * Judges the first car of the train (built on the base head): red -> the verdicts of
 * `bisect.ts`; every check passed -> promote, after writing the app's own checks the base requires
 * on the staging head; a check missing after `merge.checks_timeout` -> eject its PRs; otherwise
 * null with what it waits for.
 */
export function judgeFirstCar(
  snapshot: RepoSnapshot,
  car: Car,
  records: (entry: BatchEntry) => QueueRecord,
): { decision: Decision } | { waiting: string } {
  const entries = car.batch.entries;
  const { names: required, fromPulls } = batchChecks(snapshot, entries);
  const outcome = requiredOutcome(car.checks, required);
  const names = carName(car);
  if (outcome.failed.length > 0) {
    const failedUrls = car.checks.filter(
      (c) => outcome.failed.includes(c.name) && c.outcome === 'failure' && c.url,
    );
    const links = failedUrls.map((c) => `[${c.name}](${c.url})`).join(', ');
    const reason = `required checks failed on the merge result of ${names} (\`${car.branch}\`): ${links || outcome.failed.join(', ')}`;
    const verdicts = redBatchVerdicts({
      car,
      records,
      retries: snapshot.config.merge.retries,
      failed: capitalize(reason),
    });
    return { decision: failBatch(car, 'checks-failed', outcome.failed, reason, verdicts) };
  }
  if (outcome.passed) {
    const untested = required.every((name) => isOwnCheck(name));
    const what = untested
      ? 'no checks are required and the PRs had none: merged without tests'
      : fromPulls
        ? `the checks that ran on the PRs passed on the merge result (${required.join(', ')}; no checks are required)`
        : 'every required check passed';
    return {
      decision: {
        action: {
          kind: 'promote',
          branch: car.branch,
          stagingSha: car.sha,
          entries,
          reason: `${what} on the merge result of ${names}`,
          untested,
          statusSha: car.batch.statusSha ?? null,
        },
        // What the promotion makes true (merges, ready tasks) is derived afterwards from the base.
        actionEvents: [],
        checkRuns: ownChecksOnStaging(snapshot, car, entries),
      },
    };
  }
  const elapsed = snapshot.nowMs - car.committedAtMs;
  if (outcome.missing.length > 0 && elapsed >= snapshot.config.merge.checks_timeout) {
    const minutes = Math.round(snapshot.config.merge.checks_timeout / 60_000);
    const reason =
      `required check${outcome.missing.length === 1 ? '' : 's'} ${outcome.missing.join(', ')} never appeared on ` +
      `${car.branch} within ${minutes} min: CI does not run on the staging branches. Add \`${STAGING_BRANCH}*\` ` +
      "to the branches your CI runs on for push events (GitHub Actions: `on: push: branches: ['coordinator/staging*']`).";
    const verdicts = entries.map((entry): BatchVerdict => ({ kind: 'eject', entry }));
    return { decision: failBatch(car, 'checks-timeout', outcome.missing, reason, verdicts) };
  }
  const waitingFor = [...outcome.pending, ...outcome.missing];
  return { waiting: `waiting for ${waitingFor.join(', ')} on the merge result of ${names}` };
}

/**
 * The app's own checks that the base branch requires (`Merge order`, `Task graph`), as they must
 * stand on the staging head before the base can move there (a push is accepted only when its head
 * commit carries every required check; PLATFORM-NOTES).
 */
function ownChecksOnStaging(
  snapshot: RepoSnapshot,
  car: Car,
  entries: readonly BatchEntry[],
): DesiredCheckRun[] {
  const existing = car.ownChecks;
  const sha = car.sha;
  const runs: DesiredCheckRun[] = [];
  const prs = entries.map((e) => `#${e.number} (${e.taskId})`).join(', ');
  const wanted: Record<string, { title: string; summary: string }> = {
    [CHECK_NAMES.order]: {
      title: entries.length > 0 ? 'Ready: every dependency is completed' : 'Status commit',
      summary:
        entries.length > 0
          ? `The merge result of ${prs}: every dependency of each task is completed on \`${snapshot.baseBranch}\`, and the status commit completes them.`
          : 'A status commit of the coordinator (aggregates, drift repair, commands).',
    },
    [CHECK_NAMES.graph]: {
      title: `${snapshot.loaded.graph.ids.length} tasks, valid`,
      summary: `The task graph of \`${snapshot.baseBranch}\` with this batch's status commit: no errors.`,
    },
  };
  for (const [name, text] of Object.entries(wanted)) {
    if (!snapshot.requiredChecks.includes(name)) continue;
    const run: DesiredCheckRun = {
      name,
      headSha: sha,
      status: 'completed',
      conclusion: 'success',
      title: text.title,
      summary: text.summary,
      annotations: [],
      existingId: existing[name]?.headSha === sha ? (existing[name]?.id ?? null) : null,
    };
    if (checkRunDiffers(run, existing[name])) runs.push(run);
  }
  return runs;
}

/** Fails a red car: `merge.failed` is announced for each ejected PR head, once. */
function failBatch(
  car: Car,
  cause: 'checks-failed' | 'checks-timeout',
  checks: readonly string[],
  reason: string,
  verdicts: readonly BatchVerdict[],
): Decision {
  const actionEvents = verdicts
    .filter((v) => v.kind === 'eject')
    .map(({ entry: e }) =>
      event('merge.failed', {
        key: `merge.failed:${e.number}:${e.headSha}`,
        taskId: e.taskId,
        pull: e.number,
        message: reason,
      }),
    );
  return {
    action: {
      kind: 'fail-batch',
      branch: car.branch,
      stagingSha: car.sha,
      entries: car.batch.entries,
      cause,
      checks,
      reason,
      verdicts,
    },
    actionEvents,
  };
}

/**
 * The status commit of a batch: its tasks completed (summary: the PR), plus the aggregates that
 * completes, plus `extra` edits the base owes (when they cannot be pushed straight to it), minus
 * what the cars below already did: `lower` are the tasks they complete and every task they edit.
 */
export function batchStatusEdits(
  snapshot: RepoSnapshot,
  batch: readonly { entry: BatchEntry; pull: PullState }[],
  extra: readonly StatusEdit[] = [],
  lower: { readonly completed: Iterable<string>; readonly edited: Iterable<string> } = {
    completed: [],
    edited: [],
  },
): StatusEdit[] {
  const { graph, generations } = snapshot.loaded;
  const edits: StatusEdit[] = [];
  for (const { entry, pull } of batch) {
    const path = snapshot.taskPaths.get(entry.taskId);
    if (!path || graph.tasks.get(entry.taskId)?.status === 'completed') continue;
    const summary = `Merged in #${pull.number}: ${pull.title} (${pull.url})`;
    edits.push({
      taskId: entry.taskId,
      path,
      status: 'completed',
      summary,
      reason: `task PR #${pull.number} merges`,
    });
  }
  const assumeCompleted = new Set([
    ...lower.completed,
    ...batch.map((b) => b.entry.taskId),
    ...extra.filter((e) => e.status === 'completed').map((e) => e.taskId),
  ]);
  const levels = snapshot.config.status.auto_complete_levels;
  const aggregates = autoCompletions({
    graph,
    generations,
    levels,
    paths: snapshot.taskPaths,
    assumeCompleted,
    provisional: new Set(snapshot.adoption?.taskIds ?? []),
  });
  const all = [...edits, ...extra, ...aggregates];
  const seen = new Set<string>(lower.edited);
  return all.filter((e) => !seen.has(e.taskId) && seen.add(e.taskId));
}

export function wait(reason: string): Wait {
  return { kind: 'wait', reason };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
