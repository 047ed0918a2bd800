/**
 * The staging commit says what it holds, so the batch state lives in git, not in memory: after a
 * restart the app reads the staging head's message and knows what it was built on (the base head,
 * or the car below it in the train), the PRs (with their head SHAs) it contains, the
 * `coordinator/status` head it merged, and the status edits its status commit made. Trailers follow
 * git's `Key: value` convention. A batch may hold no PR: a status commit tested on staging.
 *
 *     Complete tasks server/handler, server/routes
 *
 *     Coordinator-Base: 4f2a...
 *     Coordinator-Pull: #12 9c1e... server/handler
 *     Coordinator-Pull: #14 03bd... server/routes
 *     Coordinator-Status: 77ab...
 *     Coordinator-Edit: server/handler completed
 *     Coordinator-Edit: server/routes completed
 *     Coordinator-Edit: server completed
 *
 * The commits of `coordinator/status` (status edits waiting for a staging run) list every edit
 * still waiting, so its head alone tells the planner what is pending:
 *
 *     Block task auth/key-loading
 *
 *     Coordinator-Edit: auth/key-loading blocked
 */
import { TASK_STATUSES, type TaskStatus } from '../tasks/types.js';
import type { BatchEntry, BatchRecord } from './types.js';

const BASE = /^Coordinator-Base: ([0-9a-f]{40})$/m;
const PULL = /^Coordinator-Pull: #(\d+) ([0-9a-f]{40}) (.+)$/gm;
const STATUS = /^Coordinator-Status: ([0-9a-f]{40})$/m;
const EDIT = /^Coordinator-Edit: (.+) ([a-z-]+)$/gm;

/** The message of a batch's status commit. */
export function batchCommitMessage(
  baseSha: string,
  entries: readonly BatchEntry[],
  statusSha: string | null = null,
  edits: readonly { taskId: string; status: TaskStatus }[] = [],
): string {
  const editIds = edits.map((e) => e.taskId);
  const subject =
    entries.length === 1
      ? `Complete task ${entries[0]?.taskId}`
      : entries.length > 1
        ? `Complete tasks ${entries.map((e) => e.taskId).join(', ')}`
        : `Update task status: ${editIds.join(', ') || 'pending edits'}`;
  const trailers = [
    `Coordinator-Base: ${baseSha}`,
    ...entries.map((e) => `Coordinator-Pull: #${e.number} ${e.headSha} ${e.taskId}`),
    ...(statusSha ? [`Coordinator-Status: ${statusSha}`] : []),
    ...edits.map((e) => `Coordinator-Edit: ${e.taskId} ${e.status}`),
  ];
  return `${subject}\n\n${trailers.join('\n')}\n`;
}

/** Reads a batch back from a commit message; null when it is not a batch commit. */
export function parseBatchCommit(message: string): BatchRecord | null {
  const base = BASE.exec(message);
  if (!base) return null;
  const entries = [...message.matchAll(PULL)].map((m) => ({
    number: Number(m[1]),
    headSha: m[2] as string,
    taskId: m[3] as string,
  }));
  const status = STATUS.exec(message)?.[1] ?? null;
  return entries.length > 0 || status || /^Update task status/.test(message)
    ? { baseSha: base[1] as string, entries, statusSha: status, edits: parseStatusEdits(message) }
    : null;
}

/** The merge commit message of one PR on staging. */
export function mergeCommitMessage(entry: Pick<BatchEntry, 'taskId' | 'number'>): string {
  return `Merge task ${entry.taskId} (#${entry.number})`;
}

/** A `coordinator/status` commit: its subject and every edit still waiting (later edits of a task win). */
export function statusBranchMessage(
  subject: string,
  edits: readonly { taskId: string; status: TaskStatus }[],
  note: string,
): string {
  const last = new Map(edits.map((e) => [e.taskId, e.status]));
  const trailers = [...last].map(([taskId, status]) => `Coordinator-Edit: ${taskId} ${status}`);
  return `${subject}\n\n${note}\n\n${trailers.join('\n')}\n`;
}

/** The edits a `coordinator/status` commit lists. */
export function parseStatusEdits(message: string): { taskId: string; status: TaskStatus }[] {
  return [...message.matchAll(EDIT)]
    .filter((m) => (TASK_STATUSES as readonly string[]).includes(m[2] as string))
    .map((m) => ({ taskId: m[1] as string, status: m[2] as TaskStatus }));
}
