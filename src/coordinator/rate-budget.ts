/**
 * A per-installation budget of GitHub requests: it reads `x-ratelimit-remaining` and
 * `x-ratelimit-reset` (epoch seconds) from every answer and, once an installation is down to its
 * reserve, defers that installation's reconciles until the window resets instead of running into
 * 403/429s. Source: GitHub docs, "Rate limits for the REST API" (installation tokens: 5,000 an
 * hour and up; the x-ratelimit-* headers; "wait until the time specified by x-ratelimit-reset").
 */
export class RateBudget {
  readonly #windows = new Map<string, { remaining: number; resetAtMs: number }>();

  /** @param reserve requests kept back for comment commands and the reconcile already running. */
  constructor(readonly reserve = 100) {}

  /** Notes one answer's headers (missing or malformed headers are ignored). */
  observe(installation: string, headers: Readonly<Record<string, string | number | undefined>>): void {
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = Number(headers['x-ratelimit-reset']);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    this.#windows.set(installation, { remaining, resetAtMs: reset * 1000 });
  }

  /** @returns when the installation may run again (ms since the epoch), or null when it may now. */
  pausedUntil(installation: string, nowMs: number): number | null {
    const window = this.#windows.get(installation);
    if (!window || window.resetAtMs <= nowMs || window.remaining > this.reserve) return null;
    return window.resetAtMs;
  }
}
