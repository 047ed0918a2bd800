/**
 * The app as a Probot module: `probot run ./dist/index.js` (Probot's own server and set-up flow) and
 * `probot receive -e <event> -p <payload.json> ./dist/index.js` load this default export. It reads
 * the same environment as `npm start` (Teams channels, `DATA_DIR`, the resync period) and adds
 * `/healthz`, `/readyz` and `/metrics` to Probot's server. Graceful shutdown and the bounded
 * webhook intake are `npm start`'s (`server/main.ts`); Probot's server has neither.
 */
import { getPrivateKey } from '@probot/get-private-key';
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { coordinatorApp } from './app.js';
import { parseServerEnv } from './config/server-env.js';
import { asProbotHandler, buildRuntime, operatorRoutes } from './server/runtime.js';

export { type CoordinatorHandle, type CoordinatorOptions, coordinatorApp } from './app.js';

/**
 * Probot's application function.
 * @throws ServerEnvError for a bad environment, ChannelsFileError for a refused Teams URL.
 */
export default async function taskgraphCoordinator(app: Probot, options?: ApplicationFunctionOptions) {
  const env = parseServerEnv(process.env);
  const runtime = await buildRuntime(env, (message) => app.log.warn(message));
  await coordinatorApp(runtime.options, runtime.onReady)(app, options as ApplicationFunctionOptions);
  const privateKey = getPrivateKey({ env: process.env });
  if (options?.addHandler && privateKey)
    options.addHandler(asProbotHandler(operatorRoutes(runtime, env, privateKey.toString())));
}
