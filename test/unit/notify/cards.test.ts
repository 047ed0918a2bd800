import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type CardJson,
  digestCard,
  eventCard,
  MAX_POST_BYTES,
  postBytes,
  workflowsMessage,
} from '../../../src/domain/notify/cards.js';
import { EVENT_SEVERITY } from '../../../src/domain/notify/route.js';

// `require('adaptivecards')` fails in Node; its UMD build parses without a DOM (PLATFORM-NOTES.md).
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js');

/** Parse and validation events of a card at a target schema version (empty: valid there). */
function cardEvents(card: CardJson, version: '1.2' | '1.4'): string[] {
  const context = new AC.SerializationContext(version === '1.2' ? AC.Versions.v1_2 : AC.Versions.v1_4);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const events: string[] = [];
  for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i).message);
  for (const e of parsed.validateProperties().validationEvents) events.push(e.message);
  return events;
}

const sample = (type: string) =>
  eventCard({
    severity: EVENT_SEVERITY[type] ?? 'info',
    title: `${type}: server/handler`,
    facts: [
      { title: 'Repository', value: 'acme/widgets' },
      { title: 'Task', value: 'server/handler' },
      { title: 'PR', value: '#12' },
      { title: 'Generation', value: '5' },
      { title: 'Who', value: '' },
    ],
    body: 'Required checks failed on the merge result: ci',
    links: [
      { title: 'Open PR', url: 'https://github.com/acme/widgets/pull/12' },
      { title: 'Task file', url: 'https://github.com/acme/widgets/blob/main/tasks/server/handler.md' },
      { title: 'Check run', url: 'https://github.com/acme/widgets/runs/1' },
      { title: 'Fourth', url: 'https://example.com' },
    ],
  });

const cards: [string, CardJson][] = [
  ...Object.keys(EVENT_SEVERITY).map((type): [string, CardJson] => [type, sample(type)]),
  [
    'digest',
    digestCard({
      title: 'acme/widgets',
      events: [
        { severity: 'info', line: 'server/handler merged (#12)' },
        { severity: 'error', line: 'merge failed for #13' },
      ],
    }),
  ],
];

describe.each(cards)('the %s card', (_type, card) => {
  it('parses and validates with no event at schema 1.4 and at 1.2', () => {
    expect(cardEvents(card, '1.4')).toEqual([]);
    expect(cardEvents(card, '1.2')).toEqual([]);
  });

  it('declares version 1.4 and uses only 1.2-era elements', () => {
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const types = JSON.stringify(card).match(/"type":"[^"]+"/g) ?? [];
    for (const t of types)
      expect([
        '"type":"AdaptiveCard"',
        '"type":"TextBlock"',
        '"type":"FactSet"',
        '"type":"Container"',
        '"type":"Action.OpenUrl"',
      ]).toContain(t);
  });

  it('matches its snapshot', () => {
    expect(card).toMatchSnapshot();
  });
});

describe('cards', () => {
  it('leave out empty facts and keep at most 3 buttons', () => {
    const card = sample('merge.failed') as unknown as {
      body: { type: string; facts?: unknown[] }[];
      actions: unknown[];
    };
    expect(card.body.find((b) => b.type === 'FactSet')?.facts).toHaveLength(4);
    expect(card.actions).toHaveLength(3);
  });

  it('are wrapped in the Workflows envelope, several per post', () => {
    const message = workflowsMessage([sample('task.merged'), sample('task.ready')]);
    expect(message.type).toBe('message');
    expect(message.attachments.map((a) => a.contentType)).toEqual([
      'application/vnd.microsoft.card.adaptive',
      'application/vnd.microsoft.card.adaptive',
    ]);
    expect(message.attachments[0]?.content.type).toBe('AdaptiveCard');
  });

  it.each([
    ['ASCII', 'x'.repeat(100_000)],
    ['4-byte characters', '🚀'.repeat(40_000)],
  ])('truncate long %s text so a post stays under 28 KB', (_intent, body) => {
    const card = eventCard({ severity: 'error', title: 't', facts: [], body, links: [] });
    expect(postBytes([card])).toBeLessThanOrEqual(MAX_POST_BYTES);
    expect(postBytes([card])).toBeGreaterThan(MAX_POST_BYTES - 2_000);
    expect(JSON.stringify(card)).toContain('(truncated)');
    expect(cardEvents(card, '1.2')).toEqual([]);
  });

  it('digest long lists with a count of the rest', () => {
    const events = Array.from({ length: 40 }, (_, i) => ({
      severity: 'info' as const,
      line: `task ${i} merged`,
    }));
    const text = JSON.stringify(digestCard({ title: 'acme/widgets', events }));
    expect(text).toContain('(40 events)');
    expect(text).toContain('… and 15 more');
  });
});
