/**
 * Everything that follows a merge, derived from what GitHub shows rather than remembered, so that a
 * crash at any point, or a failed write, only delays it (the next reconcile derives it again, and
 * every event is announced once by its key):
 *
 * - a PR of a promoted batch (its batch's trailers are in the base's recent history) whose
 *   `Merge queue` run is not "Merged" gets it, and its `Merge order` run, if still in progress, is
 *   completed as "Merged";
 * - a merged task PR (GitHub marked it merged) whose branch still points at the merged head has the
 *   branch deleted (`merge.delete_branch`; never a fork's branch);
 * - events: `task.merged` per merged task PR, `task.ready` per task that is ready now (each task
 *   once), `generation.completed` per completed generation, `graph.completed` once the whole graph
 *   is completed;
 * - a head whose `Merge queue` run records a failure: its event (`merge.conflict`, `merge.failed`,
 *   `merge.refused`), and the one comment if the record says it was not written yet.
 */
import type { BranchIndex } from '../tasks/branch-names.js';
import { readyTasks } from '../tasks/readiness.js';
import { event } from './events.js';
import { formatQueueRecord, recordOf } from './queue-record.js';
import { failureComment, failureEventType } from './reports.js';
import { taskOfPull } from './task-pulls.js';
import {
  CHECK_NAMES,
  type CoordinatorEvent,
  type DesiredCheckRun,
  type OwedComment,
  type RepoSnapshot,
} from './types.js';

export interface FollowUp {
  readonly checkRuns: DesiredCheckRun[];
  readonly deleteBranches: { name: string; sha: string }[];
  readonly comments: OwedComment[];
  readonly events: CoordinatorEvent[];
}

/** Derives the follow-up of one snapshot. Pure. */
export function followUp(snapshot: RepoSnapshot, index: BranchIndex): FollowUp {
  const { graph, generations } = snapshot.loaded;
  const out: FollowUp = { checkRuns: [], deleteBranches: [], comments: [], events: [] };

  for (const { entry, commitSha, queueRun, orderRun } of snapshot.promoted ?? []) {
    const merged = (name: string, title: string, existingId: number | null): DesiredCheckRun => ({
      name,
      headSha: entry.headSha,
      status: 'completed',
      conclusion: 'success',
      title,
      summary: `Merged into \`${snapshot.baseBranch}\` with the batch of ${commitSha.slice(0, 7)}.`,
      annotations: [],
      existingId,
    });
    // A `Merge order` run left waiting (its ready verdict was written after the promotion, which
    // a merged PR never gets) would spin on a merged PR forever.
    if (orderRun && orderRun.status !== 'completed')
      out.checkRuns.push(merged(CHECK_NAMES.order, 'Merged', orderRun.id));
    if (queueRun?.status === 'completed' && queueRun.conclusion === 'success') continue;
    const title = queueRun?.title.startsWith('Merged') ? queueRun.title : 'Merged';
    out.checkRuns.push(merged(CHECK_NAMES.queue, title, queueRun?.id ?? null));
  }

  const branches = new Map(snapshot.taskBranches.map((b) => [b.name, b.sha]));

  for (const pull of snapshot.recentlyMerged) {
    const task = taskOfPull(pull, graph, index);
    if (task.kind !== 'task') continue;
    const sha = pull.headSha ?? '';
    out.events.push(
      event('task.merged', {
        key: `task.merged:${task.taskId}:${sha}`,
        taskId: task.taskId,
        pull: pull.number,
        message: `${task.taskId} merged (#${pull.number})`,
      }),
    );
    if (snapshot.config.merge.delete_branch && !pull.fromFork && sha && branches.get(pull.headRef) === sha)
      out.deleteBranches.push({ name: pull.headRef, sha });
  }

  if (snapshot.loaded.errors.length === 0) {
    for (const id of readyTasks(graph))
      out.events.push(
        event('task.ready', {
          key: `task.ready:${id}`,
          taskId: id,
          message: `${id} is ready: every dependency is completed`,
        }),
      );
    const completed = (id: string) => graph.tasks.get(id)?.status === 'completed';
    generations.generations.forEach((ids, i) => {
      if (ids.length > 0 && ids.every(completed))
        out.events.push(
          event('generation.completed', {
            key: `generation.completed:${i + 1}`,
            message: `generation ${i + 1} is completed`,
          }),
        );
    });
    if (graph.ids.length > 0 && graph.ids.every(completed))
      out.events.push(
        event('graph.completed', {
          key: `graph.completed:${snapshot.owner}/${snapshot.repo}:${graph.ids.length}`,
          message: `all ${graph.ids.length} tasks are completed`,
        }),
      );
  }

  for (const pull of snapshot.pulls) {
    const run = pull.ownChecks[CHECK_NAMES.queue];
    if (!run || run.headSha !== pull.headSha || run.conclusion !== 'failure') continue;
    const record = recordOf(pull);
    if (record.blockedByRules || !record.failure) continue;
    const task = taskOfPull(pull, graph, index);
    const taskId = task.kind === 'task' ? task.taskId : '';
    const type = failureEventType(record.failure);
    out.events.push(
      event(type, {
        key:
          type === 'merge.failed'
            ? `merge.failed:${pull.number}:${pull.headSha}`
            : `${type}:#${pull.number}:${pull.headSha}`,
        taskId: taskId || null,
        pull: pull.number,
        message: `#${pull.number}${taskId ? ` (${taskId})` : ''}: ${run.title}`,
      }),
    );
    if (!record.commented)
      out.comments.push({
        pull: pull.number,
        headSha: pull.headSha,
        body: failureComment({ number: pull.number, headSha: pull.headSha, taskId }, run.title, run.summary),
        runId: run.id,
        externalId: formatQueueRecord({ ...record, commented: true }),
      });
  }
  return out;
}
