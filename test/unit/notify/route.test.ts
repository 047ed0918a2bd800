import { describe, expect, it } from 'vitest';
import { type RoutableEvent, type RoutingConfig, routeEvent } from '../../../src/domain/notify/route.js';

const config: RoutingConfig = {
  default_channel: 'general',
  routes: [
    { events: ['merge.*', 'graph.invalid', 'task.blocked'], channel: 'alerts' },
    { events: ['task.*'], tags: { match: ['security'] }, channel: 'security' },
    { events: ['*'], min_severity: 'error', channel: 'oncall' },
    { events: ['task.merged'], labels: { ignore: ['quiet'] }, channel: 'general' },
    { events: ['task.ready'], channel: 'agents-typo' },
  ],
};
const known = new Set(['general', 'alerts', 'security', 'oncall']);
const ev = (type: string, fields: Partial<RoutableEvent> = {}): RoutableEvent => ({
  type,
  tags: [],
  labels: [],
  message: 'm',
  ...fields,
});
const channels = (event: RoutableEvent) =>
  routeEvent(event, config, known).map((d) => `${d.channel} (${d.reason})`);

describe('routeEvent', () => {
  it.each<[string, RoutableEvent, string[]]>([
    ['a glob picks a family', ev('merge.conflict'), ['alerts (route 1)']],
    [
      'an error also reaches on-call by severity',
      ev('merge.failed'),
      ['alerts (route 1)', 'oncall (route 3)'],
    ],
    ['every matching route delivers', ev('graph.invalid'), ['alerts (route 1)', 'oncall (route 3)']],
    [
      'a tag filter that matches',
      ev('task.blocked', { tags: ['security', 'api'] }),
      ['alerts (route 1)', 'security (route 2)'],
    ],
    ['a tag filter that does not', ev('task.stalled', { tags: ['api'] }), ['general (default)']],
    ['an ignored label silences a route', ev('task.merged', { labels: ['quiet'] }), ['general (default)']],
    ['a label not ignored', ev('task.merged', { labels: ['loud'] }), ['general (route 4)']],
    ['min_severity keeps info away', ev('generation.completed'), ['general (default)']],
    [
      'an unknown channel key falls back to the default',
      ev('task.ready'),
      ['general (route 5; no channel "agents-typo", so the default)'],
    ],
    [
      'a custom message picks its channel',
      ev('custom', { message: 'CHANNEL:alerts\nstaging is down' }),
      ['alerts (CHANNEL:alerts)'],
    ],
    [
      'an unknown picked channel goes to the default',
      ev('custom', { message: 'CHANNEL:nope\nhello' }),
      ['general (CHANNEL:nope; no channel "nope", so the default)'],
    ],
    [
      'a custom message without a CHANNEL line is routed normally',
      ev('custom', { message: 'hello' }),
      ['general (default)'],
    ],
  ])('%s', (_intent, event, expected) => {
    expect(channels(event)).toEqual(expected);
  });

  it('removes the CHANNEL line from the message it delivers', () => {
    expect(
      routeEvent(ev('custom', { message: 'CHANNEL:alerts\nstaging is down' }), config, known)[0]?.message,
    ).toBe('staging is down');
  });

  it('never delivers twice to one channel', () => {
    const twice: RoutingConfig = {
      default_channel: 'general',
      routes: [
        { events: ['merge.*'], channel: 'alerts' },
        { events: ['merge.failed'], channel: 'alerts' },
      ],
    };
    expect(routeEvent(ev('merge.failed'), twice, known)).toHaveLength(1);
  });

  it('sends everything to the default channel with no routes', () => {
    expect(routeEvent(ev('task.merged'), { default_channel: 'general', routes: [] }, known)).toEqual([
      { channel: 'general', reason: 'default', message: 'm' },
    ]);
  });
});
