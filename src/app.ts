/**
 * The composition root: builds the adapters, the scheduler and the outbox deliverer, and registers
 * the handlers. No decisions live here (queueing, leases, retries and the resync are
 * `coordinator/scheduler.ts` and `coordinator/resync.ts`).
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ApplicationFunction, Probot } from 'probot';
import { BlobCache } from './adapters/github/blob-cache.js';
import { ConditionalCache, withConditionalRequests } from './adapters/github/conditional-requests.js';
import { classifyGitHubError, retryAfterMs } from './adapters/github/errors.js';
import type { Octokit } from './adapters/github/octokit.js';
import { PermissionCache } from './adapters/github/permissions.js';
import { withRequestMetrics } from './adapters/github/request-metrics.js';
import type { Metrics } from './adapters/metrics/metrics.js';
import { LeaseLostError, type Store } from './adapters/store/outbox-store.js';
import { SqlStore } from './adapters/store/sql-store.js';
import { ChannelDirectory } from './adapters/teams/channels-file.js';
import { type PostMessage, workflowPoster } from './adapters/teams/post-workflow.js';
import { backoffMs } from './coordinator/backoff.js';
import { runComment } from './coordinator/commands/run-comment.js';
import { OutboxDeliverer } from './coordinator/deliver-outbox.js';
import { Notifier } from './coordinator/notifier.js';
import { RateBudget } from './coordinator/rate-budget.js';
import { reconcileRepo } from './coordinator/reconcile.js';
import { Resync } from './coordinator/resync.js';
import { rerequestedRun } from './coordinator/retry-head.js';
import { type HeldLease, keyOf, Scheduler } from './coordinator/scheduler.js';
import { DEFAULT_SLUG } from './domain/merge/plan.js';
import { type NewComment, type Rerequest, registerHandlers, type Target } from './handlers/targets.js';

export interface CoordinatorOptions {
  readonly appId: number;
  readonly dryRun: boolean;
  /**
   * Propose an adoption / onboarding PR on each repository's first reconcile (default true;
   * `ADOPT_ON_FIRST_SIGHT`). `/coordinator adopt` works either way.
   */
  readonly adoptOnFirstSight?: boolean;
  /** Resync period, ms; 0 disables the timer (tests). */
  readonly resyncIntervalMs: number;
  readonly now?: () => number;
  /** Prometheus metrics (the server serves them at `/metrics`); without it nothing is counted. */
  readonly metrics?: Metrics;
  /**
   * The shared store (leases, dirty repositories, delivery ids, the journal and the outbox). Default:
   * an in-memory SQLite store (one process, nothing survives a restart: tests).
   */
  readonly store?: Store;
  /** The scheduler's knobs (defaults: lease 30 s, poll 1 s, 4 repositories at once). */
  readonly scheduling?: {
    readonly leaseTtlMs?: number;
    /** 0: no poll timer (tests drive the scheduler through `idle`). */
    readonly pollMs?: number;
    readonly maxConcurrent?: number;
    /** This replica's id in leases (default: a random UUID per start). */
    readonly holder?: string;
  };
  /** Teams alerts; without it events are only logged. */
  readonly notifications?: {
    /** Deprecated: the store; `store` above wins. */
    readonly store?: Store;
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
  /** Marks one repository for a reconcile and starts it here if this replica may. */
  readonly poke: (target: Target) => Promise<void>;
  /** One resync pass (the timer runs it every `resyncIntervalMs`). */
  readonly resync: () => Promise<void>;
  /** Resolves when this replica has no reconcile or comment command it could run now. */
  readonly idle: () => Promise<void>;
  /** One outbox delivery pass; resolves to the number of posts accepted (0 without Teams). */
  readonly deliver: () => Promise<number>;
  /** Repositories this replica is working on. */
  readonly queueDepth: () => number;
  /** Reconciles this replica ran since it started. */
  readonly reconciles: () => number;
  /** The store in use (the server closes it at shutdown). */
  readonly store: Store;
  /** Stops the timers (resync, outbox, the store poll). */
  readonly stop: () => void;
  /**
   * Graceful shutdown: stops the timers, starts no new work (pokes stay recorded in the store for
   * whichever replica is next) and resolves when the running reconciles, comment commands and
   * outbox pass have finished.
   */
  readonly drain: () => Promise<void>;
}

