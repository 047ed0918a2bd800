/**
 * The scheduler on a real (in-memory SQLite) store with scripted reconciles: bounded concurrency,
 * one holder per repository across two schedulers, commands before reconciles under the lease, a
 * lost lease stops the work and leaves the mark for the next holder, the rate-limit reserve
 * defers an installation, failures back off through the mark.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../../src/adapters/store/outbox-store.js';
import { SqlStore } from '../../../src/adapters/store/sql-store.js';
import { RateBudget } from '../../../src/coordinator/rate-budget.js';
import {
  type HeldLease,
  MAX_CONSECUTIVE_YIELDS,
  type RunOutcome,
  Scheduler,
  type SchedulerOptions,
} from '../../../src/coordinator/scheduler.js';
import type { Target } from '../../../src/handlers/targets.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const stores: SqlStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
const memory = async () => {
  const s = await SqlStore.open({ dataDir: ':memory:' });
  stores.push(s);
  return s;
};
const target = (n: number, installationId = 1): Target => ({ owner: 'acme', repo: `r${n}`, installationId });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ok: RunOutcome = { again: false, retry: false, active: true };

function scheduler(
  store: SqlStore,
  reconcile: SchedulerOptions['reconcile'],
  extra: Partial<SchedulerOptions> = {},
): Scheduler {
  return new Scheduler({
    store,
    holder: 'A',
    now: Date.now,
    random: () => 0.5,
    leaseTtlMs: 30_000,
    pollMs: 0,
    maxConcurrent: 4,
    reconcile,
    retryDelayMs: () => null,
    log: quiet,
    ...extra,
  });
}

describe('Scheduler', () => {
  it('works on at most maxConcurrent repositories at once, and on every poked one', async () => {
    const store = await memory();
    let running = 0;
    let peak = 0;
    const done: string[] = [];
    const s = scheduler(
      store,
      async (t) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(10);
        running--;
        done.push(t.repo);
        return ok;
      },
      { maxConcurrent: 2 },
    );
    for (let n = 0; n < 10; n++) await s.poke(target(n));
    await s.idle();
    expect(peak).toBe(2);
    expect(done.sort()).toEqual(Array.from({ length: 10 }, (_, n) => `r${n}`).sort());
    expect(await store.dueDirty('A', Date.now(), 100)).toEqual([]);
    expect((await store.activeRepos()).length).toBe(10);
  });

  it('two replicas never reconcile one repository at the same time, and both drain it', async () => {
    const store = await memory();
    let inside = 0;
    let overlap = false;
    const runs: string[] = [];
    const reconcile = (holder: string) => async () => {
      inside++;
      if (inside > 1) overlap = true;
      await sleep(5);
      inside--;
      runs.push(holder);
      return ok;
    };
    const a = scheduler(store, reconcile('A'), { holder: 'A' });
    const b = scheduler(store, reconcile('B'), { holder: 'B' });
    for (let i = 0; i < 20; i++) await (i % 2 === 0 ? a : b).poke(target(1));
    await Promise.all([a.idle(), b.idle()]);
    await a.idle();
    expect(overlap).toBe(false);
    expect(runs.length).toBeGreaterThan(0);
    expect(await store.dirtyOf('acme/r1')).toBeNull();
  });

  it('runs queued comment commands in order before the reconcile, under the same lease', async () => {
    const store = await memory();
    const order: string[] = [];
    const tokens = new Set<number>();
    const s = scheduler(store, async (_t, lease) => {
      order.push('reconcile');
      tokens.add(lease.fence().token);
      return ok;
    });
    const slow = async (name: string, lease: HeldLease) => {
      tokens.add(lease.fence().token);
      await sleep(5);
      order.push(name);
    };
    await Promise.all([
      s.command(target(1), (lease) => slow('first', lease)),
      s.command(target(1), (lease) => slow('second', lease)),
      s.poke(target(1)),
    ]);
    await s.idle();
    expect(order).toEqual(['first', 'second', 'reconcile']);
    expect(tokens.size).toBe(1);
  });

  it('a lost lease stops the work before its next write and leaves the mark to the next holder', async () => {
    const store = await memory();
    // Renewals fail: another replica took the repository over (its token moved on).
    const losing = new Proxy(store, {
      get(target, name) {
        if (name === 'renewLease') return async () => null;
        const value = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const runs: { token: number; heldAtEnd: boolean; marked: boolean }[] = [];
    const s = scheduler(
      losing,
      async (_t, lease) => {
        const first = runs.length === 0;
        if (first) await sleep(200); // past the TTL, with every renewal refused
        runs.push({
          token: lease.fence().token,
          heldAtEnd: lease.held(),
          marked: (await store.dirtyOf('acme/r1')) !== null,
        });
        if (!lease.held()) throw new Error('a write refused by the lease hook');
        return ok;
      },
      { leaseTtlMs: 150 },
    );
    await s.poke(target(1));
    await s.idle();
    // The first run learned it had lost the lease; its mark stayed, and the next holder (a new
    // lease, a higher token) reconciled it.
    expect(runs).toEqual([
      { token: 1, heldAtEnd: false, marked: true },
      { token: 2, heldAtEnd: true, marked: true },
    ]);
    expect(await store.dirtyOf('acme/r1')).toBeNull();
  });

  it('a killed holder holds nothing after the TTL: another replica takes over with a higher token', async () => {
    const store = await memory();
    const dead = (await store.acquireLease('acme/r1', 'dead', 100, Date.now())) as Lease;
    await store.markDirty('acme/r1', 1, Date.now());
    const fences: number[] = [];
    const s = scheduler(store, async (_t, lease) => {
      fences.push(lease.fence().token);
      return ok;
    });
    await s.idle();
    expect(fences).toEqual([]); // still leased
    await sleep(120);
    await s.idle();
    expect(fences).toEqual([dead.token + 1]);
  });

  it('defers an installation at its rate-limit reserve until the window resets', async () => {
    const store = await memory();
    const budget = new RateBudget(100);
    const resetAt = Math.floor(Date.now() / 1000) + 600;
    budget.observe('1', { 'x-ratelimit-remaining': '40', 'x-ratelimit-reset': String(resetAt) });
    const ran: string[] = [];
    const s = scheduler(
      store,
      async (t) => {
        ran.push(t.repo);
        return ok;
      },
      { budget },
    );
    await s.poke(target(1, 1));
    await s.poke(target(2, 2));
    await s.idle();
    expect(ran).toEqual(['r2']);
    expect(await store.dirtyOf('acme/r1')).toMatchObject({ dueAt: resetAt * 1000 });
  });

  it('backs a failing repository off through its mark, and counts the attempts', async () => {
    const store = await memory();
    const attempts: number[] = [];
    const s = scheduler(
      store,
      async () => {
        throw Object.assign(new Error('Server Error'), { status: 502 });
      },
      {
        retryDelayMs: (_e, attempt) => {
          attempts.push(attempt);
          return 60_000;
        },
      },
    );
    await s.poke(target(1));
    await s.idle();
    expect(attempts).toEqual([1]);
    const mark = await store.dirtyOf('acme/r1');
    expect(mark?.attempts).toBe(1);
    expect((mark?.dueAt ?? 0) - Date.now()).toBeGreaterThan(50_000);
    // Still visited by the resync while it fails.
    expect(await store.activeRepos()).toEqual([{ repo: 'acme/r1', installationId: 1 }]);
  });
});

describe('Scheduler: yielding to a newer event', () => {
  it('a reconcile is superseded by a poke or a command that arrives after it began, not by one before', async () => {
    const store = await memory();
    const seen: { before: boolean; after: boolean }[] = [];
    let s: Scheduler | null = null;
    s = scheduler(store, async (t, _lease, superseded) => {
      const before = superseded();
      if (seen.length === 0) await s?.poke(t);
      else if (seen.length === 1) await s?.command(t, async () => {});
      seen.push({ before, after: superseded() });
      return ok;
    });
    await s.poke(target(1));
    await s.idle();
    // 1st: the poke that started it is not newer; the one made during it is. 2nd (run for that
    // poke): a command arrives during it (and runs after it; a command pokes when it must).
    expect(seen).toEqual([
      { before: false, after: true },
      { before: false, after: true },
    ]);
  });

  it('an event before the mark (the open PRs listed) is in the snapshot, not newer; one after it is', async () => {
    const store = await memory();
    const seen: { sinceStart: boolean; sinceMark: boolean; later: boolean }[] = [];
    let s: Scheduler | null = null;
    s = scheduler(store, async (t, _lease, superseded) => {
      if (seen.length > 0) return ok;
      await s?.poke(t); // before the reconcile's listing of the open PRs answered
      const mark = superseded.mark();
      const sinceMark = superseded(mark);
      const sinceStart = superseded();
      await s?.poke(t); // after it answered
      seen.push({ sinceStart, sinceMark, later: superseded(mark) });
      return ok;
    });
    await s.poke(target(1));
    await s.idle();
    expect(seen).toEqual([{ sinceStart: true, sinceMark: false, later: true }]);
  });

  it(`at most ${MAX_CONSECUTIVE_YIELDS} reconciles in a row may yield; then one must finish, and the count starts again`, async () => {
    const store = await memory();
    const verdicts: boolean[] = [];
    let s: Scheduler | null = null;
    s = scheduler(store, async (t, _lease, superseded) => {
      // A stream of events: every reconcile sees a newer one, and yields whenever it may.
      if (verdicts.length < 7) await s?.poke(t);
      const yielded = superseded();
      verdicts.push(yielded);
      return { ...ok, again: yielded, yielded };
    });
    await s.poke(target(1));
    await s.idle();
    expect(verdicts).toEqual([true, true, false, true, true, false, true, false]);
    expect(await store.dirtyOf('acme/r1')).toBeNull();
  });
});

describe('RateBudget', () => {
  it.each([
    ['plenty left', '4000', 10, null],
    ['at the reserve', '100', 10, 10_000],
    ['below it', '3', 10, 10_000],
    ['window already reset', '3', 0, null],
  ] as const)('%s', (_name, remaining, resetInS, expected) => {
    const budget = new RateBudget(100);
    budget.observe('7', { 'x-ratelimit-remaining': remaining, 'x-ratelimit-reset': String(resetInS) });
    expect(budget.pausedUntil('7', 5_000)).toBe(expected);
  });

  it('ignores answers without the headers', () => {
    const budget = new RateBudget();
    budget.observe('7', {});
    expect(budget.pausedUntil('7', 0)).toBeNull();
  });
});
