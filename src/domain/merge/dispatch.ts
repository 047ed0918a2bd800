/**
 * The `repository_dispatch` event a workflow can start an agent from (`agents.dispatch: true`):
 * one `task-ready` per task, when its `task.ready` is first announced. Source: GitHub REST docs,
 * "Create a repository dispatch event" (`POST /repos/{owner}/{repo}/dispatches`: `event_type` at
 * most 100 characters, `client_payload` at most 10 top-level properties; 204 on success).
 */
import { branchName } from '../tasks/branch-names.js';
import type { TaskGraph } from '../tasks/graph.js';

export const DISPATCH_EVENT = 'task-ready';

/** What the workflow receives as `github.event.client_payload`. */
export interface TaskReadyPayload {
  readonly task: string;
  /** The task file, relative to the repository root. */
  readonly file: string;
  /** The branch the task's agent works on (`<prefix><normalized id>`). */
  readonly branch: string;
  readonly level: string;
  readonly depends_on: readonly string[];
}

/** @returns the payload, or null for an id that is not in the graph. */
export function taskReadyPayload(
  graph: TaskGraph,
  taskPaths: ReadonlyMap<string, string>,
  taskId: string,
  prefix: string,
): TaskReadyPayload | null {
  const task = graph.tasks.get(taskId);
  if (!task) return null;
  return {
    task: taskId,
    file: taskPaths.get(taskId) ?? task.file,
    branch: branchName(taskId, prefix),
    level: task.level ?? 'implementation',
    depends_on: [...task.dependsOn],
  };
}
