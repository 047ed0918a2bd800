/**
 * The scheduler: one per-repo queue that carries both reconciles and comment commands, across any
 * number of replicas sharing one store.
 *
 * - A poke (webhook, resync, a retry) marks the repository dirty in the store; any replica may
 *   then take it. A replica polls the store for due dirty repositories every `pollMs` (and at once
 *   after a poke it received), so a repository whose webhook reached another replica is picked up
 *   within about `pollMs`.
 * - Before it works on a repository a replica takes the repository's **lease** (holder, expiry and a
 *   fencing token that only grows), renews it every `leaseTtlMs / 3` while it works, and releases it
 *   after. A replica that loses its lease (a renewal fails) stops before its next write: the
 *   `held()` check guards every GitHub write and the token fences every store write. A replica
 *   killed with SIGKILL holds nothing after `leaseTtlMs`.
 * - Comment commands received by this replica queue on the repository's local queue, run before the
 *   next reconcile of it, in order, under the same lease.
 * - At most `maxConcurrent` repositories are worked on at once by this replica; the rest wait in
 *   the store. An installation that is down to its rate-limit reserve is deferred until its window
 *   resets (`RateBudget`).
 * - A failed reconcile is retried with backoff through the dirty mark's due time (transient
 *   errors, failed side effects); other errors wait for the next webhook or resync.
 * - A reconcile may **yield** to a newer event: when a poke or a command for the repository
 *   reached this replica after the reconcile's listing of the open PRs answered, its snapshot is
 *   already stale, so it may stop before a `wait` or a `start-batch` (the next reconcile plans
 *   from fresher state, and a PR that opened meanwhile joins the batch), or leave its derived
 *   writes (checks, dashboard) to the next reconcile. At most `MAX_CONSECUTIVE_YIELDS` reconciles
 *   in a row yield, so a stream of events delays those writes by that many reconciles at most.
 */
import type { DirtyRepo, Fence, Lease, ReplicaStore } from '../adapters/store/outbox-store.js';
import { LeaseLostError } from '../adapters/store/outbox-store.js';
import type { Target } from '../handlers/targets.js';
import { backoffMs } from './backoff.js';
import type { RateBudget } from './rate-budget.js';

/** A lease this replica holds while it works on a repository. */
export interface HeldLease {
  /** False once a renewal failed or the lease ran out: stop before the next write. */
  held(): boolean;
  /** The fence for store writes (the token at the time of the call). */
  fence(): Fence;
}

/** What one reconcile asks of the scheduler. */
export interface RunOutcome {
  /** Reconcile again right away (an action changed state, or the reconcile yielded). */
  readonly again: boolean;
  /** The reconcile yielded to a newer event (see `Superseded`): it counts toward the limit. */
  readonly yielded?: boolean;
  /** A side effect failed: run again after a backoff. */
  readonly retry: boolean;
  /** The repository has open task PRs or a batch: the resync keeps visiting it. */
  readonly active: boolean;
}

