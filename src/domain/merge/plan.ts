/**
 * The merge planner: one pure function from a repository snapshot to a plan.
 *
 * Draft PRs: a pushed task branch without a PR gets one (see `draft-pulls.ts`).
 *
 * Check runs (written only when they differ from what GitHub shows):
 * - `Task graph` on the base head: success with a summary, or failure with one annotation per error;
 *   warnings (status inversions are ordering violations) are annotated without failing.
 * - `Merge order` on every task PR head (see `merge-order.ts`). A PR on a task prefix whose branch
 *   names no task gets a failing check, never silence. While the graph has errors every task PR waits.
 *
 * Exactly one merge-affecting action per reconcile, by straight-line precedence (after Tide):
 * 1. The graph has errors -> wait (nothing merges on a broken graph).
 * 2. staging: a batch on `coordinator/staging` built on the current base head, whose PRs are all
 *    still candidates at the same head SHAs, is *in flight*:
 *    - a required check failed on the staging head -> fail the batch;
 *    - every required check passed (or none is required) -> promote (fast-forward the base);
 *    - a required check has not appeared within `merge.checks_timeout` of the staging commit -> fail
 *      the batch, saying CI does not run on the staging branch;
 *    - otherwise wait for checks.
 *    Any other staging content (no batch, an old base, a changed or withdrawn PR) is free to overwrite.
 * 3. Status the base branch owes (aggregates whose dependencies completed; tasks whose PR merged but
 *    whose file says otherwise) -> one status commit on the base.
 * 4. The first candidate in merge order (a `coordinator: priority <p>` label overrides the task's priority) -> staging: start a batch (merge it onto staging, then one
 *    status commit completing its task and the aggregates that completes); direct: update the branch
 *    when it is behind, else merge the PR with its head SHA.
 * 5. Otherwise wait.
 * Batch size is 1; the batch shape already carries a list so larger batches need no new protocol.
 */
import { priorityFromLabels } from '../commands/labels.js';
import { BranchIndex } from '../tasks/branch-names.js';
import { readyTasks } from '../tasks/readiness.js';
import { type Candidate, completeness, orderCandidates, requiredOutcome } from './candidates.js';
import { checkRunDiffers, graphCheck } from './check-runs.js';
import { draftPulls } from './draft-pulls.js';
import { mergeOrder, type OrderVerdict } from './merge-order.js';
import { autoCompletions, driftRepairs } from './status-plan.js';
import { hasTaskPrefix, type PullTask, taskOfPull } from './task-pulls.js';
import {
  type BatchEntry,
  CHECK_NAMES,
  type CoordinatorEvent,
  type DesiredCheckRun,
  type MergeAction,
  type Plan,
  type PullState,
  type RepoSnapshot,
  type StatusEdit,
  type Wait,
} from './types.js';

/** Plans one reconcile of one repository. Pure: same snapshot, same plan. */
export function planReconcile(snapshot: RepoSnapshot): Plan {
  const { loaded, config } = snapshot;
  const index = new BranchIndex(loaded.graph.ids, config.branches.prefixes);
  const checkRuns: DesiredCheckRun[] = [];
  const events: CoordinatorEvent[] = [];
  const want = (run: DesiredCheckRun, existing: RepoSnapshot['baseChecks'][string] | undefined) => {
    if (checkRunDiffers(run, existing)) checkRuns.push(run);
  };

  const graphRun = graphCheck({
    loaded,
    headSha: snapshot.baseSha,
    prefix: config.branches.prefixes[0] ?? '',
  });
  want(
    { ...graphRun, existingId: existingId(snapshot.baseChecks[CHECK_NAMES.graph], snapshot.baseSha) },
    snapshot.baseChecks[CHECK_NAMES.graph],
  );
  const graphBroken = loaded.errors.length > 0;
  if (graphBroken) {
    events.push(
      event('graph.invalid', { key: `graph.invalid:${snapshot.baseSha}`, message: graphRun.title }),
    );
  }
  for (const warning of loaded.warnings) {
    if (warning.code !== 'status-inversion') continue;
    const key = `ordering.violation:${warning.taskId}:${snapshot.baseSha}`;
    events.push(event('ordering.violation', { key, taskId: warning.taskId, message: warning.message }));
  }

  const ready: { pull: PullState; taskId: string }[] = [];
  for (const pull of snapshot.pulls) {
    const task = classify(pull, snapshot, index);
    if (task === null) continue;
    const verdict: OrderVerdict = graphBroken
      ? {
          state: 'waiting',
          title: `Waiting: the task graph on ${snapshot.baseBranch} has errors`,
          summary: 'See the `Task graph` check on the base branch.',
          waitingFor: [],
        }
      : mergeOrder({ pull, task, graph: loaded.graph, baseBranch: snapshot.baseBranch });
    want(orderRun(pull, verdict), pull.ownChecks[CHECK_NAMES.order]);
    if (task.kind === 'task' && verdict.state === 'ready') ready.push({ pull, taskId: task.taskId });
    if (task.kind === 'task') {
      const stalled = stallEvent(pull, task.taskId, snapshot.nowMs, config.notifications.stall_after);
      if (stalled) events.push(stalled);
    }
  }

  const drafts = draftPulls(snapshot, index);
  if (graphBroken) {
    const action = wait('the task graph has errors; nothing merges until they are fixed');
    return { checkRuns, draftPulls: drafts, events, actionEvents: [], action };
  }
  const { action, actionEvents } = chooseAction(snapshot, index, ready);
  return { checkRuns, draftPulls: drafts, events, actionEvents, action };
}

