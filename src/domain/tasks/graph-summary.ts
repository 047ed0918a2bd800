/**
 * The plan view of a graph: what `taskgraph-coordinator plan --format json` prints and what the
 * app's `Task graph` check summarises.
 */
import { branchName } from './branch-names.js';
import { criticalPath } from './generations.js';
import type { LoadedGraph } from './load-graph.js';
import { readyTasks, statusCounts } from './readiness.js';
import type { TaskStatus } from './types.js';

export interface GraphSummary {
  readonly tasks: number;
  readonly edges: number;
  /** Generation n at index n-1, ids sorted. */
  readonly generations: readonly (readonly string[])[];
  /** Longest dependency chain, first task first. */
  readonly criticalPath: readonly string[];
  /** Ready task ids, sorted. */
  readonly ready: readonly string[];
  readonly statusCounts: Readonly<Record<TaskStatus, number>>;
  /** Branch of every task, keyed by id (ids in sorted order). */
  readonly branches: Readonly<Record<string, string>>;
}

/** Summarises a loaded graph; `prefix` is the branch prefix used for `branches` (e.g. `feat/`). */
export function summarizeGraph(loaded: LoadedGraph, prefix: string): GraphSummary {
  const { graph, generations } = loaded;
  const branches: Record<string, string> = {};
  for (const id of graph.ids) branches[id] = branchName(id, prefix);
  return {
    tasks: graph.ids.length,
    edges: graph.edgeCount,
    generations: generations.generations,
    criticalPath: criticalPath(graph, generations),
    ready: readyTasks(graph),
    statusCounts: statusCounts(graph),
    branches,
  };
}
