#!/usr/bin/env node
/**
 * `npm start` (and the image's command): validates the environment (and `.env`), then serves the
 * app. With APP_ID and a private key it serves webhooks on its own HTTP server (`http-server.ts`: a
 * bounded intake, then Probot's `receive`) beside `/healthz`, `/readyz` and `/metrics`; without
 * them, outside production, Probot's set-up page registers the app from app.yml. With
 * `TEAMS_CHANNELS_FILE` it routes events to Teams through the outbox in `DATA_DIR`.
 *
 * SIGTERM or SIGINT: webhooks and `/readyz` answer 503 at once, the running reconcile, comment
 * commands and outbox pass finish (at most `SHUTDOWN_TIMEOUT_MS`), the store closes, and the process
 * exits 0 (1 when the timeout cut work short; a reconcile cut short is safe: every write is a
 * compare-and-swap, and the next boot reconciles every repository).
 */
import { getPrivateKey } from '@probot/get-private-key';
import { Probot, run } from 'probot';
import { tunedOctokit } from '../adapters/github/tuned-octokit.js';
import { ChannelsFileError } from '../adapters/teams/channels-file.js';
import { coordinatorApp } from '../app.js';
import { parseServerEnv, type ServerEnv, ServerEnvError } from '../config/server-env.js';
import { httpServer, type RouteHandler, WEBHOOK_PATH } from './http-server.js';
import { buildRuntime, operatorRoutes, type Runtime } from './runtime.js';
import { webhookIntake } from './webhook-intake.js';

try {
  process.loadEnvFile?.('.env');
} catch {
  // no .env file: the environment alone is used
}
try {
  const env = parseServerEnv(process.env);
  // Channels are checked before anything starts: a refused URL stops the boot with its reason.
  const runtime = await buildRuntime(env, (m) => process.stderr.write(`taskgraph-coordinator: ${m}\n`));
  const Octokit = tunedOctokit({
    writeIntervalMs: env.GITHUB_WRITE_INTERVAL_MS,
    notificationIntervalMs: env.GITHUB_NOTIFICATION_INTERVAL_MS,
    retryBaseMs: env.GITHUB_RETRY_BASE_MS,
  });
  const privateKey = env.APP_ID ? getPrivateKey({ env: process.env }) : null;
  if (!env.APP_ID || !privateKey) await run(coordinatorApp(runtime.options), { Octokit });
  else await serve(env, runtime, privateKey.toString(), Octokit);
} catch (error) {
  if (!(error instanceof ServerEnvError) && !(error instanceof ChannelsFileError)) throw error;
  process.stderr.write(`taskgraph-coordinator: ${error.message}\n`);
  process.exitCode = 2;
}

/** Serves webhooks with the app loaded into a Probot instance, until SIGTERM or SIGINT. */
async function serve(
  env: ServerEnv,
  runtime: Runtime,
  privateKey: string,
  Octokit: ReturnType<typeof tunedOctokit>,
): Promise<void> {
  const probot = new Probot({
    appId: Number(env.APP_ID),
    privateKey,
    secret: env.WEBHOOK_SECRET ?? 'development',
    ...(env.GHE_HOST ? { baseUrl: `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` } : {}),
    Octokit,
    // Probot's type leaves out pino's `silent`, which pino accepts.
    logLevel: env.LOG_LEVEL as 'info',
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
  });
  await probot.load(coordinatorApp(runtime.options, runtime.onReady));
  const log = probot.log;
  const intake = webhookIntake({
    secret: env.WEBHOOK_SECRET ?? 'development',
    receive: (event) => probot.receive(event as never),
    log,
    onDelivery: (event, outcome) => runtime.metrics.webhook(event, outcome),
    // Any replica may receive a delivery; its id is recorded once in the shared store.
    firstSeen: (delivery, event) => runtime.store.recordDelivery(delivery, event, Date.now()),
  });
  const webhooks: RouteHandler = (req, res) => {
    if (!runtime.state.draining) return intake(req, res);
    // Shutting down: GitHub shows the 503 on the delivery (redeliver it from the app's settings);
    // the next boot's first resync reconciles every repository anyway.
    runtime.metrics.webhook('', 'refused');
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' });
    res.end('{"error":"shutting down"}');
  };
  const server = httpServer(
    {
      [`POST ${WEBHOOK_PATH}`]: webhooks,
      'GET /ping': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('PONG');
      },
      ...operatorRoutes(runtime, env, privateKey),
    },
    (error) => log.error({ err: error }, 'request failed'),
  );
  const host = env.HOST ?? 'localhost';
  const port = await server.listen(env.PORT, host);
  log.info(`Listening on http://${host}:${port}`);

  const shutdown = async (signal: string) => {
    if (runtime.state.draining) return;
    runtime.state.draining = true;
    log.info({ signal, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'shutting down: finishing the running work');
    const started = Date.now();
    const handle = runtime.handle();
    const finished = await Promise.race([
      (handle?.drain() ?? Promise.resolve()).then(() => true),
      sleep(env.SHUTDOWN_TIMEOUT_MS).then(() => false),
    ]);
    if (!finished) log.warn({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'shutdown timeout: work was cut short');
    // Connections still open (a slow client) get two seconds, then are closed.
    await Promise.race([server.close(), sleep(2_000)]);
    server.server.closeAllConnections();
    await runtime.store.close().catch(() => undefined);
    log.info({ ms: Date.now() - started }, 'stopped');
    process.exit(finished ? 0 : 1);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
