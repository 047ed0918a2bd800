/**
 * The store keeps only what GitHub cannot: the notification outbox (with its dead letters) and its
 * de-duplication keys.
 * This is its small interface; `sqlite-outbox-store.ts` is the embedded implementation (a PostgreSQL
 * one will follow for several replicas).
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
  recordEvent(event: EventRecord): void;
  /**
   * Records an event in the repository's journal and enqueues its notifications, in one
   * transaction, unless the journal already holds its key: an event is announced once, however
   * often the reconcile derives it again. @returns false when the key was already there.
   */
  publish(event: EventRecord, notifications: readonly NewNotification[]): boolean;
  /** Whether the journal holds any event of the repository (false: the app sees it for the first time). */
  hasHistory(repo: string): boolean;
  /** Every recorded event of a repository, oldest first. */
  events(repo: string): EventRecord[];
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
  }): boolean;
  /** Oldest items first, per channel in enqueue order, at most `limit`. */
  pending(limit: number): OutboxItem[];
  /** Removes delivered items (only after a 2xx). */
  delivered(ids: readonly number[]): void;
  /** Schedules another attempt. */
  retryLater(id: number, nextAttemptAt: number, error: string): void;
  /**
   * Moves waiting items to the dead letters (kept, never tried again by the deliverer; the
   * `outbox` CLI can retry or purge them). The rest of the channel's queue goes on.
   */
  deadLetter(ids: readonly number[], reason: string, nowMs: number): void;
  /** Dead items, oldest first, at most `limit`. */
  dead(limit: number): DeadItem[];
  /** Moves dead items back to the queue, in their old place, due now. @returns how many moved. */
  revive(which: Selection, nowMs: number): number;
  /** Makes waiting items due now (their backoff is forgotten). @returns how many. */
  retryNow(which: Selection, nowMs: number): number;
  /** Deletes waiting or dead items for good. @returns how many. */
  purge(kind: 'pending' | 'dead', which: Selection): number;
  stats(): OutboxStats;
  /** Throws when the store cannot be read (readiness). */
  ping(): void;
  close(): void;
}
