/**
 * The staging commit says what it holds, so the batch state lives in git, not in memory: after a
 * restart the app reads the staging head's message and knows the base it was built on and the PRs
 * (with their head SHAs) it contains. Trailers follow git's `Key: value` convention.
 *
 *     Complete task server/handler
 *
 *     Coordinator-Base: 4f2a...
 *     Coordinator-Pull: #12 9c1e... server/handler
 */
import type { BatchEntry } from './types.js';

const BASE = /^Coordinator-Base: ([0-9a-f]{40})$/m;
const PULL = /^Coordinator-Pull: #(\d+) ([0-9a-f]{40}) (.+)$/gm;

/** The message of a batch's status commit. */
export function batchCommitMessage(baseSha: string, entries: readonly BatchEntry[]): string {
  const subject =
    entries.length === 1
      ? `Complete task ${entries[0]?.taskId}`
      : `Complete tasks ${entries.map((e) => e.taskId).join(', ')}`;
  const trailers = [
    `Coordinator-Base: ${baseSha}`,
    ...entries.map((e) => `Coordinator-Pull: #${e.number} ${e.headSha} ${e.taskId}`),
  ];
  return `${subject}\n\n${trailers.join('\n')}\n`;
}

/** Reads a batch back from a commit message; null when it is not a batch commit. */
export function parseBatchCommit(message: string): { baseSha: string; entries: BatchEntry[] } | null {
  const base = BASE.exec(message);
  if (!base) return null;
  const entries = [...message.matchAll(PULL)].map((m) => ({
    number: Number(m[1]),
    headSha: m[2] as string,
    taskId: m[3] as string,
  }));
  return entries.length > 0 ? { baseSha: base[1] as string, entries } : null;
}

/** The merge commit message of one PR on staging. */
export function mergeCommitMessage(entry: Pick<BatchEntry, 'taskId' | 'number'>): string {
  return `Merge task ${entry.taskId} (#${entry.number})`;
}
