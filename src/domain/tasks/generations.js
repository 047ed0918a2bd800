/**
 * Generations (Kahn levels) and the critical path of a task graph, ignoring status.
 * Generation 1 holds tasks with no dependencies; a task's generation is one more than the highest
 * generation among its dependencies, which is also the length (in tasks) of the longest dependency
 * chain ending at it. Tasks on or behind a cycle get no generation.
 */
import { compareStrings, isSorted } from './graph.js';
/** Computes Kahn levels in O(tasks + edges). */
export function computeGenerations(graph) {
  const remaining = new Map();
  let frontier = [];
  for (const id of graph.ids) {
    const count = graph.dependencies.get(id)?.length ?? 0;
    remaining.set(id, count);
    if (count === 0) frontier.push(id);
  }
  const generations = [];
  const generationOf = new Map();
  while (frontier.length > 0) {
    if (!isSorted(frontier)) frontier.sort(); // code-unit order, as compareStrings
    generations.push(frontier);
    const level = generations.length;
    const next = [];
    for (const id of frontier) {
      generationOf.set(id, level);
      for (const dependent of graph.dependents.get(id) ?? []) {
        const left = (remaining.get(dependent) ?? 0) - 1;
        remaining.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    frontier = next;
  }
  const unresolved = graph.ids.filter((id) => !generationOf.has(id));
  return { generations, generationOf, unresolved };
}
/**
 * The longest dependency chain, counted in tasks, listed from the first task to do to the last.
 * Ties are broken towards the smallest id at every step, so the answer is stable.
 */
export function criticalPath(graph, levels) {
  const last = levels.generations.at(-1);
  if (!last || last.length === 0) return [];
  let current = last[0];
  const path = [current];
  for (let level = levels.generations.length - 1; level >= 1; level--) {
    const previous = (graph.dependencies.get(current) ?? [])
      .filter((dep) => levels.generationOf.get(dep) === level)
      .sort(compareStrings)[0];
    if (previous === undefined) break;
    path.push(previous);
    current = previous;
  }
  return path.reverse();
}
//# sourceMappingURL=generations.js.map