/** Task of a PR, `unknown` for a task-prefixed branch naming no task, null when it is not a task PR. */
function classify(pull: PullState, snapshot: RepoSnapshot, index: BranchIndex): PullTask | null {
  const task = taskOfPull(pull, snapshot.loaded.graph, index);
  if (task.kind !== 'not-a-task') return task;
  if (!hasTaskPrefix(pull.headRef, snapshot.config.branches.prefixes)) return null;
  return {
    kind: 'unknown',
    reason: `branch ${pull.headRef} has a task prefix, but no task id normalizes to it`,
  };
}

function chooseAction(
  snapshot: RepoSnapshot,
  index: BranchIndex,
  ready: readonly { pull: PullState; taskId: string }[],
): { action: MergeAction | Wait; actionEvents: CoordinatorEvent[] } {
  const { loaded, config } = snapshot;
  const justPromoted =
    snapshot.staging?.sha === snapshot.baseSha ? (snapshot.staging.batch?.entries ?? []) : [];
  const candidates = orderCandidates(
    ready
      .filter(({ pull }) => !justPromoted.some((e) => e.number === pull.number && e.headSha === pull.headSha))
      .filter(({ pull }) => completeness(pull, config, snapshot.requiredChecks).complete)
      .map(
        ({ pull, taskId }): Candidate => ({
          pull,
          taskId,
          generation: loaded.generations.generationOf.get(taskId) ?? Number.MAX_SAFE_INTEGER,
          priority: priorityFromLabels(pull.labels) ?? loaded.graph.tasks.get(taskId)?.priority ?? 0,
        }),
      ),
  );

  if (config.merge.strategy === 'staging') {
    const inFlight = evaluateBatch(snapshot, candidates);
    if (inFlight) return inFlight;
  }

  const owed = [
    ...autoCompletions({
      graph: loaded.graph,
      generations: loaded.generations,
      levels: config.status.auto_complete_levels,
      paths: snapshot.taskPaths,
    }),
    ...driftRepairs({
      graph: loaded.graph,
      index,
      merged: snapshot.recentlyMerged,
      paths: snapshot.taskPaths,
    }),
  ];
  if (owed.length > 0) {
    const reason = `the base branch owes ${owed.length} status edit${owed.length === 1 ? '' : 's'}: ${owed.map((e) => e.taskId).join(', ')}`;
    return {
      action: { kind: 'commit-status', baseSha: snapshot.baseSha, edits: dedupe(owed), reason },
      actionEvents: [],
    };
  }

  const first = candidates[0];
  if (!first) return { action: wait(waitReason(snapshot, ready)), actionEvents: [] };
  const entry: BatchEntry = { number: first.pull.number, headSha: first.pull.headSha, taskId: first.taskId };
  const position = `generation ${first.generation}, first of ${candidates.length} ready`;
  if (config.merge.strategy === 'direct') {
    if (first.pull.mergeableState === 'behind') {
      return {
        action: { kind: 'update-branch', entry, reason: `#${entry.number} is behind ${snapshot.baseBranch}` },
        actionEvents: [],
      };
    }
    const reason = `#${entry.number} (${entry.taskId}) is complete and ready (${position})`;
    return { action: { kind: 'merge-pull', entry, method: config.merge.method, reason }, actionEvents: [] };
  }
  const statusEdits = batchStatusEdits(snapshot, [{ entry, pull: first.pull }]);
  const reason = `#${entry.number} (${entry.taskId}) is complete and ready (${position})`;
  return {
    action: { kind: 'start-batch', baseSha: snapshot.baseSha, entries: [entry], statusEdits, reason },
    actionEvents: [],
  };
}

