/**
 * The store keeps only what GitHub cannot: the notification outbox (with its dead letters), its
 * de-duplication keys and the event journal (`OutboxStore`), and what several replicas share
 * (`ReplicaStore`: delivery ids, per-repo leases with fencing tokens, dirty and active repositories,
 * Teams channel claims). `sql-store.ts` implements both on embedded SQLite or on PostgreSQL.
 */

/** One notification waiting for delivery to one channel. */
export interface OutboxItem {
  readonly id: number;
  /** Repository owner: channels are resolved within the owner's own channel map. */
  readonly owner: string;
  readonly channel: string;
  /** JSON of what to render (the card input); opaque to the store. */
  readonly payload: string;
  readonly attempts: number;
  /** Earliest next attempt, ms since the epoch. */
  readonly nextAttemptAt: number;
  readonly createdAt: number;
  /** Why the last attempt failed (never a URL), null before the first. */
  readonly lastError: string | null;
}

/** An item that will not be tried again by itself (a permanent refusal, or too old). */
export interface DeadItem extends Omit<OutboxItem, 'nextAttemptAt'> {
  /** When it was dead-lettered, ms since the epoch. */
  readonly deadAt: number;
  readonly reason: string;
}

/** What the outbox holds now (for metrics and the CLI). */
export interface OutboxStats {
  /** Items waiting per owner and channel. */
  readonly pending: readonly { owner: string; channel: string; count: number }[];
  /** When the oldest waiting item was enqueued, ms since the epoch; null when none waits. */
  readonly oldestCreatedAt: number | null;
  readonly dead: number;
}

/** Which items an operator command applies to: the ids given, or all of them. */
export type Selection = readonly number[] | 'all';

/** A fact the coordinator announced, kept for the after-action summary of `graph.completed`. */
export interface EventRecord {
  /** `owner/repo` */
  readonly repo: string;
  readonly type: string;
  readonly key: string;
  readonly taskId: string | null;
  /** When it was first announced, ms since the epoch. */
  readonly atMs: number;
}

/** One channel's notification of an event, to enqueue with the event. */
export interface NewNotification {
  readonly dedupeKey: string;
  readonly owner: string;
  readonly channel: string;
  /** JSON of what to render (the card input). */
  readonly payload: string;
}

