/**
 * Delivers the outbox to Teams. Per channel, items go out strictly in enqueue order (a later item
 * never overtakes one that is waiting to be retried); each URL gets at most one post per
 * `minIntervalMs` (Teams allows about one per second); failures retry with exponential backoff and
 * full jitter, never sooner than `Retry-After` on a 429; nothing is dropped. When more than
 * `digestThreshold` items for one channel were created within a minute of the oldest, they go out as
 * one digest card.
 */
import type { OutboxItem, OutboxStore } from '../adapters/store/outbox-store.js';
import type { PostMessage } from '../adapters/teams/post-workflow.js';
import { digestCard, eventCard, workflowsMessage } from '../domain/notify/cards.js';
import type { NotificationPayload } from '../domain/notify/notifications.js';
import { backoffMs } from './backoff.js';

export interface DelivererOptions {
  readonly store: OutboxStore;
  /** Channel key -> URL for one owner. */
  readonly channels: (owner: string) => ReadonlyMap<string, string>;
  readonly post: PostMessage;
  readonly now: () => number;
  readonly random: () => number;
  readonly minIntervalMs?: number;
  readonly digestThreshold?: number;
  readonly onError?: (message: string) => void;
}

const DIGEST_WINDOW_MS = 60_000;
const DIGEST_MAX = 25;

export class OutboxDeliverer {
  readonly #options: Required<Omit<DelivererOptions, 'onError'>> & Pick<DelivererOptions, 'onError'>;
  readonly #lastPostAt = new Map<string, number>();

  constructor(options: DelivererOptions) {
    this.#options = { minIntervalMs: 1_000, digestThreshold: 5, ...options };
  }

  /** One pass: at most one post per channel. @returns the number of posts accepted (2xx). */
  async tick(): Promise<number> {
    const { store, now } = this.#options;
    const groups = new Map<string, OutboxItem[]>();
    for (const item of store.pending(1_000)) {
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
      this.#retry([head], null, `no URL for channel "${head.channel}" of ${head.owner}`);
      return false;
    }
    const last = this.#lastPostAt.get(url);
    if (last !== undefined && now() - last < this.#options.minIntervalMs) return false;

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

    this.#lastPostAt.set(url, now());
    const result = await post(url, workflowsMessage([card]));
    if (result.status >= 200 && result.status < 300) {
      store.delivered(batch.map((item) => item.id));
      return true;
    }
    this.#retry(
      batch,
      result.status === 429 ? result.retryAfterMs : null,
      `Teams answered ${result.status || 'no response'}`,
    );
    return false;
  }

  #retry(batch: readonly OutboxItem[], retryAfterMs: number | null, reason: string): void {
    const { store, now, random } = this.#options;
    const head = batch[0] as OutboxItem;
    const delay = backoffMs(head.attempts + 1, random(), retryAfterMs ?? 0);
    for (const item of batch) store.retryLater(item.id, now() + delay, reason);
    this.#options.onError?.(`${reason}; channel ${head.channel} of ${head.owner} retries in ${delay} ms`);
  }
}
