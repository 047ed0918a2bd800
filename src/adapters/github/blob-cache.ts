/**
 * Git objects are immutable, so a blob's text (and a commit's time) is cached by SHA: once read, an
 * unchanged task file never costs another request. Bounded (least recently used entries go first).
 */
import type { Octokit, RepoRef } from './octokit.js';

export class BlobCache {
  readonly #texts = new Map<string, string>();
  readonly #commitTimes = new Map<string, number>();
  readonly #derived = new Map<string, unknown>();
  readonly #maxEntries: number;
  /** Blob reads that went to GitHub (for tests and metrics). */
  misses = 0;

  /** @param maxEntries at most this many blobs are kept (default 20,000). */
  constructor(maxEntries = 20_000) {
    this.#maxEntries = maxEntries;
  }

  /**
   * The UTF-8 text of a blob, from the cache or `GET /repos/{o}/{r}/git/blobs/{sha}` (base64).
   * @throws the octokit error when the read fails.
   */
  async text(octokit: Octokit, repo: RepoRef, sha: string): Promise<string> {
    const cached = this.#texts.get(sha);
    if (cached !== undefined) {
      this.#texts.delete(sha);
      this.#texts.set(sha, cached);
      return cached;
    }
    this.misses++;
    const { data } = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
    const text = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    this.#texts.set(sha, text);
    if (this.#texts.size > this.#maxEntries) this.#texts.delete(this.#texts.keys().next().value as string);
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
    if (this.#commitTimes.size > this.#maxEntries)
      this.#commitTimes.delete(this.#commitTimes.keys().next().value as string);
    return at;
  }

  /**
   * Any other answer that never changes for its key (say, a PR's changed files at one head SHA:
   * GitHub lists them against the merge base, which only a new head can move). Failed loads are
   * not kept. @throws what `load` throws.
   */
  async immutable<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.#derived.has(key)) return this.#derived.get(key) as T;
    const value = await load();
    this.#derived.set(key, value);
    if (this.#derived.size > this.#maxEntries)
      this.#derived.delete(this.#derived.keys().next().value as string);
    return value;
  }
}
