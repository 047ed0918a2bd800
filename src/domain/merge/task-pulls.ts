/**
 * Which task a PR belongs to: a body line `Task: <id>` wins; otherwise the head branch, looked up
 * through the graph's branch index (`<prefix><normalized id>`). PRs that match neither are not task
 * PRs and are left alone.
 */
import type { BranchIndex } from '../tasks/branch-names.js';
import type { TaskGraph } from '../tasks/graph.js';
import type { PullState } from './types.js';

export type PullTask =
  | { readonly kind: 'task'; readonly taskId: string }
  /** Claims to be a task PR, but the id is unknown or ambiguous: reported on the `Merge order` check. */
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'not-a-task' };

/** How much of a PR body is searched for a `Task:` line, in characters (GitHub allows 65,536). */
export const MAX_BODY_CHARS = 65_536;

/**
 * Reads the `Task: <id>` line of a PR body (first one wins; case-insensitive; the id may be in
 * backticks), or null. One pass over at most the first `MAX_BODY_CHARS` characters, whatever the body.
 */
export function taskLine(body: string): string | null {
  const text = body.length > MAX_BODY_CHARS ? body.slice(0, MAX_BODY_CHARS) : body;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const id = taskIdOfLine(text.slice(start, end));
    if (id) return id;
    start = end + 1;
  }
  return null;
}

function taskIdOfLine(raw: string): string | null {
  const line = raw.trim();
  if (line.length < 6 || line.slice(0, 5).toLowerCase() !== 'task:') return null;
  let id = line.slice(5).trim();
  if (id.startsWith('`')) id = id.slice(1);
  if (id.endsWith('`')) id = id.slice(0, -1);
  id = id.trim();
  return id === '' || id.includes('`') ? null : id;
}

/** Classifies a PR against the graph. */
export function taskOfPull(
  pull: Pick<PullState, 'body' | 'headRef'>,
  graph: TaskGraph,
  index: BranchIndex,
): PullTask {
  const claimed = taskLine(pull.body);
  if (claimed !== null) {
    return graph.tasks.has(claimed)
      ? { kind: 'task', taskId: claimed }
      : { kind: 'unknown', reason: `the PR body names task "${claimed}", but no task has that id` };
  }
  const match = index.lookup(pull.headRef);
  if (match.kind === 'task') return { kind: 'task', taskId: match.taskId };
  if (match.kind === 'ambiguous') {
    const ids = match.taskIds.map((id) => `"${id}"`).join(', ');
    return {
      kind: 'unknown',
      reason: `branch ${pull.headRef} matches several tasks (${ids}); add a line "Task: <id>" to the PR body`,
    };
  }
  return { kind: 'not-a-task' };
}

/**
 * Whether a branch has a task prefix but names no task (such PRs get a failing `Merge order` check
 * rather than silence, so a typo in a branch name is visible).
 */
export function hasTaskPrefix(headRef: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => headRef.startsWith(prefix) && headRef.length > prefix.length);
}
