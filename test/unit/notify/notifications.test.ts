import { describe, expect, it } from 'vitest';
import { SqlStore } from '../../../src/adapters/store/sql-store.js';
import { parseChannels } from '../../../src/adapters/teams/channels-file.js';
import { Notifier } from '../../../src/coordinator/notifier.js';
import type { CoordinatorEvent } from '../../../src/domain/merge/types.js';
import { type EventContext, notificationsFor } from '../../../src/domain/notify/notifications.js';

const context: EventContext = {
  owner: 'acme',
  repo: 'widgets',
  repoUrl: 'https://github.com/acme/widgets',
  baseBranch: 'main',
  routing: {
    default_channel: 'general',
    routes: [
      { events: ['merge.*', 'task.blocked'], channel: 'alerts' },
      { events: ['task.*'], tags: { match: ['security'] }, channel: 'security' },
    ],
  },
  knownChannels: new Set(['general', 'alerts', 'security']),
  task: (id) =>
    id === 'auth/login' ? { tags: ['security'], path: 'tasks/auth/login.md', generation: 2 } : undefined,
  pull: (n) => (n === 7 ? { labels: ['bug'], url: 'https://github.com/acme/widgets/pull/7' } : undefined),
};

const event = (type: CoordinatorEvent['type'], fields: Partial<CoordinatorEvent> = {}): CoordinatorEvent => ({
  type,
  key: `${type}:k`,
  taskId: null,
  pull: null,
  message: `${type} happened`,
  ...fields,
});

describe('notificationsFor', () => {
  it.each<[string, CoordinatorEvent, string[]]>([
    ['a conflict goes to alerts only', event('merge.conflict', { taskId: 'x', pull: 3 }), ['alerts']],
    [
      'a merged security task goes to security',
      event('task.merged', { taskId: 'auth/login', pull: 7 }),
      ['security'],
    ],
    [
      'a blocked security task goes to both',
      event('task.blocked', { taskId: 'auth/login' }),
      ['alerts', 'security'],
    ],
    ['no route: the default channel', event('generation.completed'), ['general']],
    [
      'a custom message picks its channel',
      event('custom', { message: 'CHANNEL:alerts\nheads up' }),
      ['alerts'],
    ],
  ])('%s', (_intent, e, channels) => {
    expect(notificationsFor(e, context).map((n) => n.channel)).toEqual(channels);
  });

  it('keys each delivery by repo, event key and channel', async () => {
    const [n] = notificationsFor(event('merge.failed', { key: 'merge.failed:7:abc' }), context);
    expect(n?.dedupeKey).toBe('acme/widgets:merge.failed:7:abc:alerts');
  });

  it('builds the card: severity, title with the task, facts, links to the PR and the task file', async () => {
    const [n] = notificationsFor(
      event('task.merged', {
        taskId: 'auth/login',
        pull: 7,
        actor: 'ana',
        message: 'auth/login merged (#7)',
      }),
      context,
    );
    expect(n?.payload.card).toEqual({
      severity: 'info',
      title: 'Task merged: auth/login',
      facts: [
        { title: 'Repository', value: 'acme/widgets' },
        { title: 'Task', value: 'auth/login' },
        { title: 'Pull request', value: '#7' },
        { title: 'Generation', value: '2' },
        { title: 'Who', value: '@ana' },
      ],
      body: 'auth/login merged (#7)',
      links: [
        { title: 'Open #7', url: 'https://github.com/acme/widgets/pull/7' },
        { title: 'Task file', url: 'https://github.com/acme/widgets/blob/main/tasks/auth/login.md' },
      ],
    });
    expect(n?.payload.line).toBe('acme/widgets: Task merged: auth/login (#7)');
  });

  it.each([
    [
      event('merge.refused', {
        message:
          'GitHub refused the dashboard issue (403: Resource not accessible by integration); the app needs issues: write.',
      }),
      'GitHub refused a write',
      'acme/widgets: GitHub refused a write — GitHub refused the dashboard issue (403: Resource not accessible by integration); the app needs issues: write.',
    ],
    [
      event('merge.refused', { taskId: 'auth/login', pull: 7, message: 'refused' }),
      'GitHub refused the merge: auth/login',
      'acme/widgets: GitHub refused the merge: auth/login (#7)',
    ],
    [
      event('graph.invalid', { message: `cycle: a -> b -> a\nmore ${'x'.repeat(300)}` }),
      'Task graph invalid',
      'acme/widgets: Task graph invalid — cycle: a -> b -> a',
    ],
  ])('a repository-level event says what happened in its digest line (%#)', (e, title, line) => {
    const [n] = notificationsFor(e, context);
    expect(n?.payload.card.title).toBe(title);
    expect(n?.payload.line).toBe(line);
  });

  it('strips the CHANNEL line from a custom message body', async () => {
    const [n] = notificationsFor(event('custom', { message: 'CHANNEL:alerts\nheads up' }), context);
    expect(n?.payload.card.body).toBe('heads up');
  });
});

describe('Notifier', () => {
  const log = { info: () => {}, debug: () => {}, warn: () => {} };
  const channels = parseChannels({
    acme: { general: 'https://x.logic.azure.com/workflows/g/triggers/manual/paths/invoke?sig=G' },
  });

  it('enqueues each fact once however often it is published; on first sight older facts stay quiet', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const notifier = new Notifier({ store, channels, now: () => 1, log });
    const ctx = { ...context, knownChannels: notifier.knownChannels('acme') };
    // First sight of the repository: a ready task is news, a completed graph predates the app.
    const events = [event('task.ready', { key: 'task.ready:b' }), event('graph.completed', { key: 'g' })];
    expect(await notifier.publish(ctx, events)).toBe(1);
    expect(await notifier.publish(ctx, events)).toBe(0);
    expect((await store.events('acme/widgets')).map((e) => e.key)).toEqual(['task.ready:b', 'g']);
    // Later facts are posted, each once, even after its outbox row was delivered.
    const merged = [event('task.merged', { key: 'task.merged:a:1' })];
    expect(await notifier.publish(ctx, merged)).toBe(1);
    await store.delivered((await store.pending(10)).map((i) => i.id));
    expect(await notifier.publish(ctx, merged)).toBe(0);
    expect(await store.pending(10)).toEqual([]);
    await store.close();
  });

  it('enqueues nothing for an owner with no channels on this server', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const notifier = new Notifier({ store, channels, now: () => 1, log });
    const ctx = { ...context, owner: 'other', knownChannels: notifier.knownChannels('other') };
    expect(await notifier.publish(ctx, [event('task.ready')])).toBe(0);
    expect(await store.pending(10)).toEqual([]);
    await store.close();
  });
});
