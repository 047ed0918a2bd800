/**
 * The `Merge order` check of a task PR: the required check that keeps a PR from merging before its
 * dependencies are completed on the base branch, and that refuses PRs which edit task status.
 *
 * Rules, first match wins:
 * 1. the task id is unknown or ambiguous -> failure, with how to fix it;
 * 2. the PR changes the `status:` of any task file -> failure (status belongs to the app);
 * 3. the task is blocked or failed on the base branch, or a block waits on `coordinator/status`
 *    -> failure;
 * 4. the PR comes from a fork and no maintainer took in this head -> failure, saying that
 *    `/coordinator merge` takes it in (trust gate: fork code never reaches `coordinator/staging`,
 *    where push-triggered CI runs with the repository's secrets);
 * 5. some dependency is not completed -> in progress, "Waiting for N dependencies: a, b";
 * 6. the required reviews are not met on the head -> in progress, with what is missing;
 * 7. otherwise -> success, "Ready".
 */
import type { ReviewVerdict } from '../rules/review-gate.js';
import type { TaskGraph } from '../tasks/graph.js';
import { blockedBy } from '../tasks/readiness.js';
import type { TaskStatus } from '../tasks/types.js';
import type { PullTask } from './task-pulls.js';
import type { PullState } from './types.js';

export type OrderVerdict =
  | { readonly state: 'ready'; readonly title: string; readonly summary: string }
  | {
      readonly state: 'waiting';
      readonly title: string;
      readonly summary: string;
      readonly waitingFor: readonly string[];
    }
  | { readonly state: 'refused'; readonly title: string; readonly summary: string };

/** Decides the `Merge order` check of one PR (see the module rules). */
export function mergeOrder(input: {
  pull: Pick<PullState, 'taskFileChanges'>;
  task: PullTask;
  graph: TaskGraph;
  baseBranch: string;
  /** A PR from a fork, and who took in its head (null: nobody). */
  trust?: { readonly fromFork: boolean; readonly trustedBy: string | null };
  /** The review gate of the head; null when no reviews are required. */
  reviews?: ReviewVerdict | null;
  /** Statuses waiting on `coordinator/status`, by task id. */
  pending?: ReadonlyMap<string, TaskStatus>;
}): OrderVerdict {
  const { pull, task, graph, baseBranch } = input;
  if (task.kind === 'unknown')
    return { state: 'refused', title: 'Unknown task', summary: `${capitalize(task.reason)}.` };
  if (task.kind === 'not-a-task')
    return { state: 'refused', title: 'Not a task PR', summary: 'This PR is not a task PR.' };

  const edits = pull.taskFileChanges.filter((change) => change.baseStatus !== change.headStatus);
  if (edits.length > 0) {
    const list = edits
      .map((e) => `- \`${e.path}\`: \`${e.baseStatus ?? '(none)'}\` -> \`${e.headStatus ?? '(none)'}\``)
      .join('\n');
    return {
      state: 'refused',
      title: `Changes task status (${edits.length} file${edits.length === 1 ? '' : 's'})`,
      summary: `Task status belongs to the coordinator, which writes it on \`${baseBranch}\` when the task merges. Revert the \`status:\` line in:\n\n${list}`,
    };
  }

  const current = graph.tasks.get(task.taskId);
  const pending = input.pending?.get(task.taskId);
  if (pending === 'blocked' || pending === 'failed') {
    return {
      state: 'refused',
      title: `Task is being marked ${pending}`,
      summary: `A \`${pending}\` status for \`${task.taskId}\` waits on \`coordinator/status\` and reaches \`${baseBranch}\` with the next staging run. \`/coordinator unblock\` lifts it.`,
    };
  }
  if ((current?.status === 'blocked' || current?.status === 'failed') && pending !== 'pending') {
    return {
      state: 'refused',
      title: `Task is ${current.status}`,
      summary: `Task \`${task.taskId}\` is \`${current.status}\` on \`${baseBranch}\`. Resolve it there (or \`/coordinator unblock\`) before this PR can merge.`,
    };
  }
  if (input.trust?.fromFork && input.trust.trustedBy === null) {
    return {
      state: 'refused',
      title: 'From a fork: needs a maintainer to take it in',
      summary:
        "This PR comes from a fork, so the coordinator does not merge it on its own: its code would run in CI on `coordinator/staging` with this repository's secrets. A maintainer who has read the change can take in **this head** with a comment `/coordinator merge`; a new push needs the command again.",
    };
  }

  const waitingFor = blockedBy(graph, task.taskId);
  if (waitingFor.length > 0) {
    const noun = waitingFor.length === 1 ? 'dependency' : 'dependencies';
    return {
      state: 'waiting',
      title: `Waiting for ${waitingFor.length} ${noun}: ${waitingFor.join(', ')}`,
      summary: `Task \`${task.taskId}\` can merge once these are \`completed\` on \`${baseBranch}\`:\n\n${waitingFor.map((d) => `- \`${d}\``).join('\n')}`,
      waitingFor,
    };
  }
  if (input.reviews && !input.reviews.met) {
    return {
      state: 'waiting',
      title: `Waiting for reviews: ${input.reviews.missing}`,
      summary: `Every dependency of \`${task.taskId}\` is completed on \`${baseBranch}\`, but the branch rules require reviews: ${input.reviews.missing}.`,
      waitingFor: [],
    };
  }
  const trusted = input.trust?.fromFork
    ? ` Taken in from a fork by @${input.trust.trustedBy} for this head.`
    : '';
  return {
    state: 'ready',
    title: 'Ready',
    summary: `Every dependency of \`${task.taskId}\` is completed on \`${baseBranch}\`.${trusted}`,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
