/**
 * Retry delays for reconciles that failed on a transient GitHub error: exponential with full jitter
 * (AWS architecture blog, "Exponential Backoff And Jitter"), never shorter than GitHub's own
 * `retry-after`, capped at 10 minutes.
 */

export const BACKOFF = { baseMs: 2_000, capMs: 600_000 } as const;

/**
 * @param attempt 1 for the first retry
 * @param random a number in [0, 1) (injected so tests are exact)
 * @param atLeastMs GitHub's `retry-after` in ms, when it sent one
 * @returns the delay in ms
 */
export function backoffMs(attempt: number, random: number, atLeastMs = 0): number {
  const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(atLeastMs, Math.round(ceiling * random));
}
