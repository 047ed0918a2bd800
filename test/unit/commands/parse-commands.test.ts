import { describe, expect, it } from 'vitest';
import { authorize, type Permission } from '../../../src/domain/commands/authorize.js';
import {
  MAX_COMMANDS_PER_COMMENT,
  MAX_COMMENT_CHARS,
  parseComment,
  type Verb,
} from '../../../src/domain/commands/parse-commands.js';

/** Commands as readable strings: `merge@1`, `block(flaky CI)@2`, errors as `!line: message`. */
function read(body: string): string[] {
  const { commands, errors } = parseComment(body);
  return [
    ...commands.map((c) => {
      const arg =
        c.verb === 'block'
          ? c.reason
          : c.verb === 'complete'
            ? c.taskId
            : c.verb === 'notify'
              ? `${c.channel ?? '-'}|${c.message}`
              : c.verb === 'priority'
                ? JSON.stringify(c.priority)
                : null;
      return `${c.verb}${arg === null ? '' : `(${arg})`}@${c.line}`;
    }),
    ...errors.map((e) => `!${e.line}: ${e.message}`),
  ];
}

describe('parseComment', () => {
  it.each<[string, string, string[]]>([
    ['a plain command', '/coordinator merge', ['merge@1']],
    ['case-insensitive', '/Coordinator MERGE', ['merge@1']],
    ['aliases queue and done', '/coordinator queue\n/coordinator done', ['merge@1', 'merge@2']],
    ['alias cancel', '/coordinator cancel', ['dequeue@1']],
    [
      'several per comment, other lines ignored',
      'Looks good!\n/coordinator hold\nthanks\n/coordinator status',
      ['hold@2', 'status@4'],
    ],
    ['extra spaces', '/coordinator    block    flaky   CI  ', ['block(flaky   CI)@1']],
    ['up to three leading spaces', '   /coordinator sync', ['sync@1']],
    ['CRLF line endings', 'hi\r\n/coordinator retry\r\n', ['retry@2']],
    [
      'block keeps the whole reason',
      '/coordinator block waiting on the API team (see #12)',
      ['block(waiting on the API team (see #12))@1'],
    ],
    [
      'complete takes a task id with slashes',
      '/coordinator complete review/core-foundation',
      ['complete(review/core-foundation)@1'],
    ],
    ['priority names', '/coordinator priority HIGH', ['priority({"named":"high"})@1']],
    ['priority integers', '/coordinator priority -3', ['priority({"value":-3})@1']],
    [
      'notify to a channel',
      '/coordinator notify CHANNEL:alerts build is red',
      ['notify(alerts|build is red)@1'],
    ],
    ['notify to the default channel', '/coordinator notify shipped!', ['notify(-|shipped!)@1']],
    ['help', '/coordinator help', ['help@1']],
  ])('reads %s', (_intent, body, expected) => {
    expect(read(body)).toEqual(expected);
  });

  it.each<[string, string, string[]]>([
    ['the prefix alone', '/coordinator', ['!1: no verb given; try `/coordinator help`']],
    ['an unknown verb', '/coordinator deploy', ['!1: unknown verb "deploy"; try `/coordinator help`']],
    [
      'block without a reason',
      '/coordinator block',
      ['!1: `block` needs a reason: `/coordinator block <reason>`'],
    ],
    [
      'complete without an id',
      '/coordinator complete',
      ['!1: `complete` takes one task id: `/coordinator complete <task-id>`'],
    ],
    [
      'complete with two ids',
      '/coordinator complete a b',
      ['!1: `complete` takes one task id: `/coordinator complete <task-id>`'],
    ],
    [
      'a bad priority',
      '/coordinator priority urgent',
      ['!1: priority "urgent" is not high, normal, low or an integer'],
    ],
    ['arguments where none are taken', '/coordinator merge now please', ['!1: `merge` takes no arguments']],
    [
      'notify without a message',
      '/coordinator notify CHANNEL:alerts',
      ['!1: `notify` needs a message: `/coordinator notify [CHANNEL:<key>] <message>`'],
    ],
  ])('refuses %s', (_intent, body, expected) => {
    expect(read(body)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['a fenced code block', 'Run this:\n```\n/coordinator merge\n```'],
    ['a tilde fence with a language', '~~~sh\n/coordinator merge\n~~~'],
    ['a quoted reply', '> /coordinator merge\nI agree with the above'],
    ['a nested quote', '> > /coordinator block x'],
    ['indented code', '    /coordinator merge'],
    ['inline mention mid-line', 'please run /coordinator merge'],
    ['a longer word', '/coordinators merge'],
  ])('ignores %s', (_intent, body) => {
    expect(read(body)).toEqual([]);
  });

  it('resumes after a closed fence', () => {
    expect(read('```\n/coordinator hold\n```\n/coordinator merge')).toEqual(['merge@4']);
  });

  it('takes at most the first commands of a very long comment, quickly', () => {
    const body = `${'words '.repeat(5_000)}\n${'/coordinator status\n'.repeat(500)}${'x'.repeat(1_000_000)}`;
    const { commands, errors } = parseComment(body);
    expect(commands).toHaveLength(MAX_COMMANDS_PER_COMMENT);
    expect(errors).toHaveLength(490);
    expect(errors[0]?.message).toBe('at most 10 commands are taken from one comment');
  });

  it('reads only the first 64 KB (GitHub keeps no longer comment body)', () => {
    const filler = `${'x'.repeat(MAX_COMMENT_CHARS - 40)}\n`;
    expect(parseComment(`${filler}/coordinator hold\n`).commands.map((c) => c.verb)).toEqual(['hold']);
    expect(parseComment(`${filler}${'y'.repeat(100)}\n/coordinator hold\n`).commands).toEqual([]);
  });

  it('clips what it echoes back', () => {
    const { errors } = parseComment(`/coordinator ${'x'.repeat(500)}`);
    expect(errors[0]?.text.length).toBeLessThanOrEqual(100);
    expect(errors[0]?.message.length).toBeLessThan(100);
  });
});

describe('authorize', () => {
  const writers: Permission[] = ['admin', 'maintain', 'write'];
  const others: Permission[] = ['triage', 'read', 'none'];
  const mutating: Verb[] = [
    'merge',
    'dequeue',
    'hold',
    'unhold',
    'block',
    'unblock',
    'retry',
    'priority',
    'complete',
    'sync',
    'notify',
  ];

  it.each(writers.flatMap((p) => mutating.map((v) => [v, p] as const)))(
    '%s is allowed for %s',
    (verb, permission) => {
      expect(authorize({ verb, permission, isSelf: false })).toEqual({ allowed: true });
    },
  );

  it.each(others.flatMap((p) => mutating.map((v) => [v, p] as const)))(
    '%s is refused for %s, saying why',
    (verb, permission) => {
      const result = authorize({ verb, permission, isSelf: false });
      expect(result).toMatchObject({ allowed: false });
      if (!result.allowed) expect(result.reason).toContain('needs write access');
    },
  );

  it.each<Verb>(['status', 'help'])('%s is open to anyone who can comment', (verb) => {
    expect(authorize({ verb, permission: 'none', isSelf: false })).toEqual({ allowed: true });
  });

  it('never takes commands from the app itself', () => {
    expect(authorize({ verb: 'status', permission: 'admin', isSelf: true })).toMatchObject({
      allowed: false,
    });
  });
});
