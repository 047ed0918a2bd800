/**
 * The staging strategy's decisions about a batch (see the rules in `plan.ts`): judging the batch
 * in flight on `coordinator/staging`, the status commit a new batch carries, and the events a
 * promotion makes true.
 */
import { type Candidate, requiredOutcome } from './candidates.js';
import { checkRunDiffers } from './check-runs.js';
import { event } from './events.js';
import { autoCompletions } from './status-plan.js';
import {
  type BatchEntry,
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

const OWN: ReadonlySet<string> = new Set(Object.values(CHECK_NAMES));

/**
 * The checks a batch waits for on its staging head: every required check; with none required
 * (no config, no protection, no ruleset) the checks that reported on the batch's PR heads, so a
 * merge result is never promoted less tested than its PRs were. @returns names, and whether that
 * fallback was used.
 */
export function batchChecks(
  snapshot: Pick<RepoSnapshot, 'requiredChecks' | 'pulls'>,
  entries: readonly BatchEntry[],
): { names: string[]; fromPulls: boolean } {
  const external = snapshot.requiredChecks.filter((name) => !OWN.has(name));
  if (external.length > 0) return { names: [...snapshot.requiredChecks], fromPulls: false };
  const names = new Set<string>();
  for (const entry of entries) {
    const pull = snapshot.pulls.find((p) => p.number === entry.number);
    for (const check of pull?.checks ?? []) if (!OWN.has(check.name)) names.add(check.name);
  }
  return { names: [...snapshot.requiredChecks, ...[...names].sort()], fromPulls: names.size > 0 };
}

/** Judges the batch in flight, or returns null when staging is free to overwrite. */
export function evaluateBatch(snapshot: RepoSnapshot, candidates: readonly Candidate[]): Decision | null {
  const staging = snapshot.staging;
  const batch = staging?.batch;
  if (!staging || !batch || batch.baseSha !== snapshot.baseSha) return null;
  const stillQueued = batch.entries.every((entry) =>
    candidates.some((c) => c.pull.number === entry.number && c.pull.headSha === entry.headSha),
  );
  if (!stillQueued) return null;

  const entries = batch.entries;
  const { names: required, fromPulls } = batchChecks(snapshot, entries);
  const outcome = requiredOutcome(staging.checks, required);
  const names = entries.length > 0 ? entries.map((e) => `#${e.number}`).join(', ') : 'the status commit';
  if (outcome.failed.length > 0) {
    const failedUrls = staging.checks.filter(
      (c) => outcome.failed.includes(c.name) && c.outcome === 'failure' && c.url,
    );
    const links = failedUrls.map((c) => `[${c.name}](${c.url})`).join(', ');
    const reason = `required checks failed on the merge result of ${names}: ${links || outcome.failed.join(', ')}`;
    return failBatch(entries, 'checks-failed', outcome.failed, reason);
  }
  if (outcome.passed) {
    const untested = required.every((name) => OWN.has(name));
    const what = untested
      ? 'no checks are required and the PRs had none: merged without tests'
      : fromPulls
        ? `the checks that ran on the PRs passed on the merge result (${required.join(', ')}; no checks are required)`
        : 'every required check passed';
    return {
      action: {
        kind: 'promote',
        stagingSha: staging.sha,
        entries,
        reason: `${what} on the merge result of ${names}`,
        untested,
        statusSha: batch.statusSha ?? null,
      },
      // What the promotion makes true (merges, ready tasks) is derived afterwards from the base.
      actionEvents: [],
      checkRuns: ownChecksOnStaging(snapshot, staging.sha, entries),
    };
  }
  const elapsed = snapshot.nowMs - staging.committedAtMs;
  if (outcome.missing.length > 0 && elapsed >= snapshot.config.merge.checks_timeout) {
    const minutes = Math.round(snapshot.config.merge.checks_timeout / 60_000);
    const reason =
      `required check${outcome.missing.length === 1 ? '' : 's'} ${outcome.missing.join(', ')} never appeared on ` +
      `${STAGING_BRANCH} within ${minutes} min: CI does not run on the staging branch. Add \`${STAGING_BRANCH}\` ` +
      'to the branches your CI runs on for push events (GitHub Actions: `on: push: branches: [coordinator/staging]`).';
    return failBatch(entries, 'checks-timeout', outcome.missing, reason);
  }
  const waitingFor = [...outcome.pending, ...outcome.missing];
  return {
    action: wait(`waiting for ${waitingFor.join(', ')} on the merge result of ${names}`),
    actionEvents: [],
  };
}

/**
 * The app's own checks that the base branch requires (`Merge order`, `Task graph`), as they must
 * stand on the staging head before the base can move there (a push is accepted only when its head
 * commit carries every required check; PLATFORM-NOTES).
 */
function ownChecksOnStaging(
  snapshot: RepoSnapshot,
  sha: string,
  entries: readonly BatchEntry[],
): DesiredCheckRun[] {
  const existing = snapshot.staging?.ownChecks ?? {};
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

/** Fails a batch, announcing `merge.failed` once per PR head. */
export function failBatch(
  entries: readonly BatchEntry[],
  cause: 'checks-failed' | 'checks-timeout',
  checks: readonly string[],
  reason: string,
): Decision {
  const actionEvents = entries.map((e) =>
    event('merge.failed', {
      key: `merge.failed:${e.number}:${e.headSha}`,
      taskId: e.taskId,
      pull: e.number,
      message: reason,
    }),
  );
  return { action: { kind: 'fail-batch', entries, cause, checks, reason }, actionEvents };
}

/**
 * The status commit of a batch: its tasks completed (summary: the PR), plus the aggregates that
 * completes, plus `extra` edits the base owes (when they cannot be pushed straight to it).
 */
export function batchStatusEdits(
  snapshot: RepoSnapshot,
  batch: readonly { entry: BatchEntry; pull: PullState }[],
  extra: readonly StatusEdit[] = [],
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
  });
  const all = [...edits, ...extra, ...aggregates];
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(e.taskId) && seen.add(e.taskId));
}

export function wait(reason: string): Wait {
  return { kind: 'wait', reason };
}
