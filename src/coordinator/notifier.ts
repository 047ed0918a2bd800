/**
 * Turns coordinator events into outbox rows (the outbox delivers them; see `deliver-outbox.ts`).
 * An event is written to the durable store before any post is tried, once per channel thanks to
 * its de-duplication key. Owners with no Teams channels on this server get nothing enqueued.
 */
import type { Logger } from 'probot';
import type { Fence, OutboxStore } from '../adapters/store/outbox-store.js';
import type { ChannelDirectory } from '../adapters/teams/channels-file.js';
import type { CoordinatorEvent, RepoSnapshot } from '../domain/merge/types.js';
import { afterAction, afterActionText } from '../domain/notify/after-action.js';
import { type EventContext, notificationsFor } from '../domain/notify/notifications.js';

/** What the notifier needs to know of a repository: a reconcile snapshot, or the base state and a PR. */
export type ContextSource = Pick<
  RepoSnapshot,
  'owner' | 'repo' | 'repoUrl' | 'baseBranch' | 'config' | 'loaded' | 'taskPaths'
> & { readonly pulls: readonly { number: number; labels: readonly string[]; url: string }[] };

/** The routing context of one repository. */
export function contextOf(snapshot: ContextSource, knownChannels: ReadonlySet<string>): EventContext {
  const { loaded } = snapshot;
  return {
    owner: snapshot.owner,
    repo: snapshot.repo,
    repoUrl: snapshot.repoUrl,
    baseBranch: snapshot.baseBranch,
    routing: snapshot.config.notifications,
    knownChannels,
    task: (id) => {
      const task = loaded.graph.tasks.get(id);
      if (!task) return undefined;
      return {
        tags: task.tags,
        path: snapshot.taskPaths.get(id) ?? task.file,
        generation: loaded.generations.generationOf.get(id) ?? 0,
      };
    },
    pull: (number) => snapshot.pulls.find((p) => p.number === number),
    loaded,
  };
}

export class Notifier {
  readonly #store: OutboxStore;
  readonly #channels: ChannelDirectory;
  readonly #now: () => number;
  readonly #log: Pick<Logger, 'info' | 'debug' | 'warn'>;
  readonly #warned = new Set<string>();

  constructor(options: {
    store: OutboxStore;
    channels: ChannelDirectory;
    now: () => number;
    log: Pick<Logger, 'info' | 'debug' | 'warn'>;
  }) {
    this.#store = options.store;
    this.#channels = options.channels;
    this.#now = options.now;
    this.#log = options.log;
  }

  /** `graph.completed` carries the after-action summary from the repository's event log. */
  async #withSummary(
    repo: string,
    context: EventContext,
    event: CoordinatorEvent,
  ): Promise<CoordinatorEvent> {
    if (event.type !== 'graph.completed' || !context.loaded) return event;
    const summary = afterAction({
      history: await this.#store.events(repo),
      loaded: context.loaded,
      nowMs: this.#now(),
    });
    return { ...event, message: afterActionText(summary, context.loaded.graph.ids.length) };
  }

  /** Channel keys an owner may use on this server. */
  knownChannels(owner: string): ReadonlySet<string> {
    return new Set(this.#channels.channelsFor(owner).keys());
  }

  /**
   * Announces each event once: its key goes into the repository's journal with its notifications in
   * one transaction, so an event the reconcile derives again from GitHub's state (a merge, a ready
   * task, a failure recorded on a check) is never posted twice. On the first sight of a repository,
   * facts older than the app (`QUIET_ON_FIRST_SIGHT`) are journaled without a post.
   * With `fence`, nothing is written unless that lease is still held.
   * @returns how many notifications were enqueued.
   * @throws LeaseLostError when `fence` names a lease that was lost (nothing more is written).
   */
  async publish(context: EventContext, events: readonly CoordinatorEvent[], fence?: Fence): Promise<number> {
    const repo = `${context.owner}/${context.repo}`;
    if (events.length === 0) return 0;
    const firstSight = !(await this.#store.hasHistory(repo));
    const seen = new Set<string>();
    let added = 0;
    for (const event of events) {
      if (seen.has(event.key)) continue;
      seen.add(event.key);
      const record = { repo, type: event.type, key: event.key, taskId: event.taskId, atMs: this.#now() };
      if (context.knownChannels.size === 0 || (firstSight && QUIET_ON_FIRST_SIGHT.has(event.type))) {
        if (await this.#store.publish(record, [], fence))
          this.#log.debug({ repo, event }, 'event journaled without a post');
        this.#warnNoChannels(context);
        continue;
      }
      const toSend = await this.#withSummary(repo, context, event);
      const notifications = notificationsFor(toSend, context);
      for (const n of notifications) {
        if (!context.knownChannels.has(n.channel))
          this.#log.warn(
            { repo, channel: n.channel },
            'no URL for this channel key; the event waits in the outbox until TEAMS_CHANNELS_FILE names it',
          );
      }
      const rows = notifications.map((n) => ({
        dedupeKey: n.dedupeKey,
        owner: context.owner,
        channel: n.channel,
        payload: JSON.stringify(n.payload),
      }));
      if (!(await this.#store.publish(record, rows, fence))) continue;
      added += rows.length;
      for (const n of notifications)
        this.#log.info({ repo, event: event.type, channel: n.channel, why: n.reason }, 'event enqueued');
    }
    return added;
  }

  #warnNoChannels(context: EventContext): void {
    if (context.knownChannels.size > 0 || this.#warned.has(context.owner)) return;
    this.#warned.add(context.owner);
    this.#log.info({ owner: context.owner }, 'no Teams channels for this owner; events are only logged');
  }
}

/**
 * Facts a reconcile derives that may predate the app's first look at a repository (merges, completed
 * generations): journaled, not posted, on first sight, so installing the app on a busy repository
 * does not flood its channels.
 */
const QUIET_ON_FIRST_SIGHT: ReadonlySet<string> = new Set([
  'task.merged',
  'generation.completed',
  'graph.completed',
]);
