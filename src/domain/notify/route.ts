/**
 * Which Teams channels an event goes to. Pure and table-tested.
 *
 * - Every route whose filters all match delivers (routes are checked in order; a channel is used
 *   once even when several routes pick it).
 * - A route matches when the event type matches one of its `events` (exact names or globs such as
 *   `task.*`, matched with picomatch), the event's severity is at least `min_severity`, and its `tags`
 *   (task frontmatter tags) and `labels` (PR labels) filters hold: `match` needs at least one in
 *   common, `ignore` needs none in common.
 * - No route matches -> the default channel.
 * - A `custom` message whose first line is `CHANNEL:<key>` goes to that channel only (unknown key ->
 *   the default channel), with that line removed.
 * - A channel key this owner has no URL for is replaced by the default channel, with the reason.
 */
import picomatch from 'picomatch';

export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity of each event type (anything unknown is info). */
export const EVENT_SEVERITY: Readonly<Record<string, Severity>> = {
  'task.ready': 'info',
  'task.merged': 'info',
  'task.unblocked': 'info',
  'generation.completed': 'info',
  'graph.completed': 'info',
  custom: 'info',
  'merge.conflict': 'warning',
  'task.blocked': 'warning',
  'task.stalled': 'warning',
  'ordering.violation': 'warning',
  'merge.failed': 'error',
  'merge.refused': 'error',
  'merge.blocked': 'error',
  'graph.invalid': 'error',
};

export interface TagFilter {
  readonly match?: readonly string[];
  readonly ignore?: readonly string[];
}

export interface Route {
  readonly events: readonly string[];
  readonly tags?: TagFilter;
  readonly labels?: TagFilter;
  readonly min_severity?: Severity;
  readonly channel: string;
}

export interface RoutingConfig {
  readonly default_channel: string;
  readonly routes: readonly Route[];
}

/** What routing needs to know of one event. */
export interface RoutableEvent {
  readonly type: string;
  readonly tags: readonly string[];
  readonly labels: readonly string[];
  /** Message text; for `custom`, a first line `CHANNEL:<key>` picks the channel. */
  readonly message: string;
}

export interface Delivery {
  readonly channel: string;
  /** Why this channel: `route 2`, `default`, `CHANNEL:alerts`, ... */
  readonly reason: string;
  /** The message to send (a `CHANNEL:` line removed). */
  readonly message: string;
}

const CHANNEL_LINE = /^CHANNEL:(\S+)[ \t]*(?:\r?\n|$)/;

/**
 * Routes one event.
 *
 * @param known channel keys this repository's owner has URLs for
 * @returns one delivery per channel, in route order
 */
export function routeEvent(
  event: RoutableEvent,
  config: RoutingConfig,
  known: ReadonlySet<string>,
): Delivery[] {
  const fallback = (channel: string, reason: string, message: string): Delivery =>
    known.has(channel) || channel === config.default_channel
      ? { channel, reason, message }
      : {
          channel: config.default_channel,
          reason: `${reason}; no channel "${channel}", so the default`,
          message,
        };

  const picked = event.type === 'custom' ? CHANNEL_LINE.exec(event.message) : null;
  if (picked) {
    const message = event.message.slice(picked[0].length);
    return [fallback(picked[1] as string, `CHANNEL:${picked[1]}`, message)];
  }

  const severity = EVENT_SEVERITY[event.type] ?? 'info';
  const deliveries: Delivery[] = [];
  config.routes.forEach((route, index) => {
    if (!route.events.some((pattern) => picomatch.isMatch(event.type, pattern))) return;
    if (route.min_severity && SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(route.min_severity)) return;
    if (!filterHolds(route.tags, event.tags) || !filterHolds(route.labels, event.labels)) return;
    const delivery = fallback(route.channel, `route ${index + 1}`, event.message);
    if (!deliveries.some((d) => d.channel === delivery.channel)) deliveries.push(delivery);
  });
  return deliveries.length > 0
    ? deliveries
    : [{ channel: config.default_channel, reason: 'default', message: event.message }];
}

function filterHolds(filter: TagFilter | undefined, values: readonly string[]): boolean {
  if (!filter) return true;
  const has = (list: readonly string[] | undefined) => (list ?? []).some((v) => values.includes(v));
  if (filter.match && filter.match.length > 0 && !has(filter.match)) return false;
  return !has(filter.ignore);
}
