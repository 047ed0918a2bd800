/**
 * The webhook intake over real HTTP (the server `npm start` runs, on 127.0.0.1): a delivery signed
 * with the secret (X-Hub-Signature-256, HMAC-SHA256 of the raw body) is handled; a forged one is
 * answered 400 and triggers no API call; a body over GitHub's 25 MB cap is refused with 413 before it
 * is read; a signed but malformed payload is 400 without the exception's text; each refusal is
 * logged once with the delivery id, event, size and reason, never the body.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServer, httpServer, WEBHOOK_PATH } from '../../src/server/http-server.js';
import { MAX_WEBHOOK_BYTES, webhookIntake } from '../../src/server/webhook-intake.js';
import { testApp } from '../helpers/probot.js';

const SECRET = 'test-secret';
let server: HttpServer;
let port = 0;
let apiCalls = 0;
const logged: { level: string; fields: Record<string, unknown>; message: string }[] = [];
const log = {
  warn: (fields: Record<string, unknown>, message: string) => logged.push({ level: 'warn', fields, message }),
  error: (fields: Record<string, unknown>, message: string) =>
    logged.push({ level: 'error', fields, message }),
};

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
  server = httpServer(
    {
      [`POST ${WEBHOOK_PATH}`]: webhookIntake({
        secret: SECRET,
        receive: (e) => probot.receive(e as never),
        log: log as never,
      }),
    },
    () => undefined,
  );
  port = await server.listen(0, '127.0.0.1');
});

afterAll(async () => {
  nock.emitter.removeAllListeners('no match');
  nock.enableNetConnect();
  await server.close();
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

const headers = (
  signature: string | null,
  event = 'pull_request',
  delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958',
) => ({
  'content-type': 'application/json',
  'x-github-event': event,
  'x-github-delivery': delivery,
  ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
});

const deliver = (signature: string | null, event = 'pull_request', payload = body) =>
  fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, {
    method: 'POST',
    headers: headers(signature, event),
    body: payload,
  });

/** Streams `bytes` of one reused 1 MB chunk (the client holds no big buffer); resolves to the status. */
function stream(bytes: number, announce: boolean): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: WEBHOOK_PATH,
        method: 'POST',
        headers: {
          ...headers('sha256=bogus', 'push', 'big-one'),
          ...(announce ? { 'content-length': bytes } : {}),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    // The server closes the connection once it has answered; an error before the answer is a failure.
    let answered = false;
    req.on('response', () => {
      answered = true;
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

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

describe('bounded intake', () => {
  it('refuses a 30 MB body with a bogus signature with 413, reading nothing, memory flat', async () => {
    logged.length = 0;
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    expect(await stream(30 * 1024 * 1024, true)).toBe(413);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    expect(logged).toEqual([
      {
        level: 'warn',
        fields: {
          delivery: 'big-one',
          event: 'push',
          bytes: 30 * 1024 * 1024,
          reason: `payloads over ${MAX_WEBHOOK_BYTES} bytes are refused (GitHub never sends them)`,
        },
        message: 'webhook delivery refused',
      },
    ]);
  });

  it('refuses a body streamed past 25 MB without a length, stopping at the cap', async () => {
    logged.length = 0;
    expect(await stream(30 * 1024 * 1024, false)).toBe(413);
    expect(logged.map((l) => l.fields.reason)).toEqual([
      `payloads over ${MAX_WEBHOOK_BYTES} bytes are refused (GitHub never sends them)`,
    ]);
  });

  it('answers a signed but malformed payload with 400 and a short reason, logged once without the body', async () => {
    logged.length = 0;
    const broken = '{"action": "opened", "repository": ';
    const response = await deliver(sign(SECRET, broken), 'pull_request', broken);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'payload is not valid JSON' });
    const list = '[1, 2]';
    expect((await deliver(sign(SECRET, list), 'pull_request', list)).status).toBe(400);
    expect(logged.map((l) => `${l.fields.delivery} ${l.fields.bytes} ${l.fields.reason}`)).toEqual([
      `72d3162e-cc78-11e3-81ab-4c9367dc0958 ${broken.length} payload is not valid JSON`,
      `72d3162e-cc78-11e3-81ab-4c9367dc0958 ${list.length} payload is not a JSON object`,
    ]);
    expect(JSON.stringify(logged)).not.toContain('"action"');
  });

  it('answers a non-JSON content type with 415', async () => {
    const response = await fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { ...headers(sign(SECRET, body)), 'content-type': 'text/plain' },
      body,
    });
    expect(response.status).toBe(415);
  });
});
