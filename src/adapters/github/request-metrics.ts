import type { Metrics } from '../metrics/metrics.js';
import type { Octokit } from './octokit.js';

/**
 * Counts every answer `octokit` gets (method, status, and the installation's
 * `x-ratelimit-remaining`) into `metrics`. Install it before `withConditionalRequests`, so a 304
 * is counted as the 304 GitHub sent (free: "Best practices for using the REST API") and not as the
 * cached 200 the app then reads. Answers are counted after the retry plugin's retries.
 * @returns the same octokit, for chaining.
 */
export function withRequestMetrics(octokit: Octokit, metrics: Metrics, installation: string): Octokit {
  octokit.hook.after('request', (response, options) => {
    const headers = response.headers as Record<string, string | undefined>;
    metrics.githubRequest(
      String(options.method),
      response.status,
      installation,
      headers['x-ratelimit-remaining'],
    );
  });
  octokit.hook.error('request', (error, options) => {
    const failed = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
    metrics.githubRequest(
      String(options.method),
      failed.status ?? 0,
      installation,
      failed.response?.headers?.['x-ratelimit-remaining'],
    );
    throw error;
  });
  return octokit;
}
