/**
 * Git objects are immutable, so a blob's text (and a commit's time) is cached by SHA: once read, an
 * unchanged task file never costs another request. Bounded in bytes (lru-cache: least recently used
 * entries go first; an entry bigger than the whole bound is not kept).
 */
import { LRUCache } from 'lru-cache';
import { jsonBytes, MIB, textBytes } from '../cache/sizes.js';
import type { Octokit, RepoRef } from './octokit.js';

export interface BlobCacheLimits {
  /** Blob texts kept, bytes of UTF-8 (default 64 MiB). */
  readonly textBytes?: number;
  /** Other immutable answers kept, bytes of their JSON (default 32 MiB). */
  readonly derivedBytes?: number;
  /** Commit times kept, entries (default 50,000; each is a number). */
  readonly commitTimes?: number;
}

export class BlobCache {
  readonly #texts: LRUCache<string, string>;
  readonly #commitTimes: LRUCache<string, number>;
  readonly #derived: LRUCache<string, { value: unknown }>;
  /** Blob reads that went to GitHub (for tests and metrics). */
  misses = 0;

  constructor(limits: BlobCacheLimits = {}) {
    this.#texts = new LRUCache({ maxSize: limits.textBytes ?? 64 * MIB, sizeCalculation: textBytes });
    this.#commitTimes = new LRUCache({ max: limits.commitTimes ?? 50_000 });
    this.#derived = new LRUCache({
      maxSize: limits.derivedBytes ?? 32 * MIB,
      sizeCalculation: (entry) => jsonBytes(entry.value),
    });
  }

  /** Bytes held now, per kind (for tests and metrics). */
  get bytes(): { texts: number; derived: number } {
    return { texts: this.#texts.calculatedSize, derived: this.#derived.calculatedSize };
  }

  /**
   * The UTF-8 text of a blob, from the cache or `GET /repos/{o}/{r}/git/blobs/{sha}` (base64).
   * @throws the octokit error when the read fails.
   */
  async text(octokit: Octokit, repo: RepoRef, sha: string): Promise<string> {
    const cached = this.#texts.get(sha);
    if (cached !== undefined) return cached;
    this.misses++;
    const { data } = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
    const text = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    this.#texts.set(sha, text);
    return text;
  }

  /**
   * When a commit was committed, ms since the epoch (`GET /repos/{o}/{r}/git/commits/{sha}`,
   * `committer.date`), cached by SHA. @throws the octokit error when the read fails.
   */
  async commitTimeMs(octokit: Octokit, repo: RepoRef, sha: string): Promise<number> {
    const cached = this.#commitTimes.get(sha);
    if (cached !== undefined) return cached;
    const { data } = await octokit.rest.git.getCommit({ ...repo, commit_sha: sha });
    const at = Date.parse(data.committer.date);
    this.#commitTimes.set(sha, at);
    return at;
  }

  /**
   * Any other answer that never changes for its key (say, a PR's changed files at one head SHA:
   * GitHub lists them against the merge base, which only a new head can move). Failed loads are
   * not kept. @throws what `load` throws.
   */
  async immutable<T>(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.#derived.get(key);
    if (cached) return cached.value as T;
    const value = await load();
    this.#derived.set(key, { value });
    return value;
  }
}