export interface OutboxStore {
  /** Records an event once per key (later records of the same key are ignored). */
  recordEvent(event: EventRecord): Promise<void>;
  /**
   * Records an event in the repository's journal and enqueues its notifications, in one
   * transaction, unless the journal already holds its key: an event is announced once, however
   * often the reconcile derives it again. With `fence`, the write happens only while the lease
   * it names is still held. @returns false when the key was already there.
   * @throws LeaseLostError when `fence` names a lease this holder no longer has.
   */
  publish(event: EventRecord, notifications: readonly NewNotification[], fence?: Fence): Promise<boolean>;
  /** The keys among `keys` that the repository's journal does not hold yet (not announced). */
  unannounced(repo: string, keys: readonly string[]): Promise<string[]>;
  /** Whether the journal holds any event of the repository (false: the app sees it for the first time). */
  hasHistory(repo: string): Promise<boolean>;
  /** Every recorded event of a repository, oldest first. */
  events(repo: string): Promise<EventRecord[]>;
  /**
   * Adds an item unless `dedupeKey` was ever enqueued before (redelivered webhooks and repeated
   * reconciles never post twice). @returns false for a duplicate.
   */
  enqueue(item: {
    dedupeKey: string;
    owner: string;
    channel: string;
    payload: string;
    nowMs: number;
  }): Promise<boolean>;
  /** Oldest items first, per channel in enqueue order, at most `limit`. */
  pending(limit: number): Promise<OutboxItem[]>;
  /** Removes delivered items (only after a 2xx). */
  delivered(ids: readonly number[]): Promise<void>;
  /** Schedules another attempt. */
  retryLater(id: number, nextAttemptAt: number, error: string): Promise<void>;
  /**
   * Moves waiting items to the dead letters (kept, never tried again by the deliverer; the
   * `outbox` CLI can retry or purge them). The rest of the channel's queue goes on.
   */
  deadLetter(ids: readonly number[], reason: string, nowMs: number): Promise<void>;
  /** Dead items, oldest first, at most `limit`. */
  dead(limit: number): Promise<DeadItem[]>;
  /** Moves dead items back to the queue, in their old place, due now. @returns how many moved. */
  revive(which: Selection, nowMs: number): Promise<number>;
  /** Makes waiting items due now (their backoff is forgotten). @returns how many. */
  retryNow(which: Selection, nowMs: number): Promise<number>;
  /** Deletes waiting or dead items for good. @returns how many. */
  purge(kind: 'pending' | 'dead', which: Selection): Promise<number>;
  stats(): Promise<OutboxStats>;
  /** Throws when the store cannot be read (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A lease a write depends on: the write is refused unless `holder` still holds `repo` with `token`. */
export interface Fence {
  readonly repo: string;
  readonly holder: string;
  readonly token: number;
}

/** A write was refused because its lease expired or was taken over (another replica has the repo). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly repo: string) {
    super(`the lease on ${repo} was lost (expired or taken over); this replica stops working on it`);
  }
}

/** A held lease: `token` is the fencing token (it only ever grows for a repository). */
export interface Lease {
  readonly repo: string;
  readonly holder: string;
  readonly token: number;
  /** ms since the epoch */
  readonly expiresAt: number;
}

/** A repository waiting for a reconcile. */
export interface DirtyRepo {
  readonly repo: string;
  readonly installationId: number;
  readonly dueAt: number;
  /** Grows with every mark: `clean` removes the row only if no mark came in meanwhile. */
  readonly version: number;
  /** Failed reconciles in a row (the backoff). */
  readonly attempts: number;
}

/** What several replicas share besides the outbox. */
export interface ReplicaStore {
  /** Records a webhook delivery. @returns false when the id was seen before (a redelivery). */
  recordDelivery(id: string, event: string, nowMs: number): Promise<boolean>;
  /**
   * Takes (or keeps) the repository's lease until `nowMs + ttlMs`: free, expired or already ours.
   * A take-over increments the token. @returns the lease, or null when another holder has it.
   */
  acquireLease(repo: string, holder: string, ttlMs: number, nowMs: number): Promise<Lease | null>;
  /** Extends a held lease. @returns false when it was lost (expired and taken, or token moved on). */
  renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease | null>;
  /** Gives a lease up at once (the row and its token stay, so the next token is still higher). */
  releaseLease(lease: Lease): Promise<void>;
  /** Marks a repository for a reconcile due at `dueAt` (earlier marks win; the version grows). */
  markDirty(repo: string, installationId: number, dueAt: number): Promise<void>;
  /** Due dirty repositories whose lease is free, expired or `holder`'s, oldest due first. */
  dueDirty(holder: string, nowMs: number, limit: number): Promise<DirtyRepo[]>;
  /** The repository's mark, if it has one. */
  dirtyOf(repo: string): Promise<DirtyRepo | null>;
  /** Removes the mark if no newer mark came in since `version`; either way its attempts start over. */
  cleanDirty(repo: string, version: number): Promise<void>;
  /** Pushes a failed repository's mark to `dueAt` and counts the attempt. */
  deferDirty(repo: string, dueAt: number): Promise<void>;
  setActive(repo: string, installationId: number, active: boolean, nowMs: number): Promise<void>;
  activeRepos(): Promise<{ repo: string; installationId: number }[]>;
  /**
   * Claims a Teams channel (owner + key) for delivery until `nowMs + ttlMs`: one replica posts to a
   * channel at a time, in order. @returns when the channel was last posted to, or null when another
   * replica holds it.
   */
  claimChannel(
    channel: string,
    holder: string,
    ttlMs: number,
    nowMs: number,
  ): Promise<{ lastPostAt: number } | null>;
  /** Records a post to a claimed channel (shared pacing). */
  postedToChannel(channel: string, holder: string, atMs: number): Promise<void>;
}

/** The whole store. */
export type Store = OutboxStore & ReplicaStore;