export interface SchedulerOptions {
  readonly store: ReplicaStore;
  /** This replica's id (unique per process start). */
  readonly holder: string;
  readonly now: () => number;
  readonly random: () => number;
  /** Lease TTL, ms (`LEASE_TTL_MS`, default 30 s). */
  readonly leaseTtlMs: number;
  /** Store poll period, ms; 0: no timer (tests drive it with `idle`). */
  readonly pollMs: number;
  /** Repositories this replica works on at once. */
  readonly maxConcurrent: number;
  readonly budget?: RateBudget;
  readonly reconcile: (target: Target, lease: HeldLease, superseded: Superseded) => Promise<RunOutcome>;
  /**
   * Classifies a failed reconcile. @returns the retry delay in ms for a transient error, null to
   * wait for the next webhook or resync.
   */
  readonly retryDelayMs: (error: unknown, attempt: number) => number | null;
  readonly log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

type Work = (lease: HeldLease) => Promise<void>;

/**
 * Whether a newer event (a poke or a command received by this replica) arrived since `since` (a
 * `mark()`; by default the reconcile's start), and the reconcile may still yield to it (fewer than
 * `MAX_CONSECUTIVE_YIELDS` in a row). An event that arrived before a read answered is in what it
 * answered (a webhook follows the change it reports): a reconcile marks once it listed the PRs.
 */
export interface Superseded {
  (since?: EventMark): boolean;
  /** The events received for the repository so far. */
  mark(): EventMark;
}

/** A count of the events a replica received for one repository (see `Superseded`). */
export type EventMark = number;

/** Reconciles in a row that may yield to newer events before one must finish its writes. */
export const MAX_CONSECUTIVE_YIELDS = 2;

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #running = new Map<string, Promise<void>>();
  readonly #commands = new Map<string, Work[]>();
  readonly #installations = new Map<string, number>();
  /** Repositories whose lease another replica held at our last try: not tried again before then. */
  readonly #busyUntil = new Map<string, number>();
  /** Pokes and commands received per repository (a reconcile compares it with its start). */
  readonly #events = new Map<string, number>();
  /** Reconciles in a row that yielded, per repository. */
  readonly #yields = new Map<string, number>();
  #closed = false;
  #kicking: Promise<void> | null = null;
  #kickAgain = false;
  #timer: NodeJS.Timeout | null = null;
  /** Reconciles this replica ran (for the demo's report and the bench). */
  reconciles = 0;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    if (options.pollMs > 0) {
      this.#timer = setInterval(() => void this.#kick(), options.pollMs);
      this.#timer.unref();
    }
  }

  /** Repositories being worked on by this replica now. */
  get depth(): number {
    return this.#running.size;
  }

  /** Marks a repository for a reconcile (due now) and tries to start it here. */
  async poke(target: Target): Promise<void> {
    const key = keyOf(target);
    this.#installations.set(key, target.installationId);
    this.#events.set(key, (this.#events.get(key) ?? 0) + 1);
    await this.#o.store.markDirty(key, target.installationId, this.#o.now());
    await this.#kick();
  }

  /** Queues a comment command for the repository; it runs under the repository's lease, in order. */
  async command(target: Target, work: Work): Promise<void> {
    const key = keyOf(target);
    this.#installations.set(key, target.installationId);
    this.#events.set(key, (this.#events.get(key) ?? 0) + 1);
    const queue = this.#commands.get(key);
    if (queue) queue.push(work);
    else this.#commands.set(key, [work]);
    await this.#kick();
  }

  /**
   * Resolves when this replica has nothing left it could run now: no repository in work, no due
   * dirty repository it could take, no queued command. (Tests; a busy multi-replica store may keep
   * it waiting while another replica holds a lease.)
   */
  async idle(): Promise<void> {
    for (;;) {
      await this.#kick();
      if (this.#running.size > 0) {
        await Promise.all([...this.#running.values()]);
        continue;
      }
      return;
    }
  }

  /** Stops starting work (pokes are still recorded in the store) and waits for the running work. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  /** Starts work on due repositories up to the concurrency limit. Coalesced: one pass at a time. */
  #kick(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#kicking) {
      this.#kickAgain = true;
      return this.#kicking;
    }
    this.#kicking = (async () => {
      do {
        this.#kickAgain = false;
        const free = this.#o.maxConcurrent - this.#running.size;
        if (free <= 0) break;
        const due = await this.#o.store.dueDirty(this.#o.holder, this.#o.now(), free + this.#running.size);
        const keys = [...new Set([...this.#commands.keys(), ...due.map((d) => d.repo)])];
        for (const d of due) this.#installations.set(d.repo, d.installationId);
        for (const key of keys) {
          if (this.#closed || this.#running.size >= this.#o.maxConcurrent) break;
          if (this.#running.has(key) || (this.#busyUntil.get(key) ?? 0) > this.#o.now()) continue;
          this.#busyUntil.delete(key);
          const run = this.#work(key)
            .catch((error: unknown) => this.#o.log.error({ repo: key, err: error }, 'scheduler: work failed'))
            .finally(() => {
              this.#running.delete(key);
              void this.#kick();
            });
          this.#running.set(key, run);
        }
      } while (this.#kickAgain && !this.#closed);
    })()
      .catch((error: unknown) => this.#o.log.error({ err: error }, 'scheduler: cannot read the store'))
      .finally(() => {
        this.#kicking = null;
      });
    return this.#kicking;
  }

  /** Works on one repository under its lease: its queued commands, then reconciles while it is dirty. */
  async #work(key: string): Promise<void> {
    const { store, holder, leaseTtlMs, now } = this.#o;
    let lease = await store.acquireLease(key, holder, leaseTtlMs, now());
    if (!lease) {
      // Another replica has it: it stays dirty (that replica reconciles it), and queued commands
      // wait here until the lease is free.
      this.#busyUntil.set(key, now() + Math.max(this.#o.pollMs, 250));
      return;
    }
    let lost = false;
    const held: HeldLease = {
      held: () => !lost && (lease as Lease).expiresAt > now(),
      fence: () => ({ repo: key, holder, token: (lease as Lease).token }),
    };
    const renew = setInterval(
      () => {
        void store
          .renewLease(lease as Lease, leaseTtlMs, now())
          .then((renewed) => {
            if (renewed) lease = renewed;
            else lost = true;
          })
          .catch(() => {
            // The store did not answer: keep the lease we know of; `held()` expires it on time.
          });
      },
      Math.max(50, Math.floor(leaseTtlMs / 3)),
    );
    renew.unref();
    try {
      for (;;) {
        const commands = this.#commands.get(key) ?? [];
        while (commands.length > 0 && held.held()) {
          const work = commands.shift() as Work;
          try {
            await work(held);
          } catch (error) {
            this.#o.log.error({ repo: key, err: error }, 'comment commands failed');
          }
        }
        if (commands.length === 0) this.#commands.delete(key);
        if (this.#closed || !held.held()) break;
        const mark = await store.dirtyOf(key);
        if (!mark || mark.dueAt > now()) break;
        if (!(await this.#reconcileOnce(key, mark, held))) break;
      }
    } finally {
      clearInterval(renew);
      if (!lost) await store.releaseLease(lease).catch(() => undefined);
    }
  }

  /** One reconcile of a due repository. @returns whether to look at the repository again now. */
  async #reconcileOnce(key: string, mark: DirtyRepo, lease: HeldLease): Promise<boolean> {
    const { store, now } = this.#o;
    const installation = String(mark.installationId);
    const paused = this.#o.budget?.pausedUntil(installation, now()) ?? null;
    if (paused !== null) {
      this.#o.log.warn(
        { repo: key, installation, until: new Date(paused).toISOString() },
        'rate limit reserve reached: reconcile deferred until the window resets',
      );
      await store.deferDirty(key, paused);
      return false;
    }
    const [owner, repo] = splitKey(key);
    const target: Target = { owner, repo, installationId: mark.installationId };
    this.reconciles++;
    const events = () => this.#events.get(key) ?? 0;
    const began = events();
    const mayYield = (this.#yields.get(key) ?? 0) < MAX_CONSECUTIVE_YIELDS;
    const superseded: Superseded = Object.assign((since: EventMark = began) => mayYield && events() > since, {
      mark: events,
    });
    try {
      const outcome = await this.#o.reconcile(target, lease, superseded);
      if (outcome.yielded) this.#yields.set(key, (this.#yields.get(key) ?? 0) + 1);
      else this.#yields.delete(key);
      await store.setActive(key, mark.installationId, outcome.active, now());
      if (outcome.retry && !outcome.again) {
        await store.deferDirty(key, now() + backoffMs(mark.attempts + 1, this.#o.random(), 0));
        return false;
      }
      await store.cleanDirty(key, mark.version);
      if (outcome.again) await store.markDirty(key, mark.installationId, now());
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError || !lease.held()) {
        // Another replica took the repository over: its mark stays for the new holder.
        this.#o.log.warn({ repo: key }, 'lease lost during the reconcile; another replica goes on');
        return false;
      }
      const delay = this.#o.retryDelayMs(error, mark.attempts + 1);
      if (delay === null) await store.cleanDirty(key, mark.version);
      else {
        await store.deferDirty(key, now() + delay);
        // Until it succeeds again, the resync keeps visiting it (a lost webhook must not strand it).
        await store.setActive(key, mark.installationId, true, now());
      }
      return false;
    }
  }
}

/** `owner/repo` */
export function keyOf(target: Pick<Target, 'owner' | 'repo'>): string {
  return `${target.owner}/${target.repo}`;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