/** Decides on a batch in flight (rule 2), or returns null when staging is free. */
function evaluateBatch(
  snapshot: RepoSnapshot,
  candidates: readonly Candidate[],
): { action: MergeAction | Wait; actionEvents: CoordinatorEvent[] } | null {
  const staging = snapshot.staging;
  const batch = staging?.batch;
  if (!staging || !batch || batch.baseSha !== snapshot.baseSha) return null;
  const stillQueued = batch.entries.every((entry) =>
    candidates.some((c) => c.pull.number === entry.number && c.pull.headSha === entry.headSha),
  );
  if (!stillQueued) return null;

  const entries = batch.entries;
  const outcome = requiredOutcome(staging.checks, snapshot.requiredChecks);
  const names = entries.map((e) => `#${e.number}`).join(', ');
  if (outcome.failed.length > 0) {
    const reason = `required checks failed on the merge result of ${names}: ${outcome.failed.join(', ')}`;
    return failBatch(entries, 'checks-failed', outcome.failed, reason);
  }
  if (outcome.passed) {
    const required =
      snapshot.requiredChecks.length === 0 ? 'no checks are required' : 'every required check passed';
    return {
      action: {
        kind: 'promote',
        stagingSha: staging.sha,
        entries,
        reason: `${required} on the merge result of ${names}`,
      },
      actionEvents: promotionEvents(snapshot, entries),
    };
  }
  const elapsed = snapshot.nowMs - staging.committedAtMs;
  if (outcome.missing.length > 0 && elapsed >= snapshot.config.merge.checks_timeout) {
    const minutes = Math.round(snapshot.config.merge.checks_timeout / 60_000);
    const reason =
      `required check${outcome.missing.length === 1 ? '' : 's'} ${outcome.missing.join(', ')} never appeared on ` +
      `coordinator/staging within ${minutes} min: CI does not run on the staging branch. Add \`coordinator/staging\` ` +
      'to the branches your CI runs on for push events (GitHub Actions: `on: push: branches: [coordinator/staging]`).';
    return failBatch(entries, 'checks-timeout', outcome.missing, reason);
  }
  const waitingFor = [...outcome.pending, ...outcome.missing];
  return {
    action: wait(`waiting for ${waitingFor.join(', ')} on the merge result of ${names}`),
    actionEvents: [],
  };
}

