import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { SqlStore } from '../../../src/adapters/store/sql-store.js';
import { type PostResult, workflowPoster } from '../../../src/adapters/teams/post-workflow.js';
import { OutboxDeliverer } from '../../../src/coordinator/deliver-outbox.js';
import type { WorkflowsMessage } from '../../../src/domain/notify/cards.js';
import type { NotificationPayload } from '../../../src/domain/notify/notifications.js';

const URLS = new Map([
  ['general', 'https://x.logic.azure.com/workflows/g/triggers/manual/paths/invoke?sig=G'],
  ['alerts', 'https://x.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=A'],
]);
const payload = (text: string): string =>
  JSON.stringify({
    card: { severity: 'info', title: text, facts: [], body: text, links: [] },
    line: text,
  } satisfies NotificationPayload);

/** Enqueues one event for owner `acme`; its card says `text` (default: the key). */
function add(store: SqlStore, key: string, channel: string, nowMs: number, text = key): Promise<boolean> {
  return store.enqueue({ dedupeKey: key, owner: 'acme', channel, payload: payload(text), nowMs });
}

/** A Teams endpoint answering from a script, recording what it accepted. */
function endpoint(script: PostResult[]) {
  const accepted: string[] = [];
  const calls: string[] = [];
  const post = async (url: string, message: WorkflowsMessage): Promise<PostResult> => {
    const result = script.shift() ?? { status: 202, retryAfterMs: null };
    const titles = message.attachments.map(
      (a) => JSON.stringify(a.content).match(/"text":"[^:]+: ([^"]+)"/)?.[1],
    );
    calls.push(`${url.includes('/a/') ? 'alerts' : 'general'} ${result.status}`);
    if (result.status >= 200 && result.status < 300)
      accepted.push(...titles.map((t) => `${url.includes('/a/') ? 'alerts' : 'general'}:${t}`));
    return result;
  };
  return { post, accepted, calls };
}

function setup(store: SqlStore, post: ReturnType<typeof endpoint>['post']) {
  const clock = { now: 1_000_000 };
  const deliverer = new OutboxDeliverer({
    store,
    channels: () => URLS,
    post,
    now: () => clock.now,
    random: () => 0.5,
  });
  return { clock, deliverer };
}