/** Builds the Probot app function; `onReady` receives a handle for tests and shutdown. */
export function coordinatorApp(
  options: CoordinatorOptions,
  onReady?: (handle: CoordinatorHandle) => void,
): ApplicationFunction {
  return async (app: Probot) => {
    const store =
      options.store ?? options.notifications?.store ?? (await SqlStore.open({ dataDir: ':memory:' }));
    const holder = options.scheduling?.holder ?? randomUUID();
    const blobs = new BlobCache();
    /** Last answers by URL: repeated reads become 304s, which GitHub does not count. */
    const etags = new ConditionalCache();
    const budget = new RateBudget();
    const now = options.now ?? Date.now;
    const teams = options.notifications;
    // Every event is journaled (the after-action summary and the once-per-task dispatches read the
    // journal); without Teams nothing is posted.
    const notifier = new Notifier({ store, channels: teams?.channels ?? NO_CHANNELS, now, log: app.log });
    const deliverer = teams
      ? new OutboxDeliverer({
          store,
          holder,
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
      adoptOnFirstSight: options.adoptOnFirstSight ?? true,
      log: app.log,
      now,
      notifier,
      journal: store,
    };

    /**
     * An installation's client: answers counted (before the ETag cache turns 304s into 200s) and
     * fed to the rate budget, reads conditional, and, under a lease, no write once it is lost.
     */
    const client = async (installationId: number, lease?: HeldLease, repo?: string): Promise<Octokit> => {
      const octokit = (await app.auth(installationId)) as Octokit;
      const installation = String(installationId);
      octokit.hook.after('request', (response) =>
        budget.observe(installation, response.headers as Record<string, string | undefined>),
      );
      if (lease)
        octokit.hook.before('request', (request) => {
          if (String(request.method).toUpperCase() !== 'GET' && !lease.held())
            throw new LeaseLostError(repo ?? '');
        });
      if (options.metrics) withRequestMetrics(octokit, options.metrics, installation);
      return withConditionalRequests(octokit, etags);
    };

    const scheduler = new Scheduler({
      store,
      holder,
      now,
      random: Math.random,
      leaseTtlMs: options.scheduling?.leaseTtlMs ?? 30_000,
      pollMs: options.scheduling?.pollMs ?? 1_000,
      maxConcurrent: options.scheduling?.maxConcurrent ?? 4,
      budget,
      log: app.log,
      reconcile: async (target, lease, superseded) => {
        const key = keyOf(target);
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        let result: Awaited<ReturnType<typeof reconcileRepo>>;
        try {
          const octokit = await client(target.installationId, lease, key);
          result = await reconcileRepo(
            { ...deps, superseded },
            octokit,
            { owner: target.owner, repo: target.repo },
            lease.fence(),
          );
        } catch (error) {
          options.metrics?.reconcile({ outcome: 'error', seconds: seconds() });
          throw error;
        }
        const action = result.plan?.action;
        options.metrics?.reconcile({
          outcome: result.sideEffectsFailed ? 'partial' : result.yielded ? 'yielded' : 'ok',
          seconds: seconds(),
          action:
            action && result.actionTookEffect
              ? { kind: action.kind, pulls: 'entries' in action ? action.entries.length : 1 }
              : undefined,
          ...(action?.kind === 'promote' && result.staged !== undefined
            ? { followOn: { kind: 'start-batch', pulls: result.staged } }
            : {}),
        });
        app.log.info({ repo: key, action: action?.kind ?? 'none' }, result.outcome);
        return {
          again: result.reconcileAgain,
          retry: !!result.sideEffectsFailed,
          active: result.active,
          ...(result.yielded ? { yielded: true } : {}),
        };
      },
      retryDelayMs: (error, attempt) => {
        const kind = classifyGitHubError(error);
        const delayMs = kind === 'retry' ? backoffMs(attempt, Math.random(), retryAfterMs(error, 0)) : null;
        // Transient errors retry with backoff; others wait for the next webhook or resync.
        app.log.error({ err: error, class: kind, attempt, retryInMs: delayMs }, 'reconcile failed');
        return delayMs;
      },
    });

    const poke = (target: Target) => scheduler.poke(target);
    // Commands run after the webhook is answered (GitHub waits 10 s at most, and replies may be
    // throttled), on the repository's queue under its lease, so their writes never interleave with
    // a reconcile's or another replica's.
    const onComment = async (comment: NewComment) =>
      scheduler.command(comment.target, async (lease) => {
        const { target } = comment;
        const octokit = await client(target.installationId, lease, keyOf(target));
        const commandDeps = {
          appId: options.appId,
          appSlug,
          blobs,
          permissions,
          notifier,
          fence: lease.fence(),
          log: app.log,
          poke: () => void poke(target).catch(() => undefined),
        };
        await runComment(commandDeps, octokit, {
          ...comment,
          repo: { owner: target.owner, repo: target.repo },
        });
      });
    // A rerequested Merge queue run is a retry; it runs on the same per-repo queue as commands.
    const onRerequest = async (request: Rerequest) =>
      scheduler.command(request.target, async (lease) => {
        const { target } = request;
        const auth = () => client(target.installationId, lease, keyOf(target));
        const repo = { owner: target.owner, repo: target.repo };
        const outcome = await rerequestedRun({ permissions, log: app.log }, auth, repo, request);
        if (outcome === 'retried') await poke(target);
      });
    registerHandlers(
      app,
      (target, reason) => {
        app.log.debug({ repo: keyOf(target), ...reason }, 'poke');
        poke(target).catch((error: unknown) =>
          app.log.error(
            { repo: keyOf(target), delivery: reason.delivery, err: error },
            'cannot record the poke',
          ),
        );
      },
      options.appId,
      login,
      onComment,
      onRerequest,
    );

    const resync = new Resync({
      store,
      poke,
      installedRepos: () => installedRepos(app),
      log: app.log,
    });
    const timer =
      options.resyncIntervalMs > 0
        ? setInterval(() => {
            resync.pass().catch((error: unknown) => app.log.error({ err: error }, 'resync failed'));
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
      resync: async () => {
        await resync.pass();
      },
      idle: () => scheduler.idle(),
      deliver,
      queueDepth: () => scheduler.depth,
      reconciles: () => scheduler.reconciles,
      store,
      stop,
      drain: async () => {
        stop();
        await scheduler.close();
        await delivering;
      },
    });
  };
}

/** No Teams channels for anyone (events are journaled, not posted). */
const NO_CHANNELS = new ChannelDirectory(new Map());

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
