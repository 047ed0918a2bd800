/** Check run names the app owns. */
export const CHECK_NAMES = { graph: 'Task graph', order: 'Merge order', queue: 'Merge queue' };
/** Labels the app reads (intent lives in GitHub). */
export const LABELS = { merge: 'coordinator: merge', hold: 'coordinator: hold' };
/** The staging branch of the merge protocol: the first car of the merge train is tested here. */
export const STAGING_BRANCH = 'coordinator/staging';
/**
 * The staging branches of a train of `1 + parallel` cars: `coordinator/staging`, then
 * `coordinator/staging-2`, `coordinator/staging-3`, … (a branch cannot be both
 * `coordinator/staging` and a folder of it, so speculative cars sit beside it; a CI filter
 * `coordinator/staging*` matches them all). Which car is first is decided by the trailers, not the name.
 */
export function stagingBranches(parallel) {
  return [STAGING_BRANCH, ...Array.from({ length: parallel }, (_, i) => `${STAGING_BRANCH}-${i + 2}`)];
}
/** Whether a branch is one of the train's staging branches (any `parallel`). */
export function isStagingBranch(name) {
  return name === STAGING_BRANCH || /^coordinator\/staging-\d+$/.test(name);
}
/**
 * Where a batch is assembled before its staging branch moves to it in one push, so CI runs once
 * per batch rather than once per merge (bors's `staging.tmp`). CI must not run on it.
 */
export const BUILD_BRANCH = 'coordinator/build';
/** Every event type (see `domain/notify/route.ts` for their severities). */
export const EVENT_TYPES = [
  'task.ready',
  'generation.completed',
  'task.merged',
  'merge.conflict',
  'merge.failed',
  'merge.refused',
  'merge.blocked',
  'task.blocked',
  'task.unblocked',
  'task.stalled',
  'graph.invalid',
  'ordering.violation',
  'graph.completed',
  'custom',
];
//# sourceMappingURL=types.js.map
