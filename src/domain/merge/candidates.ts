/**
 * Which task PRs may merge now, and in what order.
 *
 * A task PR is *complete* when it is not a draft, is not labelled `coordinator: hold`, satisfies the
 * trigger (`ready`: nothing more; `label`: it carries `coordinator: merge`), every required check on
 * its head has passed (the app's own checks excepted: the planner decides those), and the app has not
 * already failed this head (a conflict, red checks or a refusal take a PR out of the queue until its
 * head changes or `/coordinator retry`; a block by branch rules does not, since it is no fault of the head).
 * A complete PR whose `Merge order` verdict is ready is a *candidate*. With
 * `merge.wait_for_pr_checks: false` a PR whose required checks are still running is complete too
 * (the staging run is its test), and a PR already in a batch stays complete whatever its own checks
 * say later. A head whose `Merge queue` run says it merged is never complete again.
 *
 * Candidates merge in this order: lowest generation first; among equals, PRs whose changed files do
 * not overlap any other candidate's first; then higher task priority; then the longer tail (the
 * task's longest chain of dependents, `generations.ts`: critical path first, as list scheduling
 * does, so when two PRs edit one file the one more work waits on goes in and the other is the one
 * that may have to merge the base again); then the oldest PR; then the lowest number.
 */
import type { RepoConfig } from '../../config/repo-config.js';
import { priorityFromLabels } from '../commands/labels.js';
import { compareStrings } from '../tasks/graph.js';
import type { LoadedGraph } from '../tasks/load-graph.js';
import { parseQueueRecord } from './queue-record.js';
import { CHECK_NAMES, type CheckResult, LABELS, type PullState } from './types.js';

export type Completeness =
  | { readonly complete: true }
  | { readonly complete: false; readonly reason: string };

const OWN_CHECKS: ReadonlySet<string> = new Set(Object.values(CHECK_NAMES));

/** Outcome of required checks on a commit: which failed, which are pending or missing. */
export function requiredOutcome(checks: readonly CheckResult[], required: readonly string[]) {
  const failed: string[] = [];
  const pending: string[] = [];
  const missing: string[] = [];
  for (const name of required) {
    if (OWN_CHECKS.has(name)) continue;
    const runs = checks.filter((c) => c.name === name);
    if (runs.length === 0) missing.push(name);
    else if (runs.some((c) => c.outcome === 'failure')) failed.push(name);
    else if (runs.some((c) => c.outcome === 'pending')) pending.push(name);
  }
  return { failed, pending, missing, passed: failed.length + pending.length + missing.length === 0 };
}

/**
 * How a PR's own required checks count: `passed` (all passed), `not-failed` (none failed; some may
 * still run), `ignored` (a PR already in a batch under optimistic entry).
 */
export type PrChecks = 'passed' | 'not-failed' | 'ignored';

/** Whether a PR is complete (see the module rules), with the reason when it is not. */
export function completeness(
  pull: PullState,
  config: RepoConfig,
  required: readonly string[],
  prChecks: PrChecks = 'passed',
): Completeness {
  if (pull.draft) return { complete: false, reason: 'the PR is a draft' };
  if (pull.labels.includes(LABELS.hold))
    return { complete: false, reason: `the PR is labelled "${LABELS.hold}"` };
  if (config.merge.trigger === 'label' && !pull.labels.includes(LABELS.merge)) {
    return { complete: false, reason: `the PR is not labelled "${LABELS.merge}"` };
  }
  const queue = pull.ownChecks[CHECK_NAMES.queue];
  const rulesBlock = parseQueueRecord(queue?.externalId).blockedByRules;
  if (queue?.headSha === pull.headSha && queue.conclusion === 'failure' && !rulesBlock) {
    return { complete: false, reason: `merging this head failed (${queue.title}); push a change to retry` };
  }
  if (queue?.headSha === pull.headSha && queue.status === 'completed' && queue.conclusion === 'success')
    return { complete: false, reason: 'this head is merged' };
  if (prChecks === 'ignored') return { complete: true };
  const outcome = requiredOutcome(pull.checks, required);
  if (outcome.failed.length > 0)
    return { complete: false, reason: `required checks failed: ${outcome.failed.join(', ')}` };
  const waiting = [...outcome.pending, ...outcome.missing];
  if (waiting.length > 0 && prChecks === 'passed')
    return { complete: false, reason: `waiting for required checks: ${waiting.join(', ')}` };
  return { complete: true };
}

/** A candidate with what ordering needs. */
export interface Candidate {
  readonly pull: PullState;
  readonly taskId: string;
  readonly generation: number;
  readonly priority: number;
  /** Tasks on the longest chain of dependents starting at the task, itself included. */
  readonly tail: number;
}

/** A ready PR as the merge order sees it: its task's generation, and its priority (labels win over the task file). */
export function candidateOf(loaded: LoadedGraph, pull: PullState, taskId: string): Candidate {
  return {
    pull,
    taskId,
    generation: loaded.generations.generationOf.get(taskId) ?? Number.MAX_SAFE_INTEGER,
    priority: priorityFromLabels(pull.labels) ?? loaded.graph.tasks.get(taskId)?.priority ?? 0,
    tail: loaded.generations.tailOf.get(taskId) ?? 0,
  };
}

/**
 * Queue positions of the complete PRs among `ready` (every dependency completed), in the merge
 * order: 1-based, with the queue's length. What the dashboard and the `Merge order` checks show.
 */
export function queuePositions(
  snapshot: { loaded: LoadedGraph; config: RepoConfig; requiredChecks: readonly string[] },
  ready: readonly { pull: PullState; taskId: string }[],
): Map<number, { position: number; of: number }> {
  const queue = orderCandidates(
    ready
      .filter(({ pull }) => completeness(pull, snapshot.config, snapshot.requiredChecks).complete)
      .map(({ pull, taskId }) => candidateOf(snapshot.loaded, pull, taskId)),
  );
  return new Map(queue.map((c, i) => [c.pull.number, { position: i + 1, of: queue.length }]));
}

/** Sorts candidates by the module's precedence (stable and total). */
export function orderCandidates<T extends Candidate>(candidates: readonly T[]): T[] {
  const owners = new Map<string, number>();
  for (const c of candidates)
    for (const file of c.pull.changedFiles) owners.set(file, (owners.get(file) ?? 0) + 1);
  const overlaps = (c: Candidate) => c.pull.changedFiles.some((file) => (owners.get(file) ?? 0) > 1);
  return [...candidates].sort(
    (a, b) =>
      a.generation - b.generation ||
      Number(overlaps(a)) - Number(overlaps(b)) ||
      b.priority - a.priority ||
      b.tail - a.tail ||
      compareStrings(a.pull.createdAt, b.pull.createdAt) ||
      a.pull.number - b.pull.number,
  );
}
