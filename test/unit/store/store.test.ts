/**
 * The store on both engines (SQLite always; PostgreSQL when DATABASE_URL is set): migrations from
 * empty and over a file of the versions before the Migrator, lease take-over after expiry, fencing,
 * delivery de-duplication, dirty marks, and outbox claims under two concurrent deliverers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type Lease, LeaseLostError } from '../../../src/adapters/store/outbox-store.js';
import { SqlStore } from '../../../src/adapters/store/sql-store.js';
import type { PostResult } from '../../../src/adapters/teams/post-workflow.js';
import { OutboxDeliverer } from '../../../src/coordinator/deliver-outbox.js';
import type { WorkflowsMessage } from '../../../src/domain/notify/cards.js';
import { ENGINES, POSTGRES_SKIPPED } from '../../helpers/stores.js';

const opened: SqlStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

if (POSTGRES_SKIPPED) it.skip(POSTGRES_SKIPPED, () => {});

describe.each(ENGINES)('the store on $name', (engine) => {
  /** The lease, failing the test when there is none. */
  const got = (lease: Lease | null): Lease => {
    expect(lease).not.toBeNull();
    return lease as Lease;
  };
  const open = async () => {
    const { open: openStore } = await engine.fresh();
    const store = await openStore();
    opened.push(store);
    return {
      store,
      again: async () => {
        const other = await openStore();
        opened.push(other);
        return other;
      },
    };
  };

  it('migrates from empty, and a second open applies nothing', async () => {
    const { store, again } = await open();
    expect(await store.stats()).toEqual({ pending: [], oldestCreatedAt: null, dead: 0 });
    const second = await again();
    expect(await second.migrate()).toEqual([]);
    await store.ping();
  });

  it('a lease is exclusive until it expires; a take-over moves the fencing token on', async () => {
    const { store } = await open();
    const a = await store.acquireLease('acme/w', 'A', 30_000, 1_000);
    expect(a).toMatchObject({ holder: 'A', token: 1, expiresAt: 31_000 });
    expect(await store.acquireLease('acme/w', 'B', 30_000, 2_000)).toBeNull();
    // A keeps it (same token) while it renews.
    expect(await store.acquireLease('acme/w', 'A', 30_000, 3_000)).toMatchObject({ token: 1 });
    const renewed = await store.renewLease(got(a), 30_000, 10_000);
    expect(renewed).toMatchObject({ token: 1, expiresAt: 40_000 });
    // A is killed: nothing renews; after the TTL B takes over with a higher token.
    const b = await store.acquireLease('acme/w', 'B', 30_000, 40_001);
    expect(b).toMatchObject({ holder: 'B', token: 2 });
    expect(await store.renewLease(got(renewed), 30_000, 40_002)).toBeNull();
    // Released: free at once, and the next token is still higher.
    await store.releaseLease(got(b));
    expect(await store.acquireLease('acme/w', 'A', 30_000, 40_003)).toMatchObject({ holder: 'A', token: 3 });
  });

  it('fences writes: a holder that lost its lease writes nothing', async () => {
    const { store } = await open();
    const a = got(await store.acquireLease('acme/w', 'A', 1_000, 0));
    const event = { repo: 'acme/w', type: 'task.merged', key: 'task.merged:x', taskId: 'x', atMs: 500 };
    const row = { dedupeKey: 'k1', owner: 'acme', channel: 'general', payload: '{}' };
    expect(await store.publish(event, [row], { repo: 'acme/w', holder: 'A', token: a.token })).toBe(true);
    const b = got(await store.acquireLease('acme/w', 'B', 1_000, 2_000));
    const late = { ...event, key: 'task.merged:y', atMs: 2_100 };
    await expect(
      store.publish(late, [{ ...row, dedupeKey: 'k2' }], { repo: 'acme/w', holder: 'A', token: a.token }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.events('acme/w')).map((e) => e.key)).toEqual(['task.merged:x']);
    expect(
      await store.publish(late, [{ ...row, dedupeKey: 'k2' }], {
        repo: 'acme/w',
        holder: 'B',
        token: b.token,
      }),
    ).toBe(true);
    expect((await store.pending(10)).length).toBe(2);
  });

  it('records a delivery id once (a redelivery is a no-op), across replicas', async () => {
    const { store, again } = await open();
    const other = await again();
    expect(await store.recordDelivery('d-1', 'push', 1)).toBe(true);
    expect(await other.recordDelivery('d-1', 'push', 2)).toBe(false);
    expect(await other.recordDelivery('d-2', 'push', 3)).toBe(true);
  });

  it('keeps a dirty mark that came in during a reconcile, and hides leased repositories', async () => {
    const { store } = await open();
    await store.markDirty('acme/w', 7, 100);
    const [mark] = await store.dueDirty('A', 100, 10);
    expect(mark).toMatchObject({ repo: 'acme/w', installationId: 7, version: 1 });
    await store.markDirty('acme/w', 7, 150); // a webhook during the run
    await store.cleanDirty('acme/w', (mark as { version: number }).version);
    expect(await store.dirtyOf('acme/w')).toMatchObject({ version: 2, dueAt: 100 });
    await store.acquireLease('acme/w', 'A', 30_000, 200);
    expect(await store.dueDirty('B', 200, 10)).toEqual([]);
    expect(await store.dueDirty('A', 200, 10)).toHaveLength(1);
    await store.deferDirty('acme/w', 5_000);
    expect(await store.dueDirty('A', 4_999, 10)).toEqual([]);
    expect(await store.dirtyOf('acme/w')).toMatchObject({ attempts: 1 });
    // A successful run starts the backoff over, even when a newer mark keeps the row.
    await store.markDirty('acme/w', 7, 6_000);
    await store.cleanDirty('acme/w', 2);
    expect(await store.dirtyOf('acme/w')).toMatchObject({ attempts: 0, version: 3 });
    await store.setActive('acme/w', 7, true, 1);
    await store.setActive('acme/x', 7, true, 1);
    await store.setActive('acme/x', 7, false, 2);
    expect(await store.activeRepos()).toEqual([{ repo: 'acme/w', installationId: 7 }]);
  });

  it('two deliverers on two connections post every item exactly once, in order per channel, paced', async () => {
    const { store, again } = await open();
    const other = await again();
    const posts: { channel: string; title: string; at: number; by: string }[] = [];
    const clock = { now: 1_000_000 };
    const poster =
      (by: string) =>
      async (url: string, message: WorkflowsMessage): Promise<PostResult> => {
        const title = JSON.stringify(message.attachments).match(/"text":"[^:]+: ([^"]+)"/)?.[1] ?? '';
        posts.push({ channel: url.includes('/a/') ? 'alerts' : 'general', title, at: clock.now, by });
        await new Promise((resolve) => setTimeout(resolve, 2));
        return { status: 202, retryAfterMs: null };
      };
    const urls = new Map([
      ['general', 'https://x.logic.azure.com/workflows/g/triggers/manual/paths/invoke?sig=G'],
      ['alerts', 'https://x.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=A'],
    ]);
    const deliverer = (s: SqlStore, holder: string) =>
      new OutboxDeliverer({
        store: s,
        holder,
        channels: () => urls,
        post: poster(holder),
        now: () => clock.now,
        random: () => 0.5,
        digestThreshold: 100,
      });
    const one = deliverer(store, 'A');
    const two = deliverer(other, 'B');
    for (let i = 0; i < 10; i++)
      for (const channel of ['general', 'alerts'])
        await store.enqueue({
          dedupeKey: `${channel}:${i}`,
          owner: 'acme',
          channel,
          payload: JSON.stringify({
            event: 'task.merged',
            card: { severity: 'info', title: `${channel}-${i}`, facts: [], body: '', links: [] },
            line: '',
          }),
          nowMs: clock.now,
        });
    for (let round = 0; round < 40 && (await store.pending(1)).length > 0; round++) {
      await Promise.all([one.tick(), two.tick()]);
      clock.now += 1_000;
      // Claims last 30 s past the last pass; every few rounds the other replica may take a channel.
      if (round % 7 === 6) clock.now += 31_000;
    }
    for (const channel of ['general', 'alerts']) {
      const mine = posts.filter((p) => p.channel === channel);
      expect(mine.map((p) => p.title)).toEqual(Array.from({ length: 10 }, (_, i) => `${channel}-${i}`));
      for (let i = 1; i < mine.length; i++)
        expect((mine[i]?.at ?? 0) - (mine[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    }
    expect(new Set(posts.map((p) => p.by))).toEqual(new Set(['A', 'B']));
  });
});

describe('the SQLite store over a file of the versions before the Migrator', () => {
  it('adopts the old tables as they are and keeps their rows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'store-old-'));
    const old = new Database(path.join(dir, 'coordinator.sqlite'));
    old.exec(`
      CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, channel TEXT NOT NULL,
        payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL, last_error TEXT);
      CREATE TABLE dedupe (key TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
      CREATE TABLE events (key TEXT PRIMARY KEY, repo TEXT NOT NULL, type TEXT NOT NULL, task_id TEXT, at INTEGER NOT NULL);
      CREATE INDEX events_by_repo ON events (repo, at);
      INSERT INTO outbox (owner, channel, payload, next_attempt_at, created_at) VALUES ('acme', 'general', '{}', 5, 5);
      INSERT INTO events VALUES ('acme/w:task.merged:a', 'acme/w', 'task.merged', 'a', 5);
    `);
    old.close();
    const store = await SqlStore.open({ dataDir: dir });
    opened.push(store);
    expect((await store.pending(10)).map((i) => i.owner)).toEqual(['acme']);
    expect(await store.hasHistory('acme/w')).toBe(true);
    expect(await store.recordDelivery('d', 'push', 1)).toBe(true);
  });
});
