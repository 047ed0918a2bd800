import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTaskFile } from '../../../src/domain/tasks/parse-task.js';
import { addNote, fillSummary, setStatus, TaskEditError } from '../../../src/domain/tasks/status-edit.js';
import { WRAITH_DIR } from '../../helpers/task-files.js';

describe('setStatus', () => {
  it.each([
    [
      'replaces the status line',
      '---\nid: a\nname: A\nstatus: pending\n---\nbody',
      '---\nid: a\nname: A\nstatus: completed\n---\nbody',
    ],
    [
      'keeps a missing final newline',
      '---\nid: a\nstatus: pending\n---',
      '---\nid: a\nstatus: completed\n---',
    ],
    [
      'keeps CRLF line endings',
      '---\r\nid: a\r\nstatus: pending\r\n---\r\nbody\r\n',
      '---\r\nid: a\r\nstatus: completed\r\n---\r\nbody\r\n',
    ],
    [
      'drops a trailing comment with the old value',
      '---\nid: a\nstatus: pending # todo\n---\n',
      '---\nid: a\nstatus: completed\n---\n',
    ],
    ['replaces the done alias', '---\nid: a\nstatus: done\n---\n', '---\nid: a\nstatus: completed\n---\n'],
    [
      'inserts after name when absent',
      '---\nid: a\nname: A\nrisk: low\n---\n',
      '---\nid: a\nname: A\nstatus: completed\nrisk: low\n---\n',
    ],
    [
      'inserts with CRLF',
      '---\r\nid: a\r\nname: A\r\n---\r\n',
      '---\r\nid: a\r\nname: A\r\nstatus: completed\r\n---\r\n',
    ],
    [
      'leaves a status line in the body alone',
      '---\nid: a\nname: A\n---\nstatus: pending\n',
      '---\nid: a\nname: A\nstatus: completed\n---\nstatus: pending\n',
    ],
    [
      'leaves a nested status key alone',
      '---\nid: a\nname: A\nmeta:\n  status: x\nstatus: pending\n---\n',
      '---\nid: a\nname: A\nmeta:\n  status: x\nstatus: completed\n---\n',
    ],
    [
      'keeps nanosecond timestamps and comments',
      '---\n# c\nid: a\ncreated: 2026-06-02T09:02:55.123456789Z\nstatus: pending\n---\n',
      '---\n# c\nid: a\ncreated: 2026-06-02T09:02:55.123456789Z\nstatus: completed\n---\n',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(setStatus(input, 'completed')).toBe(expected);
  });

  it('is idempotent', () => {
    const once = setStatus('---\nid: a\nname: A\n---\n', 'blocked');
    expect(setStatus(once, 'blocked')).toBe(once);
  });

  it.each([
    ['no frontmatter', '# title\n'],
    ['unclosed frontmatter', '---\nid: a\n'],
    ['neither status nor name', '---\nid: a\n---\n'],
  ])('refuses a file with %s', (_intent, input) => {
    expect(() => setStatus(input, 'completed')).toThrow(TaskEditError);
  });

  const files = readdirSync(path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.md'));
  it.each(files)('changes only the status line of wraith %s', (file) => {
    const original = readFileSync(path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks', file), 'utf8');
    const edited = setStatus(original, 'completed');
    const before = original.split('\n');
    const after = edited.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [[before[i], line]]));
    expect(changed).toEqual([['status: pending', 'status: completed']]);
    expect(edited.endsWith('\n')).toBe(original.endsWith('\n'));
    expect(parseTaskFile({ path: file, text: edited }).task?.status).toBe('completed');
  });
});

describe('fillSummary', () => {
  it.each([
    [
      'fills the wraith placeholder (no final newline)',
      '## Notes\n\n> To be filled by implementation agent\n\n## Summary\n\n> To be filled on completion',
      '## Notes\n\n> To be filled by implementation agent\n\n## Summary\n\nMerged in #4',
    ],
    [
      'keeps what follows the placeholder',
      '## Summary\n> To be filled on completion\n\n## Next\n',
      '## Summary\nMerged in #4\n\n## Next\n',
    ],
    [
      'keeps CRLF',
      '## Summary\r\n\r\n> To be filled on completion\r\n',
      '## Summary\r\n\r\nMerged in #4\r\n',
    ],
    [
      'never overwrites a written summary',
      '## Summary\n\nAlready done by hand.\n',
      '## Summary\n\nAlready done by hand.\n',
    ],
    ['no summary section', '# Task\n', '# Task\n'],
    [
      'a placeholder under another heading is not the summary',
      '## Notes\n\n> To be filled\n',
      '## Notes\n\n> To be filled\n',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(fillSummary(input, 'Merged in #4')).toBe(expected);
  });

  it('writes multi-line summaries with the file line ending', () => {
    expect(fillSummary('## Summary\r\n> To be filled\r\n', 'one\ntwo')).toBe('## Summary\r\none\r\ntwo\r\n');
  });
});

describe('addNote', () => {
  const note = 'Blocked: waiting for the API key (@ana, https://github.com/o/r/pull/3#issuecomment-1)';
  it.each([
    [
      'keeps the placeholder and appends after it',
      '## Notes\n\n> To be filled by implementation agent\n\n## Summary\n\n> To be filled on completion\n',
      `## Notes\n\n> To be filled by implementation agent\n${note}\n\n## Summary\n\n> To be filled on completion\n`,
    ],
    [
      'appends after earlier notes',
      '## Notes\n\n- first\n- second\n',
      `## Notes\n\n- first\n- second\n${note}\n`,
    ],
    [
      'a Notes section at the very end without a final newline',
      '## Notes\n\nold',
      `## Notes\n\nold\n${note}`,
    ],
    [
      'adds a section when there is none',
      '---\nid: a\n---\nbody\n',
      `---\nid: a\n---\nbody\n\n## Notes\n\n${note}\n`,
    ],
    [
      'adds a section and keeps a missing final newline missing',
      '---\nid: a\n---\nbody',
      `---\nid: a\n---\nbody\n\n## Notes\n\n${note}`,
    ],
    [
      'follows CRLF',
      '## Notes\r\n\r\n> To be filled\r\n\r\n## Summary\r\n',
      `## Notes\r\n\r\n> To be filled\r\n${note}\r\n\r\n## Summary\r\n`,
    ],
    [
      'does not take ### Notes for the section',
      '### Notes\n\nx\n',
      `### Notes\n\nx\n\n## Notes\n\n${note}\n`,
    ],
  ])('%s', (_intent, text, expected) => {
    expect(addNote(text, note)).toBe(expected);
  });

  it('keeps a multi-line reason on one line', () => {
    expect(addNote('## Notes\n', 'Blocked: a\nb')).toBe('## Notes\nBlocked: a b\n');
  });

  it('changes nothing but the added line in every wraith file', () => {
    const dir = path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks');
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.md'));
    expect(files.length).toBe(35);
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const edited = addNote(text, note);
      expect(edited.replace(`\n${note}`, '')).toBe(text);
      expect(parseTaskFile({ path: file, text: edited }).task).toEqual(
        parseTaskFile({ path: file, text }).task,
      );
    }
  });
});
