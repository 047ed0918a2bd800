/**
 * Webhook authenticity over real HTTP: the app's middleware on a 127.0.0.1 server accepts a delivery
 * signed with the secret (X-Hub-Signature-256, HMAC-SHA256 of the raw body) and answers 400 to a forged
 * one, which then triggers no API call at all.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createNodeMiddleware } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorApp } from '../../src/app.js';
import { testApp } from '../helpers/probot.js';

const SECRET = 'test-secret';
let server: Server;
let url: string;
let apiCalls = 0;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  nock.emitter.on(
    'no match',
    (req: { hostname?: string; options?: { hostname?: string; host?: string } }) => {
      const host = req.hostname ?? req.options?.hostname ?? req.options?.host ?? '';
      if (!host.startsWith('127.0.0.1')) apiCalls++;
    },
  );
  const { probot } = await testApp();
  const middleware = await createNodeMiddleware(
    coordinatorApp({ appId: 1, dryRun: false, resyncIntervalMs: 0 }),
    { probot },
  );
  server = createServer((req, res) => void middleware(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});

afterAll(async () => {
  nock.emitter.removeAllListeners('no match');
  nock.enableNetConnect();
  await new Promise((resolve) => server.close(resolve));
});

/** A pull_request delivery for an installed repo: handling it would call the GitHub API. */
const body = JSON.stringify({
  action: 'opened',
  number: 1,
  pull_request: { number: 1 },
  repository: { name: 'widgets', full_name: 'acme/widgets', owner: { login: 'acme' } },
  installation: { id: 2 },
});

const sign = (secret: string, payload: string) =>
  `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;

const deliver = (signature: string | null, event = 'pull_request') =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    body,
  });

describe('webhook signatures', () => {
  it('match the documented test vector (HMAC-SHA256)', () => {
    expect(sign("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it.each([
    ['a signature made with another secret', sign('wrong-secret', body)],
    ['a signature of another body', sign(SECRET, `${body} `)],
    ['a malformed signature', 'sha256=nothex'],
    ['no signature', null],
  ])('reject %s with 400 and no API call', async (_intent, signature) => {
    const response = await deliver(signature);
    expect(response.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(apiCalls).toBe(0);
  });

  it('accept a correctly signed delivery', async () => {
    const response = await deliver(sign(SECRET, body), 'ping');
    expect(response.status).toBe(200);
  });

  it('handle a correctly signed pull_request (the counter above does see API calls)', async () => {
    const response = await deliver(sign(SECRET, body));
    expect(response.status).toBe(200);
    for (let i = 0; i < 50 && apiCalls === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(apiCalls).toBeGreaterThan(0);
  });
});
