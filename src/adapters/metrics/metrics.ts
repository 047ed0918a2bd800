/**
 * The app's Prometheus metrics (prom-client), served at `GET /metrics` in the text exposition format.
 * One registry per app instance (tests build their own). Labels stay low-cardinality: outcomes,
 * strategies, HTTP methods and statuses, event names, channel keys and installation ids; never PR
 * numbers, SHAs or repository names.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxStats } from '../store/outbox-store.js';

/** What one reconcile did, as the metrics see it. */
export interface ReconcileObservation {
  /**
   * `ok`, `partial` (a side effect failed and is retried), `yielded` (a newer event arrived: run
   * again at once, see the scheduler) or `error` (the reconcile threw).
   */
  readonly outcome: 'ok' | 'partial' | 'yielded' | 'error';
  readonly seconds: number;
  /** The action that took effect, if any (`promote`, `merge-pull`, `fail-batch`, `start-batch`, …). */
  readonly action?: { readonly kind: string; readonly pulls: number } | undefined;
  /** A batch started in the same reconcile after a promotion (the promotion's `then`). */
  readonly followOn?: { readonly kind: 'start-batch'; readonly pulls: number } | undefined;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #reconciles = new Counter({
    name: 'coordinator_reconciles_total',
    help: 'Reconciles by outcome: ok, partial (a side effect failed and will be retried), yielded (to a newer event), error.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'coordinator_reconcile_duration_seconds',
    help: 'Wall time of one reconcile, seconds.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly #merges = new Counter({
    name: 'coordinator_merges_total',
    help: 'Task PRs merged into the base branch, by strategy (staging: promoted in a batch; direct).',
    labelNames: ['strategy'] as const,
    registers: [this.registry],
  });
  readonly #batches = new Counter({
    name: 'coordinator_batches_total',
    help: 'Staging batches by result: started, promoted, failed (bisected, retried or ejected).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly #requests = new Counter({
    name: 'coordinator_github_requests_total',
    help: 'Requests to the GitHub API by method and status (304: a free conditional read; 0: no answer).',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });
  readonly #rateLimit = new Gauge({
    name: 'coordinator_github_rate_limit_remaining',
    help: "The last x-ratelimit-remaining GitHub sent, per installation (the app's own JWT calls: app).",
    labelNames: ['installation'] as const,
    registers: [this.registry],
  });
  readonly #webhooks = new Counter({
    name: 'coordinator_webhooks_total',
    help: 'Signed webhook deliveries accepted, by event.',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly #refused = new Counter({
    name: 'coordinator_webhooks_refused_total',
    help: 'Webhook requests refused (bad signature, too large, not JSON, shutting down).',
    registers: [this.registry],
  });
  readonly #dead = new Counter({
    name: 'coordinator_outbox_dead_total',
    help: 'Teams notifications moved to the dead letters (refused for good, or too old).',
    registers: [this.registry],
  });

  /**
   * @param sources read when Prometheus scrapes: the queue's depth and the outbox's state (null
   *   without Teams: the outbox series then read 0).
   */
  constructor(sources: {
    queueDepth: () => number;
    outbox: () => Promise<OutboxStats | null> | OutboxStats | null;
    now?: () => number;
  }) {
    const now = sources.now ?? Date.now;
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'coordinator_queue_depth',
      help: 'Repositories with a reconcile running or waiting.',
      registers: [this.registry],
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: 'coordinator_outbox_pending',
      help: 'Teams notifications waiting for delivery, per channel key.',
      labelNames: ['channel'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const byChannel = new Map<string, number>();
        for (const row of (await sources.outbox())?.pending ?? [])
          byChannel.set(row.channel, (byChannel.get(row.channel) ?? 0) + row.count);
        for (const [channel, count] of byChannel) this.set({ channel }, count);
      },
    });
    new Gauge({
      name: 'coordinator_outbox_oldest_age_seconds',
      help: 'Age of the oldest waiting Teams notification, seconds (0 when none waits).',
      registers: [this.registry],
      async collect() {
        const oldest = (await sources.outbox())?.oldestCreatedAt ?? null;
        this.set(oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
      },
    });
  }

  /** Counts one reconcile, its duration and what its action merged or staged. */
  reconcile(observation: ReconcileObservation): void {
    this.#reconciles.inc({ outcome: observation.outcome });
    this.#duration.observe(observation.seconds);
    const action = observation.action;
    if (!action) return;
    if (action.kind === 'promote') {
      this.#merges.inc({ strategy: 'staging' }, action.pulls);
      this.#batches.inc({ result: 'promoted' });
    } else if (action.kind === 'merge-pull') this.#merges.inc({ strategy: 'direct' });
    else if (action.kind === 'fail-batch') this.#batches.inc({ result: 'failed' });
    else if (action.kind === 'start-batch') this.#batches.inc({ result: 'started' });
    if (observation.followOn) this.#batches.inc({ result: 'started' });
  }

  /**
   * Counts one GitHub answer. @param remaining the `x-ratelimit-remaining` header, when sent.
   * Source: GitHub docs, "Rate limits for the REST API" (the x-ratelimit-* headers).
   */
  githubRequest(method: string, status: number, installation: string, remaining: string | undefined): void {
    this.#requests.inc({ method: method.toUpperCase(), status: String(status) });
    const value = Number(remaining);
    if (remaining !== undefined && Number.isFinite(value)) this.#rateLimit.set({ installation }, value);
  }

  webhook(event: string, outcome: 'accepted' | 'refused'): void {
    if (outcome === 'accepted') this.#webhooks.inc({ event });
    else this.#refused.inc();
  }

  outboxDead(): void {
    this.#dead.inc();
  }

  /** The text exposition (`Content-Type`: `contentType`). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
