/**
 * From a coordinator event to the outbox rows it becomes: route it (see `route.ts`), build its card,
 * and give each delivery a de-duplication key, `<owner>/<repo>:<event key>:<channel>`, so the same
 * fact reaches a channel once however many reconciles or webhook redeliveries see it. Pure.
 */
import type { CoordinatorEvent } from '../merge/types.js';
import type { LoadedGraph } from '../tasks/load-graph.js';
import type { CardFact, CardInput, CardLink } from './cards.js';
import { EVENT_SEVERITY, type RoutingConfig, routeEvent } from './route.js';

/** What the notifier knows of the repository an event happened in. */
export interface EventContext {
  readonly owner: string;
  readonly repo: string;
  /** e.g. `https://github.com/o/r` */
  readonly repoUrl: string;
  readonly baseBranch: string;
  readonly routing: RoutingConfig;
  /** Channel keys the owner has URLs for (see `ChannelDirectory`). */
  readonly knownChannels: ReadonlySet<string>;
  readonly task: (id: string) => { tags: readonly string[]; path: string; generation: number } | undefined;
  readonly pull: (number: number) => { labels: readonly string[]; url: string } | undefined;
  /** The task graph on the base branch, when known (for the `graph.completed` summary). */
  readonly loaded?: LoadedGraph;
}

/** What the outbox stores per item (rendered at delivery time). */
export interface NotificationPayload {
  /** The event type (for logs of a failed delivery); absent in items queued by older versions. */
  readonly event?: string;
  readonly card: CardInput;
  /** One line for digests. */
  readonly line: string;
}

/** One outbox row to write. */
export interface Notification {
  readonly channel: string;
  readonly dedupeKey: string;
  readonly payload: NotificationPayload;
  /** Why this channel (for logs). */
  readonly reason: string;
}

const TITLES: Readonly<Record<CoordinatorEvent['type'], string>> = {
  'task.ready': 'Task ready',
  'generation.completed': 'Generation completed',
  'task.merged': 'Task merged',
  'merge.conflict': 'Merge conflict',
  'merge.failed': 'Checks failed on the merge result',
  'merge.refused': 'GitHub refused the merge',
  'merge.blocked': 'Merges are blocked by branch rules',
  'task.blocked': 'Task blocked',
  'task.unblocked': 'Task unblocked',
  'task.stalled': 'Task PR stalled',
  'graph.invalid': 'Task graph invalid',
  'ordering.violation': 'Ordering violation',
  'graph.completed': 'Task graph completed',
  custom: 'Message',
};

/** Routes and renders one event. @returns one notification per channel (never empty). */
export function notificationsFor(event: CoordinatorEvent, context: EventContext): Notification[] {
  const task = event.taskId === null ? undefined : context.task(event.taskId);
  const pull = event.pull === null ? undefined : context.pull(event.pull);
  const deliveries = routeEvent(
    { type: event.type, tags: task?.tags ?? [], labels: pull?.labels ?? [], message: event.message },
    context.routing,
    context.knownChannels,
  );
  const repoName = `${context.owner}/${context.repo}`;
  return deliveries.map((delivery) => {
    const severity = EVENT_SEVERITY[event.type] ?? 'info';
    // A refusal of no task's merge is one of the app's own writes (dashboard, dispatch, adoption).
    const base =
      event.type === 'merge.refused' && event.taskId === null ? 'GitHub refused a write' : TITLES[event.type];
    const title = `${base}${event.taskId ? `: ${event.taskId}` : ''}`;
    const facts: CardFact[] = [
      { title: 'Repository', value: repoName },
      { title: 'Task', value: event.taskId ?? '' },
      { title: 'Pull request', value: event.pull === null ? '' : `#${event.pull}` },
      { title: 'Generation', value: task ? String(task.generation) : '' },
      { title: 'Who', value: event.actor ? `@${event.actor}` : '' },
    ];
    const links: CardLink[] = [];
    if (pull) links.push({ title: `Open #${event.pull}`, url: pull.url });
    if (task)
      links.push({ title: 'Task file', url: `${context.repoUrl}/blob/${context.baseBranch}/${task.path}` });
    const card: CardInput = { severity, title, facts, body: delivery.message, links };
    // A repository-level fact (no task, no PR) says what happened in its digest line.
    const about =
      event.taskId === null && event.pull === null && event.message
        ? ` — ${clip(event.message.split('\n')[0] as string, 160)}`
        : '';
    const line = `${repoName}: ${title}${event.pull === null ? '' : ` (#${event.pull})`}${about}`;
    return {
      channel: delivery.channel,
      dedupeKey: `${repoName}:${event.key}:${delivery.channel}`,
      payload: { event: event.type, card, line },
      reason: delivery.reason,
    };
  });
}

/**
 * The event an outbox payload announces, for logs and the `outbox` CLI: its type, else (items
 * queued before the type was kept) its card's title; null when the payload cannot be read. Never
 * a URL: payloads hold none.
 */
export function payloadEvent(payload: string): string | null {
  try {
    const parsed = JSON.parse(payload) as Partial<NotificationPayload>;
    return parsed.event ?? parsed.card?.title ?? null;
  } catch {
    return null;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
