/**
 * Status edits the app owes the base branch, beyond the batch it merges:
 * - aggregates complete themselves: a task whose `level` is in `status.auto_complete_levels`
 *   (default `planning`) completes once every dependency is completed, cascading in generation order;
 * - nothing drifts: a task whose PR was merged (by the app or by a person) but whose file does not
 *   say `completed` gets `completed`, with the PR in its summary.
 */
import type { RepoConfig } from '../../config/repo-config.js';
import type { BranchIndex } from '../tasks/branch-names.js';
import type { Generations } from '../tasks/generations.js';
import type { TaskGraph } from '../tasks/graph.js';
import { taskOfPull } from './task-pulls.js';
import type { MergedPull, StatusEdit } from './types.js';

const SETTLED = new Set(['completed', 'blocked', 'failed']);

/**
 * Aggregates that complete once `assumeCompleted` (tasks about to complete) are counted as completed
 * (and `provisional` tasks are not).
 *
 * @returns edits in generation order; each depends only on completed tasks or earlier edits.
 */
export function autoCompletions(input: {
  graph: TaskGraph;
  generations: Generations;
  levels: RepoConfig['status']['auto_complete_levels'];
  paths: ReadonlyMap<string, string>;
  assumeCompleted?: ReadonlySet<string>;
  /** Tasks read as completed only because the open adoption PR says so: not counted until it merges. */
  provisional?: ReadonlySet<string>;
}): StatusEdit[] {
  const { graph, generations, paths } = input;
  const levels = new Set<string>(input.levels);
  const done = new Set(input.assumeCompleted ?? []);
  const provisional = input.provisional ?? new Set<string>();
  const completed = (id: string) =>
    done.has(id) || (graph.tasks.get(id)?.status === 'completed' && !provisional.has(id));
  const edits: StatusEdit[] = [];
  for (const generation of generations.generations) {
    for (const id of generation) {
      const task = graph.tasks.get(id);
      if (!task?.level || !levels.has(task.level) || SETTLED.has(task.status) || done.has(id)) continue;
      const deps = graph.dependencies.get(id) ?? [];
      if (!deps.every(completed)) continue;
      done.add(id);
      const path = paths.get(id);
      if (!path) continue;
      const summary = `Completed automatically: all ${deps.length} dependencies are completed.`;
      edits.push({
        taskId: id,
        path,
        status: 'completed',
        summary,
        reason: `${task.level} task whose dependencies are all completed`,
      });
    }
  }
  return edits;
}

/** Tasks whose PR was merged but whose file does not say completed, one edit per task. */
export function driftRepairs(input: {
  graph: TaskGraph;
  index: BranchIndex;
  merged: readonly MergedPull[];
  paths: ReadonlyMap<string, string>;
}): StatusEdit[] {
  const edits = new Map<string, StatusEdit>();
  for (const pull of input.merged) {
    const match = taskOfPull(pull, input.graph, input.index);
    if (match.kind !== 'task' || edits.has(match.taskId)) continue;
    const task = input.graph.tasks.get(match.taskId);
    const path = input.paths.get(match.taskId);
    if (!task || task.status === 'completed' || !path) continue;
    edits.set(match.taskId, {
      taskId: match.taskId,
      path,
      status: 'completed',
      summary: `Merged in #${pull.number}: ${pull.title} (${pull.url})`,
      reason: `PR #${pull.number} was merged but the task said ${task.status}`,
    });
  }
  return [...edits.values()];
}
