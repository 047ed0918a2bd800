/**
 * The after-action summary sent with `graph.completed`: how long the graph took, how many merges,
 * conflicts, failed runs on merge results and blocks there were, and the critical path as planned
 * (longest dependency chain) against the chain that actually determined the finish (walking back
 * from the last merge through the latest-finishing dependency). Pure.
 */
import { criticalPath } from '../tasks/generations.js';
import type { LoadedGraph } from '../tasks/load-graph.js';

/** One announced event, as the store's event log keeps it. */
export interface PastEvent {
  readonly type: string;
  readonly taskId: string | null;
  /** ms since the epoch */
  readonly atMs: number;
}

export interface AfterAction {
  readonly durationMs: number;
  readonly merges: number;
  readonly conflicts: number;
  readonly failedRuns: number;
  readonly blocks: number;
  readonly plannedPath: readonly string[];
  readonly actualPath: readonly string[];
}

/** Computes the summary from the repository's event history. */
export function afterAction(input: {
  history: readonly PastEvent[];
  loaded: LoadedGraph;
  nowMs: number;
}): AfterAction {
  const { history, loaded } = input;
  const count = (type: string) => history.filter((e) => e.type === type).length;
  const start = history.length > 0 ? Math.min(...history.map((e) => e.atMs)) : input.nowMs;
  const mergedAt = new Map<string, number>();
  for (const e of history) if (e.type === 'task.merged' && e.taskId) mergedAt.set(e.taskId, e.atMs);

  // A task without a merge of its own (an aggregate, a command) finishes with its latest dependency.
  const { graph } = loaded;
  const finish = new Map<string, number>();
  const finishOf = (id: string, seen: Set<string>): number => {
    const known = finish.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const own = mergedAt.get(id);
    const value = own ?? Math.max(0, ...(graph.dependencies.get(id) ?? []).map((d) => finishOf(d, seen)));
    finish.set(id, value);
    return value;
  };
  let last: string | null = null;
  for (const id of graph.ids)
    if (last === null || finishOf(id, new Set()) > finishOf(last, new Set())) last = id;
  const actual: string[] = [];
  for (let at = last; at !== null; ) {
    actual.push(at);
    const deps = graph.dependencies.get(at) ?? [];
    at =
      deps.length === 0
        ? null
        : deps.reduce((a, b) => (finishOf(b, new Set()) > finishOf(a, new Set()) ? b : a));
  }
  return {
    durationMs: input.nowMs - start,
    merges: count('task.merged'),
    conflicts: count('merge.conflict'),
    failedRuns: count('merge.failed'),
    blocks: count('task.blocked'),
    plannedPath: criticalPath(graph, loaded.generations),
    actualPath: actual.reverse(),
  };
}

/** The summary as card text. */
export function afterActionText(summary: AfterAction, tasks: number): string {
  const path = (ids: readonly string[]) =>
    ids.length <= 6 ? ids.join(' → ') : `${ids.slice(0, 3).join(' → ')} → … → ${ids.slice(-2).join(' → ')}`;
  return [
    `All ${tasks} tasks are completed in ${formatDuration(summary.durationMs)}.`,
    `Merges: ${summary.merges}. Conflicts: ${summary.conflicts}. Failed runs on merge results: ${summary.failedRuns}. Blocks: ${summary.blocks}.`,
    `Critical path planned: ${summary.plannedPath.length} tasks (${path(summary.plannedPath)}).`,
    `Critical path actual: ${summary.actualPath.length} tasks (${path(summary.actualPath)}).`,
  ].join('\n');
}

/** `2 h 5 min`, `14 min`, `40 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}
