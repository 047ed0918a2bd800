/**
 * The resync: GitHub never redelivers a lost webhook, so the app looks again by itself. The first
 * pass after boot marks every installed repository dirty (nothing is known yet; the scheduler's
 * concurrency limit keeps that from becoming a burst); later passes mark the repositories whose last
 * reconcile saw open task PRs or a batch (the active set, kept in the store so every replica sees
 * the same one).
 */
import type { ReplicaStore } from '../adapters/store/outbox-store.js';
import type { Target } from '../handlers/targets.js';

export interface ResyncOptions {
  readonly store: Pick<ReplicaStore, 'activeRepos'>;
  readonly poke: (target: Target) => Promise<void>;
  readonly installedRepos: () => Promise<Target[]>;
  readonly log: { info(obj: object, msg: string): void };
}

export class Resync {
  readonly #o: ResyncOptions;
  #seeded = false;

  constructor(options: ResyncOptions) {
    this.#o = options;
  }

  /** One pass. @returns how many repositories were marked. @throws what the GitHub reads throw. */
  async pass(): Promise<number> {
    const targets = this.#seeded
      ? (await this.#o.store.activeRepos()).map(({ repo, installationId }) => {
          const slash = repo.indexOf('/');
          return { owner: repo.slice(0, slash), repo: repo.slice(slash + 1), installationId };
        })
      : await this.#o.installedRepos();
    const first = !this.#seeded;
    this.#seeded = true;
    for (const target of targets) await this.#o.poke(target);
    this.#o.log.info({ repos: targets.length, first }, 'resync');
    return targets.length;
  }
}
