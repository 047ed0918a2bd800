/**
 * The store keeps only what GitHub cannot: the notification outbox and its de-duplication keys.
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
}

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
  close(): void;
}
