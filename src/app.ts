/**
 * The composition root: builds the adapters, the per-repo queue and the resync timer, and registers
 * the handlers. No decisions live here.
 */
import { LRUCache } from 'lru-cache';
import type { ApplicationFunction, Probot } from 'probot';
import { BlobCache } from './adapters/github/blob-cache.js';
import { ConditionalCache, withConditionalRequests } from './adapters/github/conditional-requests.js';
import { classifyGitHubError, retryAfterMs } from './adapters/github/errors.js';
import type { Octokit } from './adapters/github/octokit.js';
import { PermissionCache } from './adapters/github/permissions.js';
import { withRequestMetrics } from './adapters/github/request-metrics.js';
import type { Metrics } from './adapters/metrics/metrics.js';
import type { OutboxStore } from './adapters/store/outbox-store.js';
import type { ChannelDirectory } from './adapters/teams/channels-file.js';
import { type PostMessage, workflowPoster } from './adapters/teams/post-workflow.js';
import { backoffMs } from './coordinator/backoff.js';
import { runComment } from './coordinator/commands/run-comment.js';
import { OutboxDeliverer } from './coordinator/deliver-outbox.js';
import { Notifier } from './coordinator/notifier.js';
import { reconcileRepo } from './coordinator/reconcile.js';
import { RepoQueue } from './coordinator/repo-queue.js';
import { rerequestedRun } from './coordinator/retry-head.js';
import { DEFAULT_SLUG } from './domain/merge/plan.js';

import { type NewComment, type Rerequest, registerHandlers, type Target } from './handlers/targets.js';

export interface CoordinatorOptions {
  readonly appId: number;
  readonly dryRun: boolean;
  /** Resync period, ms; 0 disables the timer (tests). */
  readonly resyncIntervalMs: number;
  readonly now?: () => number;
  /** Prometheus metrics (the server serves them at `/metrics`); without it nothing is counted. */
  readonly metrics?: Metrics;
  /** Teams alerts; without it events are only logged. */
  readonly notifications?: {
    readonly store: OutboxStore;
    readonly channels: ChannelDirectory;
    /** Defaults to the real Workflows poster. */
    readonly post?: PostMessage;
    /** Outbox delivery period, ms (default 1 s); 0 disables the timer (tests call `deliver`). */
    readonly deliverEveryMs?: number;
    /** Oldest a failing notification may get before it is dead-lettered, ms (default 24 h). */
    readonly maxAgeMs?: number;
  };
}

/** What a test or the server can hold on to. */
export interface CoordinatorHandle {
  /** Reconciles one repository now (coalesced with runs already queued). */
  readonly poke: (target: Target) => Promise<void>;
  /** One resync pass (the timer runs it every `resyncIntervalMs`). */
  readonly resync: () => Promise<void>;
  /** Resolves when no reconcile and no comment command is running. */
  readonly idle: () => Promise<void>;
  /** One outbox delivery pass; resolves to the number of posts accepted (0 without Teams). */
  readonly deliver: () => Promise<number>;
  /** Repositories with a reconcile running or asked for. */
  readonly queueDepth: () => number;
  /** Stops the timers (resync, outbox). */
  readonly stop: () => void;
  /**
   * Graceful shutdown: stops the timers, starts no new reconcile (queued pokes are dropped: the
   * first resync after the next boot reconciles every repository) and resolves when the running
   * reconcile, comment commands and outbox pass have finished.
   */
  readonly drain: () => Promise<void>;
}

