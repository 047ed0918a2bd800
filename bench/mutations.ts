/**
 * Mutations of real task files and comments, for the fuzz property test and the fuzz benchmark:
 * tokens that YAML, Markdown and the command parser treat specially, long runs of one character
 * (the shape that makes backtracking regexes quadratic), deleted and duplicated ranges, and alias
 * ladders ("billion laughs"). Deterministic for a given list of mutations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Mutation =
  | { readonly kind: 'insert'; readonly at: number; readonly token: string }
  | { readonly kind: 'repeat'; readonly at: number; readonly char: string; readonly count: number }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'aliases'; readonly at: number; readonly depth: number };

export const TOKENS: readonly string[] = [
  '&a ',
  '*a',
  '[*a, *a, *a]',
  '---\n',
  '...\n',
  '\r\n',
  ':',
  ': ',
  '#',
  '`',
  '"',
  "'",
  '- ',
  '\t',
  '\u0000',
  '\uFEFF',
  '{',
  '}',
  '[',
  ']',
  '!',
  '!!binary ',
  '%YAML 1.2\n',
  '|\n',
  '>\n',
  'status: done\n',
  'status: [a, b]\n',
  'id: \n',
  'depends_on: [x, y, x]\n',
  'Task: x\n',
  'Task: `a`\n',
  '/coordinator block stuck\n',
  '/coordinator complete a b\n',
  '```\n',
  '## Notes\n',
  '## Summary\n',
  '> To be filled on completion\n',
  '\u{1F600}',
];

export const REPEATED: readonly string[] = [' ', '-', '/', 'a', ':', '\n', '`', '#', '*', '&'];

/** Applies mutations in order (positions are taken modulo the current length). */
export function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'insert':
        out = out.slice(0, at) + m.token + out.slice(at);
        break;
      case 'repeat':
        out = out.slice(0, at) + m.char.repeat(m.count) + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
      case 'duplicate':
        out = out.slice(0, at) + out.slice(at, at + m.length) + out.slice(at);
        break;
      case 'aliases':
        out = out.slice(0, at) + aliasLadder(m.depth) + out.slice(at);
        break;
    }
  }
  return out;
}

/** `depth` levels of nine aliases each: 9^depth strings from a few hundred bytes. */
export function aliasLadder(depth: number): string {
  const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= depth; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

/** A random mutation list from a [0,1) source (the benchmark's seeded PRNG). */
export function randomMutations(random: () => number, maxCount = 4, maxRepeat = 20_000): Mutation[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const n = 1 + Math.floor(random() * maxCount);
  return Array.from({ length: n }, (): Mutation => randomMutation(random, pick, maxRepeat));
}

function randomMutation(
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
  maxRepeat: number,
): Mutation {
  const at = Math.floor(random() * 4_000);
  const kind = pick(['insert', 'insert', 'repeat', 'delete', 'duplicate', 'aliases'] as const);
  switch (kind) {
    case 'insert':
      return { kind, at, token: pick(TOKENS) };
    case 'repeat':
      return { kind, at, char: pick(REPEATED), count: 1 + Math.floor(random() * maxRepeat) };
    case 'delete':
    case 'duplicate':
      return { kind, at, length: Math.floor(random() * 400) };
    case 'aliases':
      return { kind, at, depth: 1 + Math.floor(random() * 9) };
  }
}

/** Every task file of the real graphs in `dir` (`../shared/taskgraphs`), with its path. */
export function realTaskFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const file of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (!file.endsWith('.md') || file.endsWith('README.md')) continue;
    out.push({ path: file.split(path.sep).join('/'), text: readFileSync(path.join(dir, file), 'utf8') });
  }
  return out;
}

/** Comments as maintainers write them. */
export const REAL_COMMENTS: readonly string[] = [
  'Sorry, stuck.\n/coordinator block waiting for the vendor API key\nthanks',
  '/coordinator status',
  '> /coordinator merge\nquoted, not run',
  '```\n/coordinator hold\n```\n/coordinator unhold',
  '/coordinator priority high\n/coordinator notify CHANNEL:alerts release is blocked',
  'Reviewed: looks good.\n/coordinator complete review/core-foundation',
];
