#!/usr/bin/env node
/**
 * `npm start`: validates the environment (and `.env`), then runs the Probot server. With APP_ID and a
 * private key it serves webhooks; without them, outside production, Probot's set-up page registers
 * the app from app.yml.
 */
import { run } from 'probot';
import { coordinatorApp } from '../app.js';
import { parseServerEnv, ServerEnvError } from '../config/server-env.js';

try {
  process.loadEnvFile?.('.env');
} catch {
  // no .env file: the environment alone is used
}
try {
  const env = parseServerEnv(process.env);
  await run(
    coordinatorApp({
      appId: Number(env.APP_ID ?? 0),
      dryRun: env.DRY_RUN,
      resyncIntervalMs: env.RESYNC_INTERVAL_MS,
    }),
  );
} catch (error) {
  if (!(error instanceof ServerEnvError)) throw error;
  process.stderr.write(`taskgraph-coordinator: ${error.message}\n`);
  process.exitCode = 2;
}