/** Builds the Probot app function; `onReady` receives a handle for tests and shutdown. */
export function coordinatorApp(
  options: CoordinatorOptions,
  onReady?: (handle: CoordinatorHandle) => void,
): ApplicationFunction {
  return (app: Probot) => {
    const targets = new Map<string, Target>();
    const active = new Set<string>();
    /** Consecutive failed reconciles per repo (for the backoff) and the delivery that last poked it. */
    const failures = new Map<string, number>();
    const lastDelivery = new Map<string, string>();
    const blobs = new BlobCache();
    /** Last answers by URL: repeated reads become 304s, which GitHub does not count. */
    const etags = new ConditionalCache();
    const now = options.now ?? Date.now;
    const teams = options.notifications;
    const notifier = teams
      ? new Notifier({ store: teams.store, channels: teams.channels, now, log: app.log })
      : null;
    const deliverer = teams
      ? new OutboxDeliverer({
          store: teams.store,
          channels: (owner) => teams.channels.channelsFor(owner),
          post: teams.post ?? workflowPoster(),
          now,
          random: Math.random,
          onError: (message) => app.log.warn(message),
          onDead: () => options.metrics?.outboxDead(),
          ...(teams.maxAgeMs === undefined ? {} : { maxAgeMs: teams.maxAgeMs }),
        })
      : null;
    const permissions = new PermissionCache({ now });
    const login = selfLogin(app);
    const appSlug = async () => (await login())?.replace(/\[bot\]$/, '') ?? DEFAULT_SLUG;
    // Merged heads known to be done: never read again; the oldest are forgotten beyond 10,000.
    const done = new LRUCache<string, true>({ max: 10_000 });
    const settled = { has: (key: string) => done.has(key), add: (key: string) => void done.set(key, true) };
    const deps = {
      appId: options.appId,
      appSlug,
      settled,
      blobs,
      permissions,
      dryRun: options.dryRun,
      log: app.log,
      now,
      notifier,
    };

    /** An installation's client: answers counted (before the ETag cache turns 304s into 200s), reads conditional. */
    const client = async (installationId: number): Promise<Octokit> => {
      const octokit = (await app.auth(installationId)) as Octokit;
      if (options.metrics) withRequestMetrics(octokit, options.metrics, String(installationId));
      return withConditionalRequests(octokit, etags);
    };

    const queue: RepoQueue = new RepoQueue(
      async (key) => {
        const target = targets.get(key);
        if (!target) return;
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        let result: Awaited<ReturnType<typeof reconcileRepo>>;
        try {
          const octokit = await client(target.installationId);
          result = await reconcileRepo(deps, octokit, { owner: target.owner, repo: target.repo });
        } catch (error) {
          options.metrics?.reconcile({ outcome: 'error', seconds: seconds() });
          throw error;
        }
        const action = result.plan?.action;
        options.metrics?.reconcile({
          outcome: result.sideEffectsFailed ? 'partial' : 'ok',
          seconds: seconds(),
          action:
            action && result.actionTookEffect
              ? { kind: action.kind, pulls: 'entries' in action ? action.entries.length : 1 }
              : undefined,
        });
        app.log.info({ repo: key, action: result.plan?.action.kind ?? 'none' }, result.outcome);
        if (result.active) active.add(key);
        else active.delete(key);
        if (result.reconcileAgain) void queue.poke(key);
        if (!result.sideEffectsFailed) failures.delete(key);
        else if (!result.reconcileAgain) {
          // A check, comment or branch deletion failed: derive and try it again after a backoff.
          const attempt = (failures.get(key) ?? 0) + 1;
          failures.set(key, attempt);
          setTimeout(() => void queue.poke(key), backoffMs(attempt, Math.random(), 0)).unref();
        }
      },
      (key, error) => {
        const kind = classifyGitHubError(error);
        const attempt = (failures.get(key) ?? 0) + 1;
        failures.set(key, attempt);
        const delayMs = kind === 'retry' ? backoffMs(attempt, Math.random(), retryAfterMs(error, 0)) : null;
        app.log.error(
          {
            repo: key,
            delivery: lastDelivery.get(key),
            err: error,
            class: kind,
            attempt,
            retryInMs: delayMs,
          },
          'reconcile failed',
        );
        // Transient errors retry with backoff; others wait for the next webhook or resync.
        if (delayMs !== null) setTimeout(() => void queue.poke(key), delayMs).unref();
      },
    );

    const poke = (target: Target) => {
      const key = `${target.owner}/${target.repo}`;
      targets.set(key, target);
      return queue.poke(key);
    };
    // Commands run after the webhook is answered (GitHub waits 10 s at most, and replies may be
    // throttled), one comment at a time per repository so their writes never interleave.
    const commandChains = new Map<string, Promise<void>>();
    const runCommands = async (comment: NewComment) => {
      const { target } = comment;
      const octokit = await client(target.installationId);
      const commandDeps = {
        appId: options.appId,
        appSlug,
        blobs,
        permissions,
        notifier,
        log: app.log,
        poke: () => void poke(target),
      };
      await runComment(commandDeps, octokit, {
        ...comment,
        repo: { owner: target.owner, repo: target.repo },
      });
    };
    /** Runs `work` after everything already chained for the repository; failures are logged. */
    const chain = (target: Target, delivery: string, what: string, work: () => Promise<void>) => {
      const key = `${target.owner}/${target.repo}`;
      const next = (commandChains.get(key) ?? Promise.resolve())
        .then(work)
        .catch((error: unknown) => app.log.error({ repo: key, delivery, err: error }, `${what} failed`));
      commandChains.set(key, next);
      void next.finally(() => {
        if (commandChains.get(key) === next) commandChains.delete(key);
      });
    };
    const onComment = async (comment: NewComment) =>
      chain(comment.target, comment.delivery, 'comment commands', () => runCommands(comment));
    // A rerequested Merge queue run is a retry; it runs on the same per-repo chain as commands.
    const onRerequest = async (request: Rerequest) =>
      chain(request.target, request.delivery, 'Merge queue re-run', async () => {
        const { target } = request;
        const auth = () => client(target.installationId);
        const repo = { owner: target.owner, repo: target.repo };
        const outcome = await rerequestedRun({ permissions, log: app.log }, auth, repo, request);
        if (outcome === 'retried') void poke(target);
      });
    const idle = async () => {
      while (commandChains.size > 0) await Promise.all([...commandChains.values()]);
      await queue.idle();
      if (commandChains.size > 0) await idle();
    };
    registerHandlers(
      app,
      (target, reason) => {
        lastDelivery.set(`${target.owner}/${target.repo}`, reason.delivery);
        app.log.debug({ repo: `${target.owner}/${target.repo}`, ...reason }, 'poke');
        void poke(target);
      },
      options.appId,
      login,
      onComment,
      onRerequest,
    );

    // The first resync after boot reconciles every installed repo (nothing is known yet); later ones
    // only the repos whose last reconcile saw open task PRs or a batch. Webhooks cover the rest.
    let seeded = false;
    const resync = async () => {
      if (!seeded) {
        for (const target of await installedRepos(app)) void poke(target);
        seeded = true;
        return;
      }
      for (const key of active) void queue.poke(key);
    };
    const timer =
      options.resyncIntervalMs > 0
        ? setInterval(() => {
            resync().catch((error: unknown) => app.log.error({ err: error }, 'resync failed'));
          }, options.resyncIntervalMs)
        : null;
    timer?.unref();

    let delivering: Promise<number> | null = null;
    const deliver = async (): Promise<number> => {
      if (!deliverer) return 0;
      delivering ??= deliverer.tick().finally(() => {
        delivering = null;
      });
      return delivering;
    };
    const deliverEveryMs = teams?.deliverEveryMs ?? 1_000;
    const outboxTimer =
      deliverer && deliverEveryMs > 0
        ? setInterval(() => {
            deliver().catch((error: unknown) => app.log.error({ err: error }, 'outbox delivery failed'));
          }, deliverEveryMs)
        : null;
    outboxTimer?.unref();

    const stop = () => {
      if (timer) clearInterval(timer);
      if (outboxTimer) clearInterval(outboxTimer);
    };
    onReady?.({
      poke,
      resync,
      idle,
      deliver,
      queueDepth: () => queue.depth,
      stop,
      drain: async () => {
        stop();
        await queue.close();
        while (commandChains.size > 0) await Promise.all([...commandChains.values()]);
        await delivering;
      },
    });
  };
}