/** Fails a batch, announcing `merge.failed` once per PR head. */
function failBatch(
  entries: readonly BatchEntry[],
  cause: 'checks-failed' | 'checks-timeout',
  checks: readonly string[],
  reason: string,
): { action: MergeAction; actionEvents: CoordinatorEvent[] } {
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

/** The batch's status commit: its tasks completed (summary: the PR), plus aggregates that completes. */
function batchStatusEdits(
  snapshot: RepoSnapshot,
  batch: readonly { entry: BatchEntry; pull: PullState }[],
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
  const assumeCompleted = new Set(batch.map((b) => b.entry.taskId));
  const levels = snapshot.config.status.auto_complete_levels;
  edits.push(...autoCompletions({ graph, generations, levels, paths: snapshot.taskPaths, assumeCompleted }));
  return edits;
}

/** `task.merged` for the batch, `task.ready` for what it unblocks, generation and graph completion. */
function promotionEvents(snapshot: RepoSnapshot, entries: readonly BatchEntry[]): CoordinatorEvent[] {
  const { graph, generations } = snapshot.loaded;
  const levels = snapshot.config.status.auto_complete_levels;
  const merged = new Set(entries.map((e) => e.taskId));
  const aggregates = autoCompletions({
    graph,
    generations,
    levels,
    paths: snapshot.taskPaths,
    assumeCompleted: merged,
  });
  const completedAfter = new Set([...merged, ...aggregates.map((a) => a.taskId)]);
  const isCompleted = (id: string, after: boolean) =>
    graph.tasks.get(id)?.status === 'completed' || (after && completedAfter.has(id));

  const out = entries.map((e) =>
    event('task.merged', {
      key: `task.merged:${e.taskId}:${e.headSha}`,
      taskId: e.taskId,
      pull: e.number,
      message: `${e.taskId} merged (#${e.number})`,
    }),
  );
  const readyBefore = new Set(readyTasks(graph));
  for (const id of graph.ids) {
    const task = graph.tasks.get(id);
    if (!task || readyBefore.has(id) || completedAfter.has(id) || task.status === 'completed') continue;
    if (task.status === 'blocked' || task.status === 'failed') continue;
    if (!task.dependsOn.every((dep) => isCompleted(dep, true))) continue;
    out.push(
      event('task.ready', {
        key: `task.ready:${id}`,
        taskId: id,
        message: `${id} is ready: every dependency is completed`,
      }),
    );
  }
  generations.generations.forEach((ids, index) => {
    if (ids.every((id) => isCompleted(id, true)) && !ids.every((id) => isCompleted(id, false))) {
      out.push(
        event('generation.completed', {
          key: `generation.completed:${index + 1}`,
          message: `generation ${index + 1} is completed`,
        }),
      );
    }
  });
  if (graph.ids.every((id) => isCompleted(id, true))) {
    out.push(
      event('graph.completed', {
        key: `graph.completed:${snapshot.owner}/${snapshot.repo}`,
        message: `all ${graph.ids.length} tasks are completed`,
      }),
    );
  }
  return out;
}

/**
 * `task.stalled` for a task PR with no activity (GitHub's `updated_at`) for `stallAfterMs`; keyed by
 * that time, so it is raised once per stall and again only after new activity and a new stall.
 */
function stallEvent(
  pull: PullState,
  taskId: string,
  nowMs: number,
  stallAfterMs: number,
): CoordinatorEvent | null {
  const last = Date.parse(pull.updatedAt);
  if (Number.isNaN(last) || nowMs - last < stallAfterMs) return null;
  const hours = Math.floor((nowMs - last) / 3_600_000);
  const idle = hours >= 1 ? `${hours} h` : `${Math.floor((nowMs - last) / 60_000)} min`;
  return event('task.stalled', {
    key: `task.stalled:#${pull.number}:${pull.updatedAt}`,
    taskId,
    pull: pull.number,
    message: `#${pull.number} (${taskId}) has had no activity for ${idle}${pull.draft ? ' (still a draft)' : ''}`,
  });
}

function orderRun(pull: PullState, verdict: OrderVerdict): DesiredCheckRun {
  const conclusion = verdict.state === 'ready' ? 'success' : verdict.state === 'refused' ? 'failure' : null;
  return {
    name: CHECK_NAMES.order,
    headSha: pull.headSha,
    status: verdict.state === 'waiting' ? 'in_progress' : 'completed',
    conclusion,
    title: verdict.title,
    summary: verdict.summary,
    annotations: [],
    existingId: existingId(pull.ownChecks[CHECK_NAMES.order], pull.headSha),
  };
}

function existingId(run: { id: number; headSha: string } | undefined, headSha: string): number | null {
  return run?.headSha === headSha ? run.id : null;
}

function waitReason(snapshot: RepoSnapshot, ready: readonly { pull: PullState; taskId: string }[]): string {
  if (ready.length === 0) return 'no task PR is ready to merge';
  const reasons = ready.map(({ pull }) => {
    const c = completeness(pull, snapshot.config, snapshot.requiredChecks);
    return `#${pull.number}: ${c.complete ? 'just merged' : c.reason}`;
  });
  return `no ready task PR is complete (${reasons.join('; ')})`;
}

function dedupe(edits: readonly StatusEdit[]): StatusEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => !seen.has(e.taskId) && seen.add(e.taskId));
}

function wait(reason: string): Wait {
  return { kind: 'wait', reason };
}

function event(
  type: CoordinatorEvent['type'],
  fields: { key: string; message: string; taskId?: string | null; pull?: number | null },
): CoordinatorEvent {
  return {
    type,
    key: fields.key,
    message: fields.message,
    taskId: fields.taskId ?? null,
    pull: fields.pull ?? null,
  };
}
