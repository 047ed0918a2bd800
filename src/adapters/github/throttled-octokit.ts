/**
 * Probot's Octokit with a configurable pause between write requests. GitHub asks integrations to
 * pause about 1 s between content-creating requests (docs: "Best practices for using the REST API",
 * secondary rate limits), which is what @octokit/plugin-throttling does by default; a GitHub
 * Enterprise Server with rate limits off, or the local stand-in, can be driven faster.
 */
import Bottleneck from 'bottleneck';
import { ProbotOctokit } from 'probot';

/** GitHub's guidance: about one write per second. */
export const DEFAULT_WRITE_INTERVAL_MS = 1_000;

/**
 * An Octokit class whose write requests are at least `writeIntervalMs` apart (per process, one at a
 * time). @returns Probot's own class when the interval is the default.
 */
export function octokitWithWriteInterval(writeIntervalMs: number): typeof ProbotOctokit {
  if (writeIntervalMs === DEFAULT_WRITE_INTERVAL_MS) return ProbotOctokit;
  const write = new Bottleneck.Group({ id: 'octokit-write', maxConcurrent: 1, minTime: writeIntervalMs });
  class Throttled extends ProbotOctokit {
    constructor(...args: unknown[]) {
      const options = (args[0] ?? {}) as { throttle?: Record<string, unknown> };
      super({ ...options, throttle: { ...options.throttle, write } } as never);
    }
  }
  return Throttled as typeof ProbotOctokit;
}
