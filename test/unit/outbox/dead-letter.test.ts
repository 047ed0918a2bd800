/**
 * An outbox that cannot jam: a permanent refusal dead-letters its item after the first try and the
 * channel goes on; transient failures back off (capped) until the item is too old; the operator's
 * `outbox` CLI lists, retries and purges, on the same SQLite file the server uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqlStore } from '../../../src/adapters/store/sql-store.js';
import type { PostResult } from '../../../src/adapters/teams/post-workflow.js';
import { runOutbox } from '../../../src/cli/commands/outbox.js';
import { BACKOFF } from '../../../src/coordinator/backoff.js';
import {
  type DeadLetter,
  isPermanentRefusal,
  OutboxDeliverer,
} from '../../../src/coordinator/deliver-outbox.js';
import type { WorkflowsMessage } from '../../../src/domain/notify/cards.js';
import { cli } from '../../helpers/cli.js';
import { ENGINES, POSTGRES_SKIPPED } from '../../helpers/stores.js';

const URL_G = 'https://x.logic.azure.com/workflows/g/triggers/manual/paths/invoke?sig=SECRET';
const payload = (event: string, title: string) =>
  JSON.stringify({
    event,
    card: { severity: 'info', title, facts: [], body: title, links: [] },
    line: title,
  });

async function add(store: SqlStore, key: string, nowMs: number, channel = 'general'): Promise<void> {
  await store.enqueue({
    dedupeKey: key,
    owner: 'acme',
    channel,
    payload: payload('task.merged', key),
    nowMs,
  });
}

/** A channel that answers `answer(title)` and records what it accepted. */
function channel(answer: (title: string) => number) {
  const accepted: string[] = [];
  const post = async (_url: string, message: WorkflowsMessage): Promise<PostResult> => {
    const title = JSON.stringify(message.attachments).match(/"text":"[^:]+: ([^"]+)"/)?.[1] ?? '';
    const status = answer(title);
    if (status < 300) accepted.push(title);
    return { status, retryAfterMs: null };
  };
  return { post, accepted };
}

function deliverer(store: SqlStore, post: ReturnType<typeof channel>['post'], maxAgeMs?: number) {
  const clock = { now: 1_000_000 };
  const logs: string[] = [];
  const dead: DeadLetter[] = [];
  const d = new OutboxDeliverer({
    store,
    channels: () => new Map([['general', URL_G]]),
    post,
    now: () => clock.now,
    random: () => 0.999,
    ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
    onError: (m) => logs.push(m),
    onDead: (item) => dead.push(item),
  });
  return { d, clock, logs, dead };
}

describe('isPermanentRefusal', () => {
  it.each([
    [400, true],
    [401, true],
    [403, true],
    [404, true],
    [413, true],
    [408, false],
    [429, false],
    [500, false],
    [502, false],
    [0, false],
    [302, false],
    [202, false],
  ])('%i -> %s', (status, permanent) => expect(isPermanentRefusal(status)).toBe(permanent));
});

describe('dead letters', () => {
  it.each([400, 401, 404])(
    'a %i is dead after one try; the valid post behind it goes out next',
    async (status) => {
      const store = await SqlStore.open({ dataDir: ':memory:' });
      await add(store, 'bad', 1_000_000);
      await add(store, 'good', 1_000_000);
      const teams = channel((title) => (title === 'bad' ? status : 202));
      const { d, clock, logs, dead } = deliverer(store, teams.post);
      await d.tick();
      clock.now += 1_000;
      await d.tick();
      expect(teams.accepted).toEqual(['good']);
      expect(await store.pending(10)).toEqual([]);
      expect(await store.dead(10)).toMatchObject([
        { attempts: 1, reason: `Teams answered ${status} (permanent: not retried)` },
      ]);
      expect(dead).toEqual([
        {
          owner: 'acme',
          channel: 'general',
          event: 'task.merged',
          reason: expect.stringContaining(String(status)),
        },
      ]);
      // Logged with the event and the channel key, never the URL (it is the credential).
      expect(logs.join('\n')).toContain('dead-lettered task.merged for channel general of acme');
      expect(logs.join('\n')).not.toContain('SECRET');
    },
  );

  it('in 40 simulated hours of a channel that refuses one item for good, every other item is delivered', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const teams = channel((title) => (title === 'bad' ? 404 : 202));
    const { d, clock } = deliverer(store, teams.post);
    await add(store, 'bad', clock.now);
    for (let hour = 0; hour < 40; hour++) {
      await add(store, `h${hour}`, clock.now);
      for (let tick = 0; tick < 3; tick++) {
        clock.now += 1_000;
        await d.tick();
      }
      clock.now += 3_600_000;
    }
    expect(teams.accepted).toHaveLength(40);
    expect(await store.stats()).toEqual({ pending: [], oldestCreatedAt: null, dead: 1 });
  });

  it('transient failures back off, capped, until the item is older than maxAgeMs; then it is dead', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    await add(store, 'slow', 1_000_000);
    const teams = channel(() => 503);
    const { d, clock, dead } = deliverer(store, teams.post, 6 * 3_600_000);
    const waits: number[] = [];
    while ((await store.pending(1)).length > 0) {
      const [item] = await store.pending(1);
      clock.now = Math.max(clock.now + 1_000, item?.nextAttemptAt ?? 0);
      await d.tick();
      const [next] = await store.pending(1);
      if (next) waits.push(next.nextAttemptAt - clock.now);
    }
    expect(Math.max(...waits)).toBeLessThanOrEqual(BACKOFF.capMs);
    expect(waits.slice(-5).every((w) => w > BACKOFF.capMs * 0.9)).toBe(true);
    expect(clock.now - 1_000_000).toBeGreaterThan(6 * 3_600_000);
    expect(clock.now - 1_000_000).toBeLessThan(6 * 3_600_000 + BACKOFF.capMs + 2_000);
    expect(dead).toMatchObject([
      { event: 'task.merged', reason: expect.stringContaining('still failing after 360 min') },
    ]);
  });

  it('a 408 and a 429 are retried, not dead', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    await add(store, 'a', 1_000_000);
    const answers = [408, 429, 202];
    const teams = channel(() => answers.shift() ?? 202);
    const { d, clock } = deliverer(store, teams.post);
    for (let i = 0; i < 3; i++) {
      clock.now = Math.max(clock.now + 1_000, (await store.pending(1))[0]?.nextAttemptAt ?? 0);
      await d.tick();
    }
    expect(teams.accepted).toEqual(['a']);
    expect((await store.stats()).dead).toBe(0);
  });
});

