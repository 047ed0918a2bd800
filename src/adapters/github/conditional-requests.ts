/**
 * Conditional GET requests: GitHub answers `304 Not Modified` to a request whose `If-None-Match`
 * names the current ETag, and a 304 does not count against the rate limit (docs: "Best practices
 * for using the REST API", conditional requests). Every reconcile re-reads the same check runs,
 * statuses and PR lists, so most of those reads become free. The last 200 answer of each URL is
 * kept (bounded, least recently used first) and handed back on a 304.
 */
import type { Octokit } from './octokit.js';

interface Entry {
  readonly etag: string;
  readonly response: unknown;
}

export class ConditionalCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  /** Answers served from the cache after a 304 (for metrics and tests). */
  hits = 0;

  /** @param maxEntries at most this many URLs are remembered (default 5,000). */
  constructor(maxEntries = 5_000) {
    this.#maxEntries = maxEntries;
  }

  get(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries)
      this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

/**
 * Makes `octokit`'s GET requests conditional through `cache` (shared by every installation's
 * client: URLs are repository-scoped). Other methods pass through untouched.
 * @returns the same octokit, for chaining.
 */
export function withConditionalRequests(octokit: Octokit, cache: ConditionalCache): Octokit {
  octokit.hook.wrap('request', async (request, options) => {
    if (String(options.method).toUpperCase() !== 'GET') return request(options);
    const { url } = octokit.request.endpoint.parse(options as never);
    const known = cache.get(url);
    if (known) options.headers = { ...options.headers, 'if-none-match': known.etag };
    try {
      const response = await request(options);
      const etag = (response.headers as Record<string, string | undefined>).etag;
      // A copy: octokit.paginate rewrites `response.data` in place after this returns.
      if (etag) cache.set(url, { etag, response: structuredClone(response) });
      return response;
    } catch (error) {
      if (known && (error as { status?: number }).status === 304) {
        cache.hits++;
        return structuredClone(known.response) as Awaited<ReturnType<typeof request>>;
      }
      throw error;
    }
  });
  return octokit;
}
