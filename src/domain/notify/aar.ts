/**
 * The after-action review posted when the graph completes, in the coordinator agent's four
 * sections (`reference/coordinator-agent-prompt.md`, "After-Action Reviews": What Went Right,
 * What Went Wrong, What Could Be Better, Action Items), filled from the repository's event journal:
 * wall time and the critical path as planned and as it happened, time per generation, conflicts,
 * failed runs, blocks, stalls, and the tasks that waited longest between ready and merged. Pure.
 */
import type { LoadedGraph } from '../tasks/load-graph.js';
import { type AfterAction, afterAction, formatDuration, type PastEvent } from './after-action.js';

export interface Review {
  readonly title: string;
  readonly right: readonly string[];
  readonly wrong: readonly string[];
  readonly better: readonly string[];
  readonly actions: readonly string[];
  readonly summary: AfterAction;
  /** Completion time of each generation after the one before, ms (index 0: generation 1). */
  readonly generationMs: readonly (number | null)[];
  /** Ready → merged per merged task, longest first. */
  readonly waits: readonly { readonly taskId: string; readonly ms: number }[];
}

/** Builds the review. `name` is the repository (`owner/repo`). */
export function afterActionReview(input: {
  name: string;
  history: readonly PastEvent[];
  loaded: LoadedGraph;
  nowMs: number;
}): Review {
  const { history, loaded, nowMs } = input;
  const summary = afterAction({ history, loaded, nowMs });
  const tasks = loaded.graph.ids.length;
  const start = history.length > 0 ? Math.min(...history.map((e) => e.atMs)) : nowMs;
  const byType = (type: string) => history.filter((e) => e.type === type);
  const tasksOf = (type: string) => [
    ...new Set(
      byType(type)
        .map((e) => e.taskId)
        .filter((t): t is string => !!t),
    ),
  ];

  // Generation i completes at its generation.completed event (journal keys hold the number only in
  // the key, which the journal keeps as the event's order): take them in time order.
  const completedAt = byType('generation.completed')
    .map((e) => e.atMs)
    .sort((a, b) => a - b);
  const generations = loaded.generations.generations.length;
  const generationMs: (number | null)[] = [];
  for (let i = 0; i < generations; i++) {
    const at = completedAt[i];
    generationMs.push(at === undefined ? null : at - (i === 0 ? start : (completedAt[i - 1] ?? start)));
  }

  const readyAt = new Map<string, number>();
  for (const e of byType('task.ready')) if (e.taskId && !readyAt.has(e.taskId)) readyAt.set(e.taskId, e.atMs);
  const waits = byType('task.merged')
    .filter((e) => e.taskId && readyAt.has(e.taskId))
    .map((e) => ({ taskId: e.taskId as string, ms: e.atMs - (readyAt.get(e.taskId as string) ?? e.atMs) }))
    .sort((a, b) => b.ms - a.ms || a.taskId.localeCompare(b.taskId));

  const conflicted = tasksOf('merge.conflict');
  const failed = tasksOf('merge.failed');
  const blocked = tasksOf('task.blocked');
  const stalled = tasksOf('task.stalled');
  const refused = tasksOf('merge.refused');
  const samePath = summary.actualPath.join() === summary.plannedPath.join();
  const timed = generationMs
    .map((ms, i) => ({ generation: i + 1, ms }))
    .filter((g): g is { generation: number; ms: number } => g.ms !== null);
  const slowest = [...timed].sort((a, b) => b.ms - a.ms)[0];
  const chain = (ids: readonly string[]) =>
    (ids.length <= 6 ? ids : [...ids.slice(0, 3), '…', ...ids.slice(-2)])
      .map((id) => (id === '…' ? id : `\`${id}\``))
      .join(' → ');
  const list = (ids: readonly string[]) =>
    ids.length <= 5
      ? ids.map((id) => `\`${id}\``).join(', ')
      : `${ids
          .slice(0, 5)
          .map((id) => `\`${id}\``)
          .join(', ')} and ${ids.length - 5} more`;

  const right: string[] = [
    `All ${tasks} tasks completed in ${formatDuration(summary.durationMs)}, ${summary.merges} of them through merged PRs.`,
  ];
  if (conflicted.length === 0) right.push('No merge conflicts.');
  if (failed.length === 0) right.push('Every merge result passed its checks the first time.');
  if (blocked.length === 0 && stalled.length === 0) right.push('No task was blocked or stalled.');
  if (samePath)
    right.push(`The finish followed the planned critical path (${summary.plannedPath.length} tasks).`);

  const wrong: string[] = [];
  if (conflicted.length > 0)
    wrong.push(`Merge conflicts on ${list(conflicted)} (${summary.conflicts} in all).`);
  if (failed.length > 0)
    wrong.push(`Checks failed on the merge result of ${list(failed)} (${summary.failedRuns} runs).`);
  if (refused.length > 0)
    wrong.push(`GitHub refused the merge of ${list(refused)} (a permission or a branch rule).`);
  if (blocked.length > 0) wrong.push(`Blocked: ${list(blocked)}.`);
  if (stalled.length > 0) wrong.push(`Stalled without activity: ${list(stalled)}.`);
  if (wrong.length === 0) wrong.push('Nothing went wrong that the journal recorded.');

  const better: string[] = [];
  if (!samePath)
    better.push(
      `The finish was set by ${chain(summary.actualPath)}; the planned critical path was ${chain(summary.plannedPath)}.`,
    );
  if (slowest && timed.length > 1)
    better.push(`Generation ${slowest.generation} took longest: ${formatDuration(slowest.ms)}.`);
  const longWaits = waits.slice(0, 3).filter((w) => w.ms > 0);
  if (longWaits.length > 0)
    better.push(
      `Longest from ready to merged: ${longWaits.map((w) => `\`${w.taskId}\` ${formatDuration(w.ms)}`).join(', ')}.`,
    );
  if (better.length === 0) better.push('Nothing stood out.');

  const actions: string[] = [];
  if (conflicted.length > 0)
    actions.push(
      `Give the tasks that conflicted (${list(conflicted)}) separate files, or a dependency between them.`,
    );
  if (failed.length > 0)
    actions.push(
      `Check the CI of ${list(failed)}: failures on the merge result are integration gaps or flaky tests.`,
    );
  if (stalled.length > 0) actions.push(`Find out why the agents of ${list(stalled)} went quiet.`);
  if (blocked.length > 0)
    actions.push(`Record what blocked ${list(blocked)} in the task files, so the next plan accounts for it.`);
  if (actions.length === 0) actions.push('None: keep the plan and the settings as they are.');

  return {
    title: `AAR: ${input.name} task graph`,
    right,
    wrong,
    better,
    actions,
    summary,
    generationMs,
    waits,
  };
}

/** The review as GitHub-flavoured Markdown, in the seed workflow's format. */
export function reviewMarkdown(review: Review): string {
  const bullets = (items: readonly string[]) => items.map((line) => `- ${line}`).join('\n');
  return [
    `# ${review.title}`,
    '',
    '## What Went Right',
    '',
    bullets(review.right),
    '',
    '## What Went Wrong',
    '',
    bullets(review.wrong),
    '',
    '## What Could Be Better',
    '',
    bullets(review.better),
    '',
    '## Action Items',
    '',
    review.actions.map((line, i) => `${i + 1}. ${line}`).join('\n'),
    '',
  ].join('\n');
}
