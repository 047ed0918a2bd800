/**
 * Untrusted text has limits with clear diagnostics, and the parsers do work linear in it: ids of at
 * most 256 characters, task files of at most 1 MB, the first 64 KB of a PR body, YAML whose aliases
 * may not expand beyond 10,000 values. Inputs that took seconds to minutes before (a 200,000-character
 * id, a 1 MB one-line file, a 65 KB body, a long run of spaces in `## Notes`) are here; the
 * worst-case time per input is measured by `npm run bench -- fuzz`, not asserted in a test.
 */
import { describe, expect, it } from 'vitest';
import { aliasLadder } from '../../../bench/mutations.js';
import { MAX_BODY_CHARS, taskLine } from '../../../src/domain/merge/task-pulls.js';
import { normalizeTaskId } from '../../../src/domain/tasks/branch-names.js';
import { loadTaskGraph } from '../../../src/domain/tasks/load-graph.js';
import { addNote } from '../../../src/domain/tasks/status-edit.js';
import { topLevelKey } from '../../../src/domain/tasks/task-lines.js';
import { expandedSize, loadYaml, YamlError } from '../../../src/domain/tasks/yaml.js';

const diagnostics = (text: string) =>
  [...loadTaskGraph([{ path: 'tasks/x.md', text }]).errors].map((d) => `${d.code}@${d.line}: ${d.message}`);

describe('bounded input', () => {
  it('refuses an id longer than 256 characters with an invalid-value error on its line', () => {
    const id = `a${'-b'.repeat(100_000)}`;
    const [only, ...more] = diagnostics(`---\nname: x\nid: ${id}\n---\n`);
    expect(more).toEqual([]);
    expect(only).toMatch(
      /^invalid-value@3: id must be a non-empty string of at most 256 characters, got "a-b-b-b.{20,60}\.\.\.$/,
    );
    expect(normalizeTaskId(`A${'-/'.repeat(100_000)}B!`)).toBe(`a${'-/'.repeat(100_000)}b`);
    expect(normalizeTaskId(`x${'-/'.repeat(100_000)}`)).toBe('x');
    expect(normalizeTaskId(`  Some ID__With  Spaces!!  `)).toBe('some-id-with-spaces');
  });

  it('refuses a task file over 1 MB with one error on line 1, and reads one just under it', () => {
    const big = `---\nid: big\nname: Big\n---\n${'x'.repeat(1_048_577)}`;
    expect(diagnostics(big)).toEqual([
      'file-too-large@1: the task file is 1.0 MB; task files may be at most 1 MB',
    ]);
    const oneLine = `---\nid: a\nname: a\nstatus: nope\nx${' '.repeat(1_000_000)}y\n---\n`;
    expect(diagnostics(oneLine).map((d) => d.split(':')[0])).toEqual(['invalid-frontmatter@6']);
  });

  it("reads a PR body's Task line in its first 64 KB only, in one pass", () => {
    expect(taskLine(`Task: a${' '.repeat(65_000)}b`)).toBe(`a${' '.repeat(65_000)}b`.trim());
    expect(taskLine(`${'x\n'.repeat(40_000)}Task: late`)).toBeNull();
    expect(taskLine(`intro\n  task: \`cli/connect-command\`  \nTask: second`)).toBe('cli/connect-command');
    expect(taskLine(`${' '.repeat(MAX_BODY_CHARS - 10)}\nTask: x`)).toBe('x');
  });

  it('turns a billion-laughs block (a few hundred bytes) into an invalid-frontmatter error on its line', () => {
    const bomb = `---\nid: a\nname: a\n${aliasLadder(9)}tags: *l9\n---\n`;
    expect(bomb.length).toBeLessThan(1_000);
    expect(diagnostics(bomb)).toEqual([
      'invalid-frontmatter@5: YAML error: aliases would expand this block beyond 10000 values (a "billion laughs" pattern); write the values out',
    ]);
    expect(() => loadYaml('a: &a [1, 2]\nb: [*a, *a]\n')).not.toThrow();
    expect(() => loadYaml(aliasLadder(5))).toThrow(YamlError);
    // the root, a (the list and its 2 items), b (the list and a twice): 1 + 3 + 1 + 3 + 3
    expect(expandedSize(loadYaml('a: &a [1, 2]\nb: [*a, *a]\n'), 100)).toBe(11);
  });

  it('adds a note after a long run of spaces without rescanning it', () => {
    const text = `---\nid: a\nname: a\n---\n\n## Notes\n${' '.repeat(500_000)}kept\n`;
    expect(addNote(text, 'Blocked: x').endsWith('kept\nBlocked: x\n')).toBe(true);
  });

  it.each([
    ['id: a', 'id'],
    ['"quoted key": 1', 'quoted key'],
    ["'single': 2", 'single'],
    ['url:http://x', null],
    ['  indented: 1', null],
    ['# comment: 1', null],
    ['key # note: 1', null],
    ['depends_on:', 'depends_on'],
    ['trailing  :  x', 'trailing'],
    ['<x, 200,000 spaces, y>', null],
  ])('topLevelKey(%j) is %j', (line, expected) => {
    const text = line === '<x, 200,000 spaces, y>' ? `x${' '.repeat(200_000)}y` : line;
    expect(topLevelKey(text)).toBe(expected);
  });
});
