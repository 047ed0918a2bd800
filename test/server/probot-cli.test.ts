/**
 * Probot's own CLI loads the built app: `probot run ./dist/index.js` serves it (with `/healthz`,
 * `/readyz` and `/metrics` added to Probot's server) and `probot receive` hands it one event.
 * Both used to crash with `TypeError … '__esModule'` (no default export).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../sim/app-process.js';
import { fakeGitHub, privateKey, SECRET, start, until } from '../helpers/service.js';

const PROBOT = path.resolve('node_modules/probot/bin/probot.js');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe("Probot's CLI", () => {
  it('probot run ./dist/index.js serves the app, with health and metrics on its server', async () => {
    const github = await fakeGitHub();
    github.release();
    const port = await freePort();
    const app = start(
      {
        APP_ID: '1',
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: SECRET,
        GHE_HOST: `127.0.0.1:${github.port}`,
        GHE_PROTOCOL: 'http',
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      [PROBOT, 'run', path.resolve('dist/index.js')],
    );
    cleanups.push(() => {
      app.child.kill('SIGKILL');
      github.server.close();
    });
    const base = `http://127.0.0.1:${port}`;
    await until(
      async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
      'probot run',
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${app.log.join('\n')}`);
    });
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ ready: true });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('coordinator_reconciles_total');
    expect((await fetch(`${base}/ping`)).status).toBe(200);
    expect(app.log.join('\n')).not.toContain('__esModule');
  }, 60_000);

  it('probot receive hands one event to the app, which reconciles the repository', async () => {
    const github = await fakeGitHub();
    github.release();
    const dir = mkdtempSync(path.join(tmpdir(), 'receive-'));
    const payload = path.join(dir, 'push.json');
    writeFileSync(
      payload,
      JSON.stringify({
        ref: 'refs/heads/main',
        repository: { name: 'widgets', full_name: 'acme/widgets', owner: { login: 'acme' } },
        installation: { id: 2 },
        sender: { login: 'ana', type: 'User' },
      }),
    );
    const app = start(
      { GHE_HOST: `127.0.0.1:${github.port}`, GHE_PROTOCOL: 'http', RESYNC_INTERVAL_MS: '600000' },
      [
        PROBOT,
        'receive',
        '-e',
        'push',
        '-p',
        payload,
        '-t',
        'ghs_test',
        '--base-url',
        `http://127.0.0.1:${github.port}/api/v3`,
        path.resolve('dist/index.js'),
      ],
    );
    cleanups.push(() => {
      app.child.kill('SIGKILL');
      github.server.close();
    });
    await until(
      async () => (github.seen.some((r) => r.line.startsWith('GET /repos/acme/widgets')) ? true : undefined),
      'the reconcile',
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${app.log.join('\n')}`);
    });
    expect(app.log.join('\n')).not.toContain('__esModule');
  }, 60_000);
});
