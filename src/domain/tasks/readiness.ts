/**
 * Readiness from status: which tasks an agent may start (or whose PR may merge) now, and what each
 * waiting task waits for. A dependency that is missing from the graph never counts as completed.
 */
import type { TaskGraph } from './graph.js';
import type { Task } from './types.js';

const NOT_STARTABLE = new Set<Task['status']>(['completed', 'blocked', 'failed']);

/** Dependencies of `id` that are not completed (missing ones included), in file order. */
export function blockedBy(graph: TaskGraph, id: string): string[] {
  const task = graph.tasks.get(id);
  if (!task) return [];
  return task.dependsOn.filter((dep) => graph.tasks.get(dep)?.status !== 'completed');
}

/** Whether `id` is ready: not completed, blocked or failed, and every dependency completed. */
export function isReady(graph: TaskGraph, id: string): boolean {
  const task = graph.tasks.get(id);
  if (task === undefined || NOT_STARTABLE.has(task.status)) return false;
  for (const dep of task.dependsOn) if (graph.tasks.get(dep)?.status !== 'completed') return false;
  return true;
}

/** Every ready task id, sorted. */
export function readyTasks(graph: TaskGraph): string[] {
  return graph.ids.filter((id) => isReady(graph, id));
}

/** Number of tasks in each status (every status present, zero when unused). */
export function statusCounts(graph: TaskGraph): Record<Task['status'], number> {
  const counts: Record<Task['status'], number> = {
    pending: 0,
    'in-progress': 0,
    completed: 0,
    failed: 0,
    blocked: 0,
  };
  for (const task of graph.tasks.values()) counts[task.status]++;
  return counts;
}
