import { describe, expect, it } from 'vitest';
import { findFrontmatter } from '../../../src/domain/tasks/frontmatter.js';

describe('findFrontmatter', () => {
  it.each([
    ['no fence: not a task', '# Title\n\ntext', { kind: 'none' }],
    ['empty file', '', { kind: 'none' }],
    ['fence not on the first line', '\n---\nid: a\n---\n', { kind: 'none' }],
    ['four dashes are not a fence', '----\nid: a\n---\n', { kind: 'none' }],
    ['opened, never closed', '---\nid: a\nname: b\n', { kind: 'unclosed', line: 1 }],
    ['only an opening fence', '---', { kind: 'unclosed', line: 1 }],
    ['simple block', '---\nid: a\n---\nbody', { kind: 'block', yaml: 'id: a\n', firstLine: 2 }],
    ['empty block', '---\n---\n', { kind: 'block', yaml: '', firstLine: 2 }],
    ['closed by ...', '---\nid: a\n...\n', { kind: 'block', yaml: 'id: a\n' }],
    ['CRLF line endings', '---\r\nid: a\r\n---\r\nbody', { kind: 'block', yaml: 'id: a\r\n' }],
    ['BOM before the fence', '\uFEFF---\nid: a\n---', { kind: 'block', yaml: 'id: a\n' }],
    ['closing fence at end of file without newline', '---\nid: a\n---', { kind: 'block', yaml: 'id: a\n' }],
    [
      'an indented --- inside a block scalar is not a fence',
      '---\nx: |\n  ---\nid: a\n---\n',
      { kind: 'block', yaml: 'x: |\n  ---\nid: a\n' },
    ],
  ])('%s', (_intent, text, expected) => {
    expect(findFrontmatter(text)).toMatchObject(expected);
  });

  it('gives offsets that slice the YAML out of the file', () => {
    const text = '---\nid: a\nname: b\n---\nbody';
    const block = findFrontmatter(text);
    if (block.kind !== 'block') throw new Error('expected a block');
    expect(text.slice(block.yamlStart, block.yamlEnd)).toBe(block.yaml);
  });
});
