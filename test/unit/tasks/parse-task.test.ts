import { describe, expect, it } from 'vitest';
import { parseTaskFile } from '../../../src/domain/tasks/parse-task.js';

const parse = (text: string) => parseTaskFile({ path: 'tasks/x.md', text });
const codes = (text: string) => parse(text).diagnostics.map((d) => `${d.code}@${d.line}`);

describe('parseTaskFile: what is read', () => {
  it('reads every known field of a wraith-style file', () => {
    const { task, diagnostics } = parse(
      [
        '---',
        'id: server/handler',
        'name: Implement ServerHandler — russh server handler',
        'status: in-progress',
        'depends_on:',
        '  - auth/server-auth-handler',
        '  - transport/trait-and-types',
        'scope: moderate',
        'risk: medium',
        'impact: component',
        'level: implementation',
        'tags: [server, auth]',
        'priority: high',
        'created: 2026-06-02T09:02:55.123456789Z',
        'modified: 2026-06-02',
        'owner: glm-5.1',
        '---',
        '',
        '## Description',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
    expect(task).toMatchObject({
      id: 'server/handler',
      name: 'Implement ServerHandler — russh server handler',
      status: 'in-progress',
      dependsOn: ['auth/server-auth-handler', 'transport/trait-and-types'],
      scope: 'moderate',
      risk: 'medium',
      impact: 'component',
      level: 'implementation',
      tags: ['server', 'auth'],
      priority: 1,
      created: '2026-06-02T09:02:55.123456789Z',
      modified: '2026-06-02',
      extra: { owner: 'glm-5.1' },
    });
    expect(Object.fromEntries(task?.lines.keys() ?? [])).toMatchObject({
      id: 2,
      name: 3,
      status: 4,
      depends_on: 5,
      modified: 15,
    });
    expect([
      task?.lines.id,
      task?.lines.status,
      task?.lines.dependency(0),
      task?.lines.dependency(1),
    ]).toEqual([2, 4, 6, 7]);
  });

  it.each([
    ['flow-style depends_on', 'depends_on: [a, b]', ['a', 'b']],
    ['dependsOn spelling', 'dependsOn:\n  - a', ['a']],
    ['a single id', 'depends_on: a', ['a']],
    ['empty value', 'depends_on:', []],
    ['empty flow list', 'depends_on: []', []],
    ['duplicates removed', 'depends_on: [a, b, a]', ['a', 'b']],
    ['integer ids read as text', 'depends_on: [7, 8]', ['7', '8']],
  ])('depends_on: %s', (_intent, line, expected) => {
    const { task, diagnostics } = parse(`---\nid: t\nname: T\n${line}\n---\n`);
    expect(diagnostics).toEqual([]);
    expect(task?.dependsOn).toEqual(expected);
  });

  it.each([
    ['missing status reads as pending', '', 'pending'],
    ['empty status reads as pending', 'status:', 'pending'],
    ['completed', 'status: completed', 'completed'],
    ['blocked', 'status: blocked', 'blocked'],
    ['done is an alias of completed', 'status: done', 'completed'],
  ])('status: %s', (_intent, line, expected) => {
    expect(parse(`---\nid: t\nname: T\n${line}\n---\n`).task?.status).toBe(expected);
  });

  it.each([
    ['integer', 'priority: 5', 5],
    ['negative integer', 'priority: -2', -2],
    ['high', 'priority: high', 1],
    ['normal', 'priority: normal', 0],
    ['low', 'priority: low', -1],
    ['absent', '', 0],
  ])('priority: %s', (_intent, line, expected) => {
    expect(parse(`---\nid: t\nname: T\n${line}\n---\n`).task?.priority).toBe(expected);
  });

  it('keeps the id from frontmatter, never from the path', () => {
    const result = parseTaskFile({
      path: 'tasks/task-high-risk.md',
      text: '---\nid: task-high-risk-decompose\nname: x\n---',
    });
    expect(result.task?.id).toBe('task-high-risk-decompose');
  });

  it('reads an unquoted integer id as its text', () => {
    expect(parse('---\nid: 42\nname: T\n---').task?.id).toBe('42');
  });

  it('skips a file without frontmatter', () => {
    expect(parse('# Notes\n\nnot a task')).toEqual({
      file: 'tasks/x.md',
      isTask: false,
      task: null,
      diagnostics: [],
    });
  });
});

describe('parseTaskFile: diagnostics', () => {
  it.each([
    ['unclosed frontmatter', '---\nid: a\nname: b\n', ['invalid-frontmatter@1']],
    [
      'YAML syntax error points at its line',
      '---\nid: a\nname: [b\nstatus: x\n---\n',
      ['invalid-frontmatter@4'],
    ],
    ['a list instead of a mapping', '---\n- a\n- b\n---\n', ['invalid-frontmatter@2']],
    ['a bare string', '---\njust text\n---\n', ['invalid-frontmatter@2']],
    ['missing id', '---\nname: b\n---\n', ['missing-field@1']],
    ['missing name', '---\nid: a\n---\n', ['missing-field@1']],
    ['empty frontmatter lacks both', '---\n---\n', ['missing-field@1', 'missing-field@1']],
    ['empty name is invalid, not missing', '---\nid: a\nname: ""\n---\n', ['invalid-value@3']],
    ['unknown status', '---\nid: a\nname: b\nstatus: finished\n---\n', ['invalid-value@4']],
    ['status case matters', '---\nid: a\nname: b\nstatus: Completed\n---\n', ['invalid-value@4']],
    ['unknown scope', '---\nid: a\nname: b\nscope: huge\n---\n', ['invalid-value@4']],
    ['unknown risk', '---\nid: a\nname: b\nrisk: extreme\n---\n', ['invalid-value@4']],
    ['unknown impact', '---\nid: a\nname: b\nimpact: world\n---\n', ['invalid-value@4']],
    ['unknown level', '---\nid: a\nname: b\nlevel: epic\n---\n', ['invalid-value@4']],
    ['depends_on as a mapping', '---\nid: a\nname: b\ndepends_on: {x: 1}\n---\n', ['invalid-value@4']],
    ['fractional priority', '---\nid: a\nname: b\npriority: 1.5\n---\n', ['invalid-value@4']],
    ['id as a list', '---\nid: [a]\nname: b\n---\n', ['invalid-value@2']],
    ['done warns with status-alias', '---\nid: a\nname: b\nstatus: done\n---\n', ['status-alias@4']],
    ['unknown keys are kept, not errors', '---\nid: a\nname: b\nowner: me\n---\n', []],
  ])('%s', (_intent, text, expected) => {
    expect(codes(text)).toEqual(expected);
  });

  it('still builds the task when an optional field is invalid, so dependents are not misreported', () => {
    const result = parse('---\nid: a\nname: b\nrisk: extreme\n---\n');
    expect(result.task).toMatchObject({ id: 'a', risk: undefined });
  });

  it('gives no task when the id is unusable', () => {
    expect(parse('---\nname: b\n---\n').task).toBeNull();
  });

  it('names the task in diagnostics when the id is readable', () => {
    expect(parse('---\nid: a\nname: b\nstatus: x\n---\n').diagnostics[0]).toMatchObject({
      code: 'invalid-value',
      severity: 'error',
      file: 'tasks/x.md',
      taskId: 'a',
      message: 'status must be one of pending, in-progress, completed, failed, blocked, got "x"',
    });
  });
});
