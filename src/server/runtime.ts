/**
 * What the server builds from its environment, shared by `npm start` (`main.ts`, our own HTTP
 * server) and `probot run ./dist/index.js` (Probot's server): the Teams outbox, the metrics, the
 * app's options, and the operator routes (`/healthz`, `/readyz`, `/metrics`).
 */
import { hostname } from 'node:os';
import type { ApplicationFunctionOptions } from 'probot';
import { Metrics } from '../adapters/metrics/metrics.js';
import type { Store } from '../adapters/store/outbox-store.js';
import { SqlStore } from '../adapters/store/sql-store.js';
import { loadChannelsFile } from '../adapters/teams/channels-file.js';
import type { CoordinatorHandle, CoordinatorOptions } from '../app.js';
import type { ServerEnv } from '../config/server-env.js';
import { appChecks, healthRoutes } from './health.js';
import type { RouteHandler } from './http-server.js';

export interface Runtime {
  readonly options: CoordinatorOptions;
  /** The store: PostgreSQL with `DATABASE_URL`, else SQLite in `DATA_DIR`. */
  readonly store: Store;
  readonly metrics: Metrics;
  /** Pass to `coordinatorApp` as `onReady`. */
  readonly onReady: (handle: CoordinatorHandle) => void;
  readonly handle: () => CoordinatorHandle | undefined;
  /** Set once shutdown begins: webhooks and `/readyz` answer 503. */
  readonly state: { draining: boolean };
}

/**
 * Builds the runtime and opens (and migrates) the store: PostgreSQL with `DATABASE_URL`, else
 * SQLite in `DATA_DIR`. @throws ChannelsFileError when a Teams URL is refused (the boot stops with
 * its reason), and the driver's error when the store cannot be opened.
 */
export async function buildRuntime(env: ServerEnv, warn: (message: string) => void): Promise<Runtime> {
  const channels = env.TEAMS_CHANNELS_FILE
    ? await loadChannelsFile(env.TEAMS_CHANNELS_FILE, { allowLoopback: env.TEAMS_ALLOW_LOOPBACK })
    : null;
  if (!channels) warn('TEAMS_CHANNELS_FILE is not set; events are only logged');
  const store = await SqlStore.open({
    dataDir: env.DATA_DIR,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
  });
  let handle: CoordinatorHandle | undefined;
  const metrics = new Metrics({ queueDepth: () => handle?.queueDepth() ?? 0, outbox: () => store.stats() });
  const options: CoordinatorOptions = {
    appId: Number(env.APP_ID ?? 0),
    dryRun: env.DRY_RUN,
    adoptOnFirstSight: env.ADOPT_ON_FIRST_SIGHT,
    resyncIntervalMs: env.RESYNC_INTERVAL_MS,
    metrics,
    store,
    scheduling: {
      holder: env.REPLICA_ID ?? `${hostname()}:${env.PORT}`,
      leaseTtlMs: env.LEASE_TTL_MS,
      maxConcurrent: env.MAX_CONCURRENT_RECONCILES,
      pollMs: env.DIRTY_POLL_MS,
    },
    ...(channels ? { notifications: { channels, maxAgeMs: env.OUTBOX_MAX_AGE_MS } } : {}),
  };
  return {
    options,
    store,
    metrics,
    onReady: (h) => {
      handle = h;
    },
    handle: () => handle,
    state: { draining: false },
  };
}

/** `/healthz`, `/readyz` and `/metrics` (behind `METRICS_TOKEN` when it is set). */
export function operatorRoutes(
  runtime: Runtime,
  env: ServerEnv,
  privateKey: string,
): Record<string, RouteHandler> {
  const checks = appChecks({ appId: Number(env.APP_ID ?? 0), privateKey, store: runtime.store });
  return {
    ...healthRoutes(checks, runtime.state),
    'GET /metrics': async (req, res) => {
      if (env.METRICS_TOKEN && req.headers.authorization !== `Bearer ${env.METRICS_TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end('{"error":"METRICS_TOKEN is set: send Authorization: Bearer <token>"}');
        return;
      }
      const text = await runtime.metrics.text();
      res.writeHead(200, { 'content-type': runtime.metrics.contentType }).end(text);
    },
  };
}

/** The same routes as a Probot server handler (`addHandler`): true when it answered. */
export function asProbotHandler(
  routes: Readonly<Record<string, RouteHandler>>,
): Parameters<ApplicationFunctionOptions['addHandler']>[0] {
  return async (req, res) => {
    const route = routes[`${req.method} ${(req.url ?? '/').split('?')[0]}`];
    if (!route) return false;
    await route(req, res);
    return true;
  };
}
