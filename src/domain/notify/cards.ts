/**
 * Adaptive Cards for Teams, built only from elements that exist since card schema 1.2 (TextBlock,
 * FactSet, Container, Action.OpenUrl) and declared as version 1.4, inside the Workflows envelope
 * `{"type":"message","attachments":[{contentType, content}]}`. A whole post stays under 28 KB: long
 * text is truncated. (Source: shared PLATFORM-NOTES.md, "Microsoft Teams".) Pure: data in, JSON out.
 */
import type { Severity } from './route.js';

/** Teams rejects posts over about 28 KB; stay under this many UTF-8 bytes per post. */
export const MAX_POST_BYTES = 28_000;
const MAX_FACT_CHARS = 300;
const MAX_ACTIONS = 3;

export interface CardFact {
  readonly title: string;
  readonly value: string;
}

export interface CardLink {
  readonly title: string;
  readonly url: string;
}

/** One event as a card: a title with a severity marker, facts, a short body, up to 3 buttons. */
export interface CardInput {
  readonly severity: Severity;
  readonly title: string;
  /** Facts such as repo, task, PR, generation, who; empty values are left out. */
  readonly facts: readonly CardFact[];
  readonly body: string;
  /** Buttons (PR, task file, check run); the first three are kept. */
  readonly links: readonly CardLink[];
}

export type CardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: '1.4'; body: unknown[] };

export interface WorkflowsMessage {
  readonly type: 'message';
  readonly attachments: readonly {
    contentType: 'application/vnd.microsoft.card.adaptive';
    content: CardJson;
  }[];
}

const MARKER: Record<Severity, { label: string; color: string }> = {
  error: { label: '🔴 Error', color: 'Attention' },
  warning: { label: '🟠 Warning', color: 'Warning' },
  info: { label: '🔵 Info', color: 'Accent' },
};

/** The card for one event. */
export function eventCard(input: CardInput): CardJson {
  return fitCard((body) => buildEventCard(input, body), input.body);
}

/** One card listing several events for a channel (sent when many pile up within a minute). */
export function digestCard(input: {
  title: string;
  events: readonly { severity: Severity; line: string }[];
}): CardJson {
  const shown = input.events.slice(0, 25);
  const more = input.events.length - shown.length;
  const worst =
    (['error', 'warning', 'info'] as const).find((s) => input.events.some((e) => e.severity === s)) ?? 'info';
  const lines = shown.map((e) => `${MARKER[e.severity].label.split(' ')[0]} ${e.line}`);
  if (more > 0) lines.push(`… and ${more} more`);
  return fitCard(
    (text) => ({
      ...root(),
      body: [
        titleBlock(worst, `${input.title} (${input.events.length} events)`),
        {
          type: 'Container',
          items: text
            .split('\n')
            .map((line) => ({ type: 'TextBlock', text: line, wrap: true, spacing: 'Small' })),
        },
      ],
    }),
    lines.join('\n'),
  );
}

/** Wraps cards in the envelope the Workflows "When a Teams webhook request is received" trigger expects. */
export function workflowsMessage(cards: readonly CardJson[]): WorkflowsMessage {
  return {
    type: 'message',
    attachments: cards.map((content) => ({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content,
    })),
  };
}

/** UTF-8 size of a post carrying these cards. */
export function postBytes(cards: readonly CardJson[]): number {
  return Buffer.byteLength(JSON.stringify(workflowsMessage(cards)), 'utf8');
}

function buildEventCard(input: CardInput, body: string): CardJson {
  const facts = input.facts
    .filter((f) => f.value.trim() !== '')
    .map((f) => ({ title: f.title, value: clip(f.value, MAX_FACT_CHARS) }));
  const links = input.links.slice(0, MAX_ACTIONS);
  return {
    ...root(),
    body: [
      titleBlock(input.severity, input.title),
      ...(facts.length > 0 ? [{ type: 'FactSet', facts }] : []),
      ...(body.trim() !== '' ? [{ type: 'TextBlock', text: body, wrap: true }] : []),
    ],
    ...(links.length > 0
      ? { actions: links.map((l) => ({ type: 'Action.OpenUrl', title: l.title, url: l.url })) }
      : {}),
  };
}

function root(): { type: 'AdaptiveCard'; version: '1.4'; $schema: string } {
  return {
    type: 'AdaptiveCard',
    version: '1.4',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  };
}

function titleBlock(severity: Severity, title: string) {
  return {
    type: 'TextBlock',
    text: `${MARKER[severity].label}: ${clip(title, 200)}`,
    weight: 'Bolder',
    size: 'Medium',
    color: MARKER[severity].color,
    wrap: true,
  };
}

/** Builds the card, keeping the longest prefix of `text` whose post fits in MAX_POST_BYTES. */
function fitCard(build: (text: string) => CardJson, text: string): CardJson {
  const full = build(text);
  if (postBytes([full]) <= MAX_POST_BYTES) return full;
  const cut = (length: number) => {
    // Never split a surrogate pair (4-byte characters are two UTF-16 units).
    const end = length > 0 && /[\uD800-\uDBFF]/.test(text.charAt(length - 1)) ? length - 1 : length;
    return build(`${text.slice(0, end)}\n… (truncated)`);
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (postBytes([cut(mid)]) <= MAX_POST_BYTES) low = mid;
    else high = mid - 1;
  }
  return cut(low);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
