/**
 * Comment commands: lines starting with `/coordinator <verb> [args]` (case-insensitive) in a PR or
 * issue comment. Several may appear in one comment; every other line is ignored, and so are lines in
 * fenced code blocks, indented code (4+ spaces), and quoted replies (`>`), so quoting someone's command
 * never re-runs it. Pure: text in, commands and parse errors out.
 */

/** Every verb, after aliases. */
export const VERBS = [
  'merge',
  'dequeue',
  'hold',
  'unhold',
  'block',
  'unblock',
  'retry',
  'priority',
  'complete',
  'status',
  'sync',
  'notify',
  'adopt',
  'help',
] as const;
export type Verb = (typeof VERBS)[number];

const ALIASES: Readonly<Record<string, Verb>> = { queue: 'merge', done: 'merge', cancel: 'dequeue' };

/** At most this many commands are taken from one comment; the rest are refused. */
export const MAX_COMMANDS_PER_COMMENT = 10;

export type Priority = { readonly named: 'high' | 'normal' | 'low' } | { readonly value: number };

export type Command =
  | {
      readonly verb:
        | 'merge'
        | 'dequeue'
        | 'hold'
        | 'unhold'
        | 'unblock'
        | 'retry'
        | 'status'
        | 'sync'
        | 'adopt'
        | 'help';
      readonly line: number;
    }
  | { readonly verb: 'block'; readonly reason: string; readonly line: number }
  | { readonly verb: 'priority'; readonly priority: Priority; readonly line: number }
  | { readonly verb: 'complete'; readonly taskId: string; readonly line: number }
  | {
      readonly verb: 'notify';
      readonly channel: string | null;
      readonly message: string;
      readonly line: number;
    };

export interface CommandError {
  readonly line: number;
  /** What was written (trimmed, at most 100 characters). */
  readonly text: string;
  readonly message: string;
}

export interface ParsedComment {
  readonly commands: readonly Command[];
  readonly errors: readonly CommandError[];
}

const PREFIX = /^ {0,3}\/coordinator(?=\s|$)(.*)$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** How much of a comment is read, in characters (GitHub's own limit for a comment body). */
export const MAX_COMMENT_CHARS = 65_536;

/** Parses a comment body (1-based line numbers in results; at most `MAX_COMMENT_CHARS` are read). */
export function parseComment(body: string): ParsedComment {
  const commands: Command[] = [];
  const errors: CommandError[] = [];
  let fence: string | null = null;
  const lines = body.slice(0, MAX_COMMENT_CHARS).split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1] as string;
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const match = PREFIX.exec(line);
    if (!match) continue;
    const at = i + 1;
    if (commands.length + errors.length >= MAX_COMMANDS_PER_COMMENT) {
      errors.push(error(at, line, `at most ${MAX_COMMANDS_PER_COMMENT} commands are taken from one comment`));
      continue;
    }
    const result = parseCommand((match[1] ?? '').trim(), at);
    if ('message' in result && !('verb' in result)) errors.push({ ...result, text: clip(line) });
    else commands.push(result as Command);
  }
  return { commands, errors };
}

function parseCommand(rest: string, line: number): Command | { line: number; message: string } {
  const [word = '', ...words] = rest.split(/\s+/).filter(Boolean);
  const argText = rest.slice(word.length).trim(); // `rest` is trimmed and starts with the verb
  if (word === '') return { line, message: 'no verb given; try `/coordinator help`' };
  const lower = word.toLowerCase();
  const verb = ALIASES[lower] ?? (VERBS as readonly string[]).find((v) => v === lower);
  if (!verb) return { line, message: `unknown verb "${clip(word, 30)}"; try \`/coordinator help\`` };
  switch (verb) {
    case 'block':
      return argText
        ? { verb, reason: argText, line }
        : { line, message: '`block` needs a reason: `/coordinator block <reason>`' };
    case 'complete':
      if (words.length !== 1)
        return { line, message: '`complete` takes one task id: `/coordinator complete <task-id>`' };
      return { verb, taskId: words[0] as string, line };
    case 'priority': {
      const value = (words[0] ?? '').toLowerCase();
      if (words.length !== 1)
        return { line, message: '`priority` takes one of high, normal, low or an integer' };
      if (value === 'high' || value === 'normal' || value === 'low')
        return { verb, priority: { named: value }, line };
      if (/^[+-]?\d{1,6}$/.test(value)) return { verb, priority: { value: Number(value) }, line };
      return { line, message: `priority "${clip(value, 30)}" is not high, normal, low or an integer` };
    }
    case 'notify': {
      const channel = /^CHANNEL:(\S+)\s*/i.exec(argText);
      const message = channel ? argText.slice(channel[0].length).trim() : argText;
      if (!message)
        return { line, message: '`notify` needs a message: `/coordinator notify [CHANNEL:<key>] <message>`' };
      return { verb, channel: channel?.[1] ?? null, message, line };
    }
    default:
      if (words.length > 0) return { line, message: `\`${verb}\` takes no arguments` };
      return { verb, line } as Command;
  }
}

function error(line: number, text: string, message: string): CommandError {
  return { line, text: clip(text), message };
}

function clip(text: string, max = 100): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}
