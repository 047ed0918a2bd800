/**
 * Probot's Octokit with tunable politeness. GitHub asks integrations to pause about 1 s between
 * content-creating requests (docs: "Best practices for using the REST API", secondary rate limits),
 * which is what @octokit/plugin-throttling does by default, and @octokit/plugin-retry waits 1 s, 4 s,
 * 9 s before retrying a 5xx. A GitHub Enterprise Server without rate limits, or the local stand-in,
 * can be driven faster.
 */
import Bottleneck from 'bottleneck';
import { ProbotOctokit } from 'probot';

/** GitHub's guidance: about one write per second. */
export const DEFAULT_WRITE_INTERVAL_MS = 1_000;
/** @octokit/plugin-retry's base: retries wait base × 1, 4, 9. */
export const DEFAULT_RETRY_BASE_MS = 1_000;

/**
 * An Octokit class whose write requests are at least `writeIntervalMs` apart (per process, one at a
 * time) and whose retries of 5xx answers wait `retryBaseMs` × 1, 4, 9.
 * @returns Probot's own class when both are the defaults.
 */
export function tunedOctokit(options: {
  writeIntervalMs: number;
  retryBaseMs: number;
}): typeof ProbotOctokit {
  const { writeIntervalMs, retryBaseMs } = options;
  if (writeIntervalMs === DEFAULT_WRITE_INTERVAL_MS && retryBaseMs === DEFAULT_RETRY_BASE_MS)
    return ProbotOctokit;
  const write = new Bottleneck.Group({ id: 'octokit-write', maxConcurrent: 1, minTime: writeIntervalMs });
  class Tuned extends ProbotOctokit {
    constructor(...args: unknown[]) {
      const given = (args[0] ?? {}) as {
        throttle?: Record<string, unknown>;
        retry?: Record<string, unknown>;
      };
      super({
        ...given,
        throttle: { ...given.throttle, write },
        retry: { ...given.retry, retryAfterBaseValue: retryBaseMs },
      } as never);
    }
  }
  return Tuned as typeof ProbotOctokit;
}