/**
 * Every repository of every installation (`GET /app/installations` with the app JWT, then
 * `GET /installation/repositories` per installation).
 */
async function installedRepos(app: Probot): Promise<Target[]> {
  const appOctokit = (await app.auth()) as Octokit;
  const installations = await appOctokit.paginate(appOctokit.rest.apps.listInstallations, { per_page: 100 });
  const targets: Target[] = [];
  for (const installation of installations) {
    const octokit = (await app.auth(installation.id)) as Octokit;
    const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
      per_page: 100,
    });
    for (const repo of repos)
      targets.push({ owner: repo.owner.login, repo: repo.name, installationId: installation.id });
  }
  return targets;
}

/** The app's bot login (`<slug>[bot]`, from `GET /app`), looked up once; null when it cannot be read. */
function selfLogin(app: Probot): () => Promise<string | null> {
  let login: Promise<string | null> | undefined;
  return () => {
    login ??= app
      .auth()
      .then((octokit) => (octokit as Octokit).rest.apps.getAuthenticated())
      .then(({ data }) => (data?.slug ? `${data.slug}[bot]` : null))
      .catch((error: unknown) => {
        app.log.warn({ err: error }, 'cannot read the app slug; own pushes will be reconciled');
        login = undefined;
        return null;
      });
    return login;
  };
}
