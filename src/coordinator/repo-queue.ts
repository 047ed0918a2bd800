/**
 * One writer per repository: a serial queue per repo that coalesces pokes. A poke while the repo is
 * idle starts a run; pokes while it runs collapse into one more run afterwards (the run reads fresh
 * state, so one is enough). Different repos run concurrently.
 */

export type RepoJob = (key: string) => Promise<void>;

export class RepoQueue {
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #job: RepoJob;
  readonly #onError: (key: string, error: unknown) => void;

  /**
   * @param job the reconcile of one repo; its errors go to `onError` and never stop the queue.
   */
  constructor(job: RepoJob, onError: (key: string, error: unknown) => void) {
    this.#job = job;
    this.#onError = onError;
  }

  #closed = false;

  /** Repositories with a run going or asked for (the queue's depth, for metrics). */
  get depth(): number {
    return this.#running.size;
  }

  /**
   * Stops starting runs (graceful shutdown): pokes are ignored from now on, and a running repo is
   * not run again after its current run. @returns when the running runs have finished.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#again.clear();
    await this.idle();
  }

  /** Asks for a run of `key` (for example `owner/repo`). Returns the promise of the current run. */
  poke(key: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const running = this.#running.get(key);
    if (running) {
      this.#again.add(key);
      return running;
    }
    const run = this.#loop(key).finally(() => this.#running.delete(key));
    this.#running.set(key, run);
    return run;
  }

  /** Resolves when every repo is idle (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  async #loop(key: string): Promise<void> {
    do {
      this.#again.delete(key);
      try {
        await this.#job(key);
      } catch (error) {
        this.#onError(key, error);
      }
    } while (this.#again.has(key) && !this.#closed);
  }
}