describe('the outbox', () => {
  it('delivers every event exactly once, in order per channel, through 500, 429 with Retry-After, then 202', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const teams = endpoint([
      { status: 500, retryAfterMs: null },
      { status: 429, retryAfterMs: 30_000 },
    ]);
    const { clock, deliverer } = setup(store, teams.post);
    for (const [key, channel] of [
      ['e1', 'general'],
      ['e2', 'general'],
      ['e3', 'alerts'],
    ] as const) {
      await add(store, key, channel, clock.now);
    }
    for (let i = 0; i < 40 && (await store.pending(10)).length > 0; i++) {
      await deliverer.tick();
      clock.now += 5_000;
    }
    expect(teams.calls.slice(0, 3)).toEqual(['general 500', 'alerts 429', 'general 202']);
    expect(teams.accepted.sort()).toEqual(['alerts:e3', 'general:e1', 'general:e2']);
    expect(teams.accepted.indexOf('general:e1')).toBeLessThan(teams.accepted.indexOf('general:e2'));
    expect(await store.pending(10)).toEqual([]);
  });

  it('honours Retry-After: nothing is posted to that channel before it passes', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const teams = endpoint([{ status: 429, retryAfterMs: 30_000 }]);
    const { clock, deliverer } = setup(store, teams.post);
    await add(store, 'k', 'alerts', clock.now);
    await deliverer.tick();
    clock.now += 29_000;
    await deliverer.tick();
    expect(teams.calls).toEqual(['alerts 429']);
    clock.now += 2_000;
    await deliverer.tick();
    expect(teams.calls).toEqual(['alerts 429', 'alerts 202']);
  });

  it('never posts one event twice, whatever redelivers it', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    expect(await add(store, 'task.merged:a', 'general', 1, 'a')).toBe(true);
    expect(await add(store, 'task.merged:a', 'general', 2, 'a')).toBe(false);
    expect(await store.pending(10)).toHaveLength(1);
  });

  it('survives a SIGKILL of the process right after enqueue (built store; `npm test` builds first)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outbox-kill-'));
    const storeModule = pathToFileURL(path.resolve('dist/adapters/store/sql-store.js')).href;
    const script = [
      `import { SqlStore } from '${storeModule}';`,
      'const store = await SqlStore.open({ dataDir: process.argv[1] });',
      `await store.enqueue({ dedupeKey: 'killed', owner: 'acme', channel: 'general', payload: ${JSON.stringify(payload('killed'))}, nowMs: 1 });`,
      "process.kill(process.pid, 'SIGKILL');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, dir], {
      encoding: 'utf8',
    });
    expect(child.signal).toBe('SIGKILL');
    const store = await SqlStore.open({ dataDir: dir });
    const teams = endpoint([]);
    const { clock, deliverer } = setup(store, teams.post);
    await deliverer.tick();
    clock.now += 5_000;
    await deliverer.tick();
    expect(teams.accepted).toEqual(['general:killed']);
    expect(await add(store, 'killed', 'general', 2)).toBe(false);
    await store.close();
  });

  it('survives a crash between enqueue and delivery, and then delivers exactly once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outbox-'));
    const before = await SqlStore.open({ dataDir: dir });
    await add(before, 'k', 'general', 1);
    await before.close(); // the process dies here: nothing was posted
    const after = await SqlStore.open({ dataDir: dir });
    const teams = endpoint([]);
    const { clock, deliverer } = setup(after, teams.post);
    await deliverer.tick();
    clock.now += 5_000;
    await deliverer.tick();
    expect(teams.accepted).toEqual(['general:k']);
    await after.close();
    const reopened = await SqlStore.open({ dataDir: dir });
    expect(await reopened.pending(10)).toEqual([]);
    expect(await add(reopened, 'k', 'general', 2)).toBe(false);
    await reopened.close();
  });

  it('posts at most once a second per URL', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const teams = endpoint([]);
    const { clock, deliverer } = setup(store, teams.post);
    await add(store, 'a', 'general', clock.now);
    await add(store, 'b', 'general', clock.now);
    await deliverer.tick();
    clock.now += 500;
    await deliverer.tick();
    expect(teams.calls).toEqual(['general 202']);
    clock.now += 600;
    await deliverer.tick();
    expect(teams.calls).toEqual(['general 202', 'general 202']);
  });

  it('sends a digest card when events pile up within a minute', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const bodies: WorkflowsMessage[] = [];
    const { clock, deliverer } = setup(store, async (_url, message) => {
      bodies.push(message);
      return { status: 202, retryAfterMs: null };
    });
    for (let i = 0; i < 8; i++) await add(store, `e${i}`, 'general', clock.now + i, `event ${i}`);
    clock.now += 10;
    await deliverer.tick();
    expect(bodies).toHaveLength(1);
    expect(JSON.stringify(bodies[0])).toContain('(8 events)');
    expect(await store.pending(10)).toEqual([]);
  });

  it('keeps events for a channel it has no URL for (nothing is dropped)', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const errors: string[] = [];
    const deliverer = new OutboxDeliverer({
      store,
      channels: () => new Map(),
      post: endpoint([]).post,
      now: () => 0,
      random: () => 0.5,
      onError: (m) => errors.push(m),
    });
    await add(store, 'k', 'general', 0);
    await deliverer.tick();
    expect(await store.pending(10)).toHaveLength(1);
    expect(errors[0]).toContain('no URL for channel "general"');
  });
});

describe('workflowPoster', () => {
  const url = 'https://x.logic.azure.com/workflows/g/triggers/manual/paths/invoke?sig=G';
  const message: WorkflowsMessage = { type: 'message', attachments: [] };

  it.each([
    ['202 accepted', 202, {}, { status: 202, retryAfterMs: null }],
    ['429 with Retry-After', 429, { 'retry-after': '12' }, { status: 429, retryAfterMs: 12_000 }],
    [
      'a redirect is not followed',
      302,
      { location: 'https://evil.example/steal' },
      { status: 302, retryAfterMs: null },
    ],
  ])('%s', async (_intent, status, headers, expected) => {
    nock.disableNetConnect();
    const scope = nock('https://x.logic.azure.com')
      .post('/workflows/g/triggers/manual/paths/invoke', { type: 'message', attachments: [] })
      .query({ sig: 'G' })
      .reply(status, '', headers);
    expect(await workflowPoster()(url, message)).toEqual(expected);
    expect(scope.isDone()).toBe(true);
    nock.cleanAll();
  });

  it('reports a network failure as status 0', async () => {
    nock.disableNetConnect();
    expect(await workflowPoster()(url, message)).toEqual({ status: 0, retryAfterMs: null });
  });
});
