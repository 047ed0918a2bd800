/**
 * Agents often only push a branch. A branch on a task prefix that names a task, has commits beyond the
 * base head, and has no open PR (and no merged one) gets a draft PR: title from the task `name`, body
 * with a `Task: <id>` line and a link to the task file. Completed, blocked and failed tasks get none.
 * The branch's head commit must be at least `pull_requests.draft_after` old: an agent that pushes
 * and then opens its own PR is not raced (and a losing `POST /pulls` costs a throttled write).
 */
import type { BranchIndex } from '../tasks/branch-names.js';
import type { DraftPull, RepoSnapshot } from './types.js';

/** Draft PRs to open (empty when `pull_requests.open_draft` is off). */
export function draftPulls(snapshot: RepoSnapshot, index: BranchIndex): DraftPull[] {
  if (!snapshot.config.pull_requests.open_draft) return [];
  const withPull = new Set([...snapshot.pulls, ...snapshot.recentlyMerged].map((p) => p.headRef));
  const out: DraftPull[] = [];
  for (const branch of snapshot.taskBranches) {
    if (withPull.has(branch.name) || branch.sha === snapshot.baseSha) continue;
    const age =
      branch.committedAtMs === null ? Number.POSITIVE_INFINITY : snapshot.nowMs - branch.committedAtMs;
    if (age < snapshot.config.pull_requests.draft_after) continue;
    const match = index.lookup(branch.name);
    if (match.kind !== 'task') continue;
    const task = snapshot.loaded.graph.tasks.get(match.taskId);
    if (!task || task.status === 'completed' || task.status === 'blocked' || task.status === 'failed')
      continue;
    const link = `${snapshot.repoUrl}/blob/${snapshot.baseBranch}/${task.file}`;
    const body = [
      `Task: ${task.id}`,
      '',
      `Task file: [\`${task.file}\`](${link})`,
      '',
      'Opened as a draft by Taskgraph Coordinator because this task branch was pushed without a PR.',
      'Mark it ready for review when the work is complete; it merges once its dependencies have.',
    ].join('\n');
    out.push({ branch: branch.name, taskId: task.id, title: task.name, body });
  }
  return out;
}
