/**
 * The task graph: tasks keyed by id plus `depends_on` edges (dependency -> dependent). Building it
 * reports the structural errors that are local to one edge or id: `duplicate-id`,
 * `missing-dependency` and `self-dependency`. Those edges are left out of the graph, so every later
 * algorithm sees only edges between tasks that exist.
 */
import { diagnostic } from './types.js';
/**
 * Builds the graph from parsed tasks.
 *
 * @param tasks tasks in any order; they are taken in `file` order so results do not depend on the
 *   order a directory listing or an API returned them in.
 * @returns the graph and its `duplicate-id`, `missing-dependency`, `self-dependency` errors.
 */
export function buildGraph(tasks) {
  const diagnostics = [];
  const byId = new Map();
  // Directory walks and GitHub trees list files sorted already: then skip the sort.
  const ordered = tasks.every((t, i) => i === 0 || compareStrings(tasks[i - 1].file, t.file) <= 0)
    ? tasks
    : [...tasks].sort((a, b) => compareStrings(a.file, b.file));
  for (const task of ordered) {
    const first = byId.get(task.id);
    if (first) {
      const message = `task id "${task.id}" is already used by ${first.file}:${first.lines.id}`;
      diagnostics.push(
        diagnostic('duplicate-id', { file: task.file, line: task.lines.id, taskId: task.id }, message),
      );
    } else byId.set(task.id, task);
  }
  const dependencies = new Map();
  const dependents = new Map();
  // Native sort compares UTF-16 code units, the same order as compareStrings, without a JS callback.
  // Ids usually mirror the (sorted) paths, so check first: the check is O(n), the sort O(n log n).
  const keys = [...byId.keys()];
  const ids = isSorted(keys) ? keys : keys.sort();
  for (const id of ids) dependents.set(id, []);
  let edgeCount = 0;
  // Visiting tasks in id order appends every dependents list already sorted.
  for (const id of ids) {
    const task = byId.get(id);
    const kept = [];
    const deps = task.dependsOn;
    for (let index = 0; index < deps.length; index++) {
      const dep = deps[index];
      const list = dep === task.id ? undefined : dependents.get(dep);
      if (list) {
        kept.push(dep);
        list.push(task.id);
        edgeCount++;
        continue;
      }
      const at = { file: task.file, line: task.lines.dependency(index), taskId: task.id };
      if (dep === task.id)
        diagnostics.push(diagnostic('self-dependency', at, `task "${task.id}" depends on itself`));
      else
        diagnostics.push(
          diagnostic('missing-dependency', at, `depends on "${dep}", but no task has that id`),
        );
    }
    dependencies.set(task.id, kept);
  }
  return { graph: { tasks: byId, ids, dependencies, dependents, edgeCount }, diagnostics };
}
/** Whether `values` is in code-unit order already. */
export function isSorted(values) {
  for (let i = 1; i < values.length; i++) if (values[i - 1] > values[i]) return false;
  return true;
}
/** Code-unit order, independent of locale: the order every list in this core is sorted by. */
export function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
//# sourceMappingURL=graph.js.map
