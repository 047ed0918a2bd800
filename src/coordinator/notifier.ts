/**
 * Turns coordinator events into outbox rows (the outbox delivers them; see `deliver-outbox.ts`).
 * An event is written to the durable store before any post is tried, once per channel thanks to
 * its de-duplication key. Owners with no Teams channels on this server get nothing enqueued.
 */
import type { Logger } from 'probot';
import type { OutboxStore } from '../adapters/store/outbox-store.js';
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
  #withSummary(repo: string, context: EventContext, event: CoordinatorEvent): CoordinatorEvent {
    if (event.type !== 'graph.completed' || !context.loaded) return event;
    const summary = afterAction({
      history: this.#store.events(repo),
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
   * Enqueues every event for every channel it routes to.
   * @returns how many rows were new (duplicates of earlier events are skipped).
   */
  publish(context: EventContext, events: readonly CoordinatorEvent[]): number {
    const repo = `${context.owner}/${context.repo}`;
    if (events.length === 0) return 0;
    for (const event of events)
      this.#store.recordEvent({
        repo,
        type: event.type,
        key: event.key,
        taskId: event.taskId,
        atMs: this.#now(),
      });
    const toSend = events.map((event) => this.#withSummary(repo, context, event));
    if (context.knownChannels.size === 0) {
      if (!this.#warned.has(context.owner)) {
        this.#warned.add(context.owner);
        this.#log.info({ owner: context.owner }, 'no Teams channels for this owner; events are only logged');
      }
      for (const event of toSend) this.#log.debug({ repo, event }, 'event');
      return 0;
    }
    let added = 0;
    for (const event of toSend) {
      for (const n of notificationsFor(event, context)) {
        if (!context.knownChannels.has(n.channel)) {
          this.#log.warn(
            { repo, channel: n.channel },
            'no URL for this channel key; the event waits in the outbox until TEAMS_CHANNELS_FILE names it',
          );
        }
        const fresh = this.#store.enqueue({
          dedupeKey: n.dedupeKey,
          owner: context.owner,
          channel: n.channel,
          payload: JSON.stringify(n.payload),
          nowMs: this.#now(),
        });
        if (fresh) {
          added++;
          this.#log.info({ repo, event: event.type, channel: n.channel, why: n.reason }, 'event enqueued');
        }
      }
    }
    return added;
  }
}
