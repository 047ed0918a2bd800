#!/usr/bin/env node
/**
 * `npm start`: validates the environment (and `.env`), then runs the Probot server. With APP_ID and a
 * private key it serves webhooks; without them, outside production, Probot's set-up page registers
 * the app from app.yml. With `TEAMS_CHANNELS_FILE` it routes events to Teams through the outbox in
 * `DATA_DIR`.
 */
import { run } from 'probot';
import { tunedOctokit } from '../adapters/github/tuned-octokit.js';
import { SqliteOutboxStore } from '../adapters/store/sqlite-outbox-store.js';
import { ChannelsFileError, loadChannelsFile } from '../adapters/teams/channels-file.js';
import { coordinatorApp } from '../app.js';
import { parseServerEnv, ServerEnvError } from '../config/server-env.js';

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
  await run(
    coordinatorApp({
      appId: Number(env.APP_ID ?? 0),
      dryRun: env.DRY_RUN,
      resyncIntervalMs: env.RESYNC_INTERVAL_MS,
      ...(notifications ? { notifications } : {}),
    }),
    {
      Octokit: tunedOctokit({
        writeIntervalMs: env.GITHUB_WRITE_INTERVAL_MS,
        retryBaseMs: env.GITHUB_RETRY_BASE_MS,
      }),
    },
  );
} catch (error) {
  if (!(error instanceof ServerEnvError) && !(error instanceof ChannelsFileError)) throw error;
  process.stderr.write(`taskgraph-coordinator: ${error.message}\n`);
  process.exitCode = 2;
}
