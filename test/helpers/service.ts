/**
 * Pieces of the server tests: a fake GitHub on 127.0.0.1 (tokens, the app, a held first read of the
 * repository, 404 for the rest), the built server as a child process, signed pushes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SECRET = 'service-test';
export const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

/**
 * A fake GitHub: tokens and the app, a held config read (the one read every reconcile needs
 * before it can go on; the snapshot's first reads go out beside it), 404 for everything else.
 */
export async function fakeGitHub() {
  const seen: { at: number; line: string }[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = false;
  let firstReadArrived!: () => void;
  const firstRead = new Promise<void>((resolve) => {
    firstReadArrived = resolve;
  });
  const server: Server = createServer(async (req, res) => {
    req.resume();
    const url = (req.url ?? '').replace(/^\/api\/v3/, '');
    seen.push({ at: Date.now(), line: `${req.method} ${url}` });
    const json = (status: number, body: unknown) =>
      res
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ratelimit-remaining': '4321',
        })
        .end(JSON.stringify(body));
    if (req.method === 'POST' && /^\/app\/installations\/\d+\/access_tokens/.test(url))
      return json(201, { token: 'ghs_test', expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    if (url.startsWith('/app')) return json(200, { slug: 'coordinator', id: 1 });
    if (url.startsWith('/repos/acme/widgets/contents/') && !held) {
      held = true;
      firstReadArrived();
      await released;
    }
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, release, firstRead, port: (server.address() as AddressInfo).port };
}

/** Starts `node <args>` (default: the built server) with `env`, collecting its output lines. */
export function start(
  env: Record<string, string>,
  args: readonly string[] = [path.resolve('dist/server/main.js')],
): { child: ChildProcess; log: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...args], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'server-data-')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log, exited };
}

export async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function push(port: number, delivery: string): Promise<Response> {
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    repository: { name: 'widgets', full_name: 'acme/widgets', owner: { login: 'acme' } },
    installation: { id: 2 },
    sender: { login: 'ana', type: 'User' },
  });
  return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    },
    body,
  });
}
