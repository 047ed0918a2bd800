/**
 * Delivers the outbox to Teams. Per channel, items go out strictly in enqueue order (a later item
 * never overtakes one that is waiting to be retried); each URL gets at most one post per
 * `minIntervalMs` (Teams allows about one per second); transient failures (5xx, network, 408, 429) retry
 * with exponential backoff and full jitter, capped at 10 minutes and never sooner than
 * `Retry-After` on a 429; a permanent refusal (any other 4xx) or an item older than `maxAgeMs`
 * moves to the dead letters at once, so one bad item never jams its channel. Nothing is deleted
 * without a 2xx or an operator's `outbox purge`. When more than
 * `digestThreshold` items for one channel were created within a minute of the oldest, they go out as
 * one digest card.
 */
import type { OutboxItem, Store } from '../adapters/store/outbox-store.js';
import type { PostMessage } from '../adapters/teams/post-workflow.js';
import { digestCard, eventCard, workflowsMessage } from '../domain/notify/cards.js';
import { type NotificationPayload, payloadEvent } from '../domain/notify/notifications.js';
import { backoffMs } from './backoff.js';

export interface DelivererOptions {
  readonly store: Store;
  /** This replica's id: one replica at a time holds a channel (a claim in the store). */
  readonly holder?: string;
  /** Channel key -> URL for one owner. */
  readonly channels: (owner: string) => ReadonlyMap<string, string>;
  readonly post: PostMessage;
  readonly now: () => number;
  readonly random: () => number;
  readonly minIntervalMs?: number;
  readonly digestThreshold?: number;
  /** Oldest a waiting item may get, ms (default 24 h): a transient failure past it is dead too. */
  readonly maxAgeMs?: number;
  readonly onError?: (message: string) => void;
  /** Called once per item moved to the dead letters (metrics, logs). */
  readonly onDead?: (dead: DeadLetter) => void;
}

/** What is said about a dead-lettered item: never its URL (the URL is the credential). */
export interface DeadLetter {
  readonly owner: string;
  readonly channel: string;
  /** The event type (`task.merged`, …), or the card's title for items queued before it was kept. */
  readonly event: string;
  readonly reason: string;
}

/**
 * Whether Teams' answer will never change by retrying: a 4xx other than 408 (request timeout) and
 * 429 (throttled). 400 (the card is malformed), 401/403 (the flow's signature was revoked), 404
 * (the flow was deleted) and 413 (too large) all come back the same every time.
 * Source: RFC 9110 §15.5 (client errors; 408 invites a retry) and RFC 6585 §4 (429).
 */
export function isPermanentRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

const DIGEST_WINDOW_MS = 60_000;
/** How long a replica keeps a channel after its last pass (another takes over after a crash). */
const CLAIM_TTL_MS = 30_000;
const DIGEST_MAX = 25;

export class OutboxDeliverer {
  readonly #options: Required<Omit<DelivererOptions, 'onError' | 'onDead'>> &
    Pick<DelivererOptions, 'onError' | 'onDead'>;

  constructor(options: DelivererOptions) {
    this.#options = {
      minIntervalMs: 1_000,
      digestThreshold: 5,
      maxAgeMs: 24 * 3_600_000,
      holder: 'local',
      ...options,
    };
  }

  /** One pass: at most one post per channel. @returns the number of posts accepted (2xx). */
  async tick(): Promise<number> {
    const { store, now } = this.#options;
    const groups = new Map<string, OutboxItem[]>();
    for (const item of await store.pending(1_000)) {
      const key = `${item.owner}\u0000${item.channel}`;
      const list = groups.get(key);
      if (list) list.push(item);
      else groups.set(key, [item]);
    }
    let accepted = 0;
    for (const items of groups.values()) {
      const head = items[0] as OutboxItem;
      if (head.nextAttemptAt > now()) continue;
      if (await this.#deliver(head, items)) accepted++;
    }
    return accepted;
  }

  async #deliver(head: OutboxItem, queue: readonly OutboxItem[]): Promise<boolean> {
    const { store, now, post } = this.#options;
    const url = this.#options.channels(head.owner).get(head.channel);
    if (!url) {
      await this.#retry([head], null, `no URL for channel "${head.channel}" of ${head.owner}`);
      return false;
    }
    // One replica at a time posts to a channel (in order), and the pause between posts is shared.
    const channel = `${head.owner}/${head.channel}`; // owners hold no "/"
    const claim = await store.claimChannel(channel, this.#options.holder, CLAIM_TTL_MS, now());
    if (!claim) return false;
    if (now() - claim.lastPostAt < this.#options.minIntervalMs) return false;

    const burst = queue.filter(
      (item) => item.nextAttemptAt <= now() && item.createdAt - head.createdAt < DIGEST_WINDOW_MS,
    );
    const batch = burst.length > this.#options.digestThreshold ? burst.slice(0, DIGEST_MAX) : [head];
    const payloads = batch.map((item) => JSON.parse(item.payload) as NotificationPayload);
    const card =
      batch.length === 1
        ? eventCard((payloads[0] as NotificationPayload).card)
        : digestCard({
            title: `${head.owner} coordinator`,
            events: payloads.map((p) => ({ severity: p.card.severity, line: p.line })),
          });

    await store.postedToChannel(channel, this.#options.holder, now());
    const result = await post(url, workflowsMessage([card]));
    if (result.status >= 200 && result.status < 300) {
      await store.delivered(batch.map((item) => item.id));
      return true;
    }
    const reason = `Teams answered ${result.status || 'no response'}`;
    if (isPermanentRefusal(result.status)) await this.#dead(batch, `${reason} (permanent: not retried)`);
    else await this.#retry(batch, result.status === 429 ? result.retryAfterMs : null, reason);
    return false;
  }

  async #retry(batch: readonly OutboxItem[], retryAfterMs: number | null, reason: string): Promise<void> {
    const { store, now, random, maxAgeMs } = this.#options;
    const tooOld = batch.filter((item) => now() - item.createdAt > maxAgeMs);
    if (tooOld.length > 0)
      await this.#dead(tooOld, `${reason}; still failing after ${Math.round(maxAgeMs / 60_000)} min`);
    const rest = batch.filter((item) => !tooOld.includes(item));
    const head = rest[0];
    if (!head) return;
    // Capped: backoffMs never waits more than 10 minutes (BACKOFF.capMs).
    const delay = backoffMs(head.attempts + 1, random(), retryAfterMs ?? 0);
    for (const item of rest) await store.retryLater(item.id, now() + delay, reason);
    this.#options.onError?.(`${reason}; channel ${head.channel} of ${head.owner} retries in ${delay} ms`);
  }

  async #dead(items: readonly OutboxItem[], reason: string): Promise<void> {
    const { store, now } = this.#options;
    await store.deadLetter(
      items.map((item) => item.id),
      reason,
      now(),
    );
    for (const item of items) {
      const event = payloadEvent(item.payload) ?? 'an event';
      this.#options.onError?.(
        `dead-lettered ${event} for channel ${item.channel} of ${item.owner}: ${reason}; the channel goes on (taskgraph-coordinator outbox list --dead)`,
      );
      this.#options.onDead?.({ owner: item.owner, channel: item.channel, event, reason });
    }
  }
}
