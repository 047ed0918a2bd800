/**
 * While the adoption PR is open, the tasks it sets to `completed` are not pending: the planner reads
 * the base's task files with that PR's status edits applied (only the `status:` line; everything
 * else as on the base).
 */
import { type LoadedGraph, loadTaskGraph } from '../tasks/load-graph.js';
import { setStatus, TaskEditError } from '../tasks/status-edit.js';

/**
 * @param texts the base's task file texts by path.
 * @param paths task id → path.
 * @param taskIds the adoption PR's tasks (ids the base does not have are ignored).
 * @returns the graph as it will be once the PR merges, as far as statuses go.
 */
export function withAdoption(input: {
  texts: ReadonlyMap<string, string>;
  paths: ReadonlyMap<string, string>;
  taskIds: readonly string[];
  prefixes: readonly string[];
}): LoadedGraph {
  const texts = new Map(input.texts);
  for (const id of input.taskIds) {
    const path = input.paths.get(id);
    const text = path === undefined ? undefined : texts.get(path);
    if (path === undefined || text === undefined) continue;
    try {
      texts.set(path, setStatus(text, 'completed'));
    } catch (error) {
      if (!(error instanceof TaskEditError)) throw error;
    }
  }
  const files = [...texts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, text]) => ({ path, text }));
  return loadTaskGraph(files, { prefixes: input.prefixes });
}
