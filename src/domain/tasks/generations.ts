/**
 * Generations (Kahn levels) and the critical path of a task graph, ignoring status.
 * Generation 1 holds tasks with no dependencies; a task's generation is one more than the highest
 * generation among its dependencies, which is also the length (in tasks) of the longest dependency
 * chain ending at it. Its *tail* is the mirror image: the length (in tasks) of the longest chain of
 * dependents starting at it, itself included (list scheduling's "bottom level"; a task on the
 * critical path has generation + tail - 1 equal to the path's length). Tasks on or behind a cycle
 * get neither.
 */
import { compareStrings, isSorted, type TaskGraph } from './graph.js';

export interface Generations {
  /** Generation n at index n-1; ids sorted within each. */
  readonly generations: readonly (readonly string[])[];
  /** 1-based generation of every task that has one. */
  readonly generationOf: ReadonlyMap<string, number>;
  /** Tasks on the longest chain of dependents starting at each task that has a generation, itself included. */
  readonly tailOf: ReadonlyMap<string, number>;
  /** Tasks on a cycle or depending (transitively) on one: they have no generation. Sorted. */
  readonly unresolved: readonly string[];
}

/** Computes Kahn levels in O(tasks + edges). */
export function computeGenerations(graph: TaskGraph): Generations {
  const remaining = new Map<string, number>();
  let frontier: string[] = [];
  for (const id of graph.ids) {
    const count = graph.dependencies.get(id)?.length ?? 0;
    remaining.set(id, count);
    if (count === 0) frontier.push(id);
  }
  const generations: string[][] = [];
  const generationOf = new Map<string, number>();
  while (frontier.length > 0) {
    if (!isSorted(frontier)) frontier.sort(); // code-unit order, as compareStrings
    generations.push(frontier);
    const level = generations.length;
    const next: string[] = [];
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
  // Last generation first: every dependent of a task sits in a later generation.
  const tailOf = new Map<string, number>();
  for (let level = generations.length - 1; level >= 0; level--)
    for (const id of generations[level] as string[]) {
      let longest = 0;
      for (const dependent of graph.dependents.get(id) ?? [])
        longest = Math.max(longest, tailOf.get(dependent) ?? 0);
      tailOf.set(id, longest + 1);
    }
  return { generations, generationOf, tailOf, unresolved };
}

/**
 * The longest dependency chain, counted in tasks, listed from the first task to do to the last.
 * Ties are broken towards the smallest id at every step, so the answer is stable.
 */
export function criticalPath(graph: TaskGraph, levels: Generations): string[] {
  const last = levels.generations.at(-1);
  if (!last || last.length === 0) return [];
  let current = last[0] as string;
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
