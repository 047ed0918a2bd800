/**
 * Probot's Octokit with tunable politeness, and retries of secondary rate limits. GitHub asks integrations to pause about 1 s between
 * content-creating requests (docs: "Best practices for using the REST API", secondary rate limits),
 * which is what @octokit/plugin-throttling does by default, and @octokit/plugin-retry waits 1 s, 4 s,
 * 9 s before retrying a 5xx. A GitHub Enterprise Server without rate limits, or the local stand-in,
 * can be driven faster.
 */
import Bottleneck from 'bottleneck';
import { ProbotOctokit } from 'probot';

/** GitHub's guidance: about one write per second. */
export const DEFAULT_WRITE_INTERVAL_MS = 1_000;
/**
 * @octokit/plugin-throttling's spacing of requests that notify people (comments, issues, PRs),
 * ms: GitHub limits content creation separately (docs: "Rate limits for the REST API", secondary
 * rate limits: at most 80 content-generating requests a minute).
 */
export const DEFAULT_NOTIFICATION_INTERVAL_MS = 3_000;
/** @octokit/plugin-retry's base: retries wait base × 1, 4, 9. */
export const DEFAULT_RETRY_BASE_MS = 1_000;

/** How many times one request is retried after a secondary rate limit (each after `retry-after`). */
export const SECONDARY_LIMIT_RETRIES = 2;

/**
 * An Octokit class whose write requests are at least `writeIntervalMs` apart (per process, one at a
 * time), whose requests that notify people (a comment, an issue, a PR) are at least
 * `notificationIntervalMs` apart (default: the plugin's 3 s), whose retries of 5xx answers wait
 * `retryBaseMs` × 1, 4, 9, and which retries a request
 * GitHub answered with a secondary rate limit (403/429 with `retry-after`) after waiting that long,
 * at most `SECONDARY_LIMIT_RETRIES` times: GitHub's guidance ("If the retry-after header is present,
 * wait that many seconds, then retry"; docs: "Rate limits for the REST API"). Probot's own handler
 * only logs and gives up, which fails the whole reconcile on any single hit.
 */
export function tunedOctokit(options: {
  writeIntervalMs: number;
  retryBaseMs: number;
  notificationIntervalMs?: number;
}): typeof ProbotOctokit {
  const { writeIntervalMs, retryBaseMs } = options;
  const notificationIntervalMs = options.notificationIntervalMs ?? DEFAULT_NOTIFICATION_INTERVAL_MS;
  const write =
    writeIntervalMs === DEFAULT_WRITE_INTERVAL_MS
      ? undefined
      : new Bottleneck.Group({ id: 'octokit-write', maxConcurrent: 1, minTime: writeIntervalMs });
  const notifications =
    notificationIntervalMs === DEFAULT_NOTIFICATION_INTERVAL_MS
      ? undefined
      : new Bottleneck.Group({
          id: 'octokit-notifications',
          maxConcurrent: 1,
          minTime: notificationIntervalMs,
        });
  class Tuned extends ProbotOctokit {
    constructor(...args: unknown[]) {
      const given = (args[0] ?? {}) as {
        throttle?: Record<string, unknown>;
        retry?: Record<string, unknown>;
        log?: { warn: (message: string) => void };
      };
      const onSecondaryRateLimit = (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        const again = retryCount < SECONDARY_LIMIT_RETRIES;
        given.log?.warn(
          `secondary rate limit on ${request.method} ${request.url}: ${again ? `retrying in ${retryAfter} s` : 'giving up'}`,
        );
        return again;
      };
      super({
        ...given,
        throttle: {
          ...given.throttle,
          ...(write ? { write } : {}),
          ...(notifications ? { notifications } : {}),
          onSecondaryRateLimit,
        },
        retry: { ...given.retry, retryAfterBaseValue: retryBaseMs },
      } as never);
    }
  }
  return Tuned as typeof ProbotOctokit;
}
