#!/usr/bin/env node
/**
 * `npm start`: validates the environment (and `.env`), then serves the app. With APP_ID and a
 * private key it serves webhooks on its own HTTP server (`http-server.ts`: a bounded intake, then
 * Probot's `receive`); without them, outside production, Probot's set-up page registers the app from
 * app.yml. With `TEAMS_CHANNELS_FILE` it routes events to Teams through the outbox in `DATA_DIR`.
 */
import { getPrivateKey } from '@probot/get-private-key';
import { Probot, run } from 'probot';
import { tunedOctokit } from '../adapters/github/tuned-octokit.js';
import { SqliteOutboxStore } from '../adapters/store/sqlite-outbox-store.js';
import { ChannelsFileError, loadChannelsFile } from '../adapters/teams/channels-file.js';
import { type CoordinatorHandle, type CoordinatorOptions, coordinatorApp } from '../app.js';
import { parseServerEnv, type ServerEnv, ServerEnvError } from '../config/server-env.js';
import { httpServer, WEBHOOK_PATH } from './http-server.js';
import { webhookIntake } from './webhook-intake.js';

try {
  process.loadEnvFile?.('.env');
} catch {
  // no .env file: the environment alone is used
}
try {
  const env = parseServerEnv(process.env);
  // Channels are checked before anything starts: a refused URL stops the boot with its reason.
  const channels = env.TEAMS_CHANNELS_FILE
    ? await loadChannelsFile(env.TEAMS_CHANNELS_FILE, { allowLoopback: env.TEAMS_ALLOW_LOOPBACK })
    : null;
  const notifications = channels ? { store: SqliteOutboxStore.open(env.DATA_DIR), channels } : undefined;
  if (!channels)
    process.stderr.write('taskgraph-coordinator: TEAMS_CHANNELS_FILE is not set; events are only logged\n');
  const options: CoordinatorOptions = {
    appId: Number(env.APP_ID ?? 0),
    dryRun: env.DRY_RUN,
    resyncIntervalMs: env.RESYNC_INTERVAL_MS,
    ...(notifications ? { notifications } : {}),
  };
  const Octokit = tunedOctokit({
    writeIntervalMs: env.GITHUB_WRITE_INTERVAL_MS,
    retryBaseMs: env.GITHUB_RETRY_BASE_MS,
  });
  const privateKey = env.APP_ID ? getPrivateKey({ env: process.env }) : null;
  if (!env.APP_ID || !privateKey) await run(coordinatorApp(options), { Octokit });
  else await serve(env, options, privateKey.toString(), Octokit);
} catch (error) {
  if (!(error instanceof ServerEnvError) && !(error instanceof ChannelsFileError)) throw error;
  process.stderr.write(`taskgraph-coordinator: ${error.message}\n`);
  process.exitCode = 2;
}

/** Serves webhooks with the app loaded into a Probot instance. */
async function serve(
  env: ServerEnv,
  options: CoordinatorOptions,
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
  let handle: CoordinatorHandle | undefined;
  await probot.load(
    coordinatorApp(options, (h) => {
      handle = h;
    }),
  );
  const log = probot.log;
  const server = httpServer(
    {
      [`POST ${WEBHOOK_PATH}`]: webhookIntake({
        secret: env.WEBHOOK_SECRET ?? 'development',
        receive: (event) => probot.receive(event as never),
        log,
      }),
      'GET /ping': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('PONG');
      },
    },
    (error) => log.error({ err: error }, 'request failed'),
  );
  const host = env.HOST ?? 'localhost';
  const port = await server.listen(env.PORT, host);
  log.info(`Listening on http://${host}:${port}`);
  const stop = async () => {
    handle?.stop();
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}