describe('taskgraph-coordinator outbox', () => {
  /** A DATA_DIR holding one dead letter (#1) and two waiting items (#2, #3), like a server left it. */
  async function dataDir(): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), 'outbox-cli-'));
    const store = await SqlStore.open({ dataDir: dir });
    await add(store, 'bad', 1_000_000);
    await add(store, 'w1', 1_000_000);
    await add(store, 'w2', 1_000_000, 'alerts');
    await store.deadLetter([1], 'Teams answered 404 (permanent: not retried)', 1_000_500);
    await store.retryLater(2, 9_000_000_000_000, 'Teams answered 503');
    await store.close();
    return dir;
  }
  const open = (dir: string) => SqlStore.open({ dataDir: dir });

  it('lists waiting items and dead letters, as text and JSON', async () => {
    const dir = await dataDir();
    const waiting = await cli(['outbox', 'list', '--data-dir', dir]);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toMatch(/#2 acme\/general task.merged \(1 attempts.*last: Teams answered 503/);
    expect(waiting.stdout).toMatch(/#3 acme\/alerts task.merged/);
    const dead = await cli(['outbox', 'list', '--dead', '--data-dir', dir, '--format', 'json']);
    expect(JSON.parse(dead.stdout)).toMatchObject([
      {
        id: 1,
        channel: 'general',
        event: 'task.merged',
        reason: 'Teams answered 404 (permanent: not retried)',
      },
    ]);
  });

  it('retry --dead puts a dead letter back in its place in the queue, due now', async () => {
    const dir = await dataDir();
    const run = await cli(['outbox', 'retry', '--dead', '1', '--data-dir', dir]);
    expect(run).toMatchObject({ code: 0, stdout: '1 dead letter back in the queue, due now\n' });
    const store = await open(dir);
    expect((await store.pending(10)).map((i) => [i.id, i.attempts])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
    expect(await store.dead(10)).toEqual([]);
    expect(((await store.pending(10))[0]?.nextAttemptAt ?? 0) <= Date.now()).toBe(true);
    await store.close();
  });

  it('retry without --dead makes waiting items due now', async () => {
    const dir = await dataDir();
    expect((await cli(['outbox', 'retry', '--data-dir', dir])).stdout).toBe('2 waiting items due now\n');
    const store = await open(dir);
    expect((await store.pending(10)).every((i) => i.nextAttemptAt <= Date.now())).toBe(true);
    await store.close();
  });

  it('purge --dead deletes dead letters; purging waiting items needs their ids', async () => {
    const dir = await dataDir();
    const refused = await cli(['outbox', 'purge', '--data-dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('only by id');
    expect((await cli(['outbox', 'purge', '--dead', '--data-dir', dir])).stdout).toBe(
      '1 dead letter deleted\n',
    );
    expect((await cli(['outbox', 'purge', '3', '--data-dir', dir])).stdout).toBe('1 waiting item deleted\n');
    const store = await open(dir);
    expect(await store.stats()).toMatchObject({ pending: [{ channel: 'general', count: 1 }], dead: 0 });
    await store.close();
  });

  it('says where it looked when the data directory holds no outbox, and refuses bad ids', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'outbox-none-'));
    const missing = await cli(['outbox', 'list', '--data-dir', empty]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no outbox in ${empty}`);
    const bad = await cli(['outbox', 'retry', 'x1', '--data-dir', await dataDir()]);
    expect(bad.code).toBe(2);
  });
});

describe('taskgraph-coordinator outbox on PostgreSQL', () => {
  const postgres = ENGINES.find((e) => e.name === 'postgres');
  it.skipIf(!postgres)(
    postgres
      ? 'lists and retries dead letters in the store DATABASE_URL names'
      : `skipped: ${POSTGRES_SKIPPED}`,
    async () => {
      const { open, location } = await (postgres as NonNullable<typeof postgres>).fresh();
      const store = await open();
      await add(store, 'bad', 1_000_000);
      await store.deadLetter([1], 'Teams answered 404 (permanent: not retried)', 1_000_500);
      await store.close();
      const out: string[] = [];
      const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t), color: false };
      const env = { DATABASE_URL: location.databaseUrl };
      expect(await runOutbox('list', [], { dead: true, format: 'json' }, io, env)).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject([{ id: 1, event: 'task.merged' }]);
      out.length = 0;
      expect(await runOutbox('retry', ['1'], { dead: true, format: 'text' }, io, env)).toBe(0);
      expect(out.join('')).toBe('1 dead letter back in the queue, due now\n');
      const after = await open();
      expect((await after.pending(10)).map((i) => i.id)).toEqual([1]);
      await after.close();
    },
  );
});
