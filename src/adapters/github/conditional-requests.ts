/**
 * Conditional GET requests: GitHub answers `304 Not Modified` to a request whose `If-None-Match`
 * names the current ETag, and a 304 does not count against the rate limit (docs: "Best practices
 * for using the REST API", conditional requests). Every reconcile re-reads the same check runs,
 * statuses and PR lists, so most of those reads become free. The last 200 answer of each URL is
 * kept (bounded in bytes, least recently used first; lru-cache) and handed back on a 304.
 */
import { LRUCache } from 'lru-cache';
import { jsonBytes, MIB, textBytes } from '../cache/sizes.js';
import type { Octokit } from './octokit.js';

interface Entry {
  readonly etag: string;
  readonly response: unknown;
}

export class ConditionalCache {
  readonly #entries: LRUCache<string, Entry>;
  /** Answers served from the cache after a 304 (for metrics and tests). */
  hits = 0;

  /**
   * @param maxBytes bodies kept, bytes of their JSON (default 64 MiB); an answer bigger than the
   *   whole bound is not kept (its next read is a plain, counted GET).
   */
  constructor(maxBytes = 64 * MIB) {
    this.#entries = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => textBytes(key) + textBytes(entry.etag) + jsonBytes(entry.response),
    });
  }

  /** Bytes held now (for tests and metrics). */
  get bytes(): number {
    return this.#entries.calculatedSize;
  }

  get(key: string): Entry | undefined {
    return this.#entries.get(key);
  }

  set(key: string, entry: Entry): void {
    this.#entries.set(key, entry);
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
