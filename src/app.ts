/**
 * The composition root: builds the adapters, the per-repo queue and the resync timer, and registers
 * the handlers. No decisions live here.
 */
import type { ApplicationFunction, Probot } from 'probot';
import { BlobCache } from './adapters/github/blob-cache.js';
import { classifyGitHubError, retryAfterMs } from './adapters/github/errors.js';
import type { Octokit } from './adapters/github/octokit.js';
import { reconcileRepo } from './coordinator/reconcile.js';
import { RepoQueue } from './coordinator/repo-queue.js';
import { registerHandlers, type Target } from './handlers/targets.js';

export interface CoordinatorOptions {
  readonly appId: number;
  readonly dryRun: boolean;
  /** Resync period, ms; 0 disables the timer (tests). */
  readonly resyncIntervalMs: number;
  readonly now?: () => number;
}

/** What a test or the server can hold on to. */
export interface CoordinatorHandle {
  /** Reconciles one repository now (coalesced with runs already queued). */
  readonly poke: (target: Target) => Promise<void>;
  /** Resolves when no reconcile is running. */
  readonly idle: () => Promise<void>;
  readonly stop: () => void;
}

/** Builds the Probot app function; `onReady` receives a handle for tests and shutdown. */
export function coordinatorApp(
  options: CoordinatorOptions,
  onReady?: (handle: CoordinatorHandle) => void,
): ApplicationFunction {
  return (app: Probot) => {
    const targets = new Map<string, Target>();
    const active = new Set<string>();
    const blobs = new BlobCache();
    const deps = {
      appId: options.appId,
      blobs,
      dryRun: options.dryRun,
      log: app.log,
      now: options.now ?? Date.now,
    };

    const queue: RepoQueue = new RepoQueue(
      async (key) => {
        const target = targets.get(key);
        if (!target) return;
        const octokit = (await app.auth(target.installationId)) as Octokit;
        const result = await reconcileRepo(deps, octokit, { owner: target.owner, repo: target.repo });
        app.log.info({ repo: key, action: result.plan?.action.kind ?? 'none' }, result.outcome);
        if (result.active) active.add(key);
        else active.delete(key);
        if (result.reconcileAgain) void queue.poke(key);
      },
      (key, error) => {
        const kind = classifyGitHubError(error);
        app.log.error({ repo: key, err: error, class: kind }, 'reconcile failed');
        if (kind === 'retry') setTimeout(() => void queue.poke(key), retryAfterMs(error, 5_000)).unref();
      },
    );

    const poke = (target: Target) => {
      const key = `${target.owner}/${target.repo}`;
      targets.set(key, target);
      return queue.poke(key);
    };
    registerHandlers(
      app,
      (target, reason) => {
        app.log.debug({ repo: `${target.owner}/${target.repo}`, ...reason }, 'poke');
        void poke(target);
      },
      options.appId,
    );

    const timer =
      options.resyncIntervalMs > 0
        ? setInterval(() => {
            for (const key of active) void queue.poke(key);
          }, options.resyncIntervalMs)
        : null;
    timer?.unref();
    onReady?.({ poke, idle: () => queue.idle(), stop: () => timer && clearInterval(timer) });
  };
}
