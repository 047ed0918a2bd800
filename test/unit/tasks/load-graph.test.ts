import { describe, expect, it } from 'vitest';
import { loadTaskGraph } from '../../../src/domain/tasks/load-graph.js';
import type { SourceFile } from '../../../src/domain/tasks/types.js';
import { graphOf, taskFile } from '../../helpers/task-files.js';

const summary = (d: { code: string; file: string; line: number | null }) => `${d.code} ${d.file}:${d.line}`;

describe('loadTaskGraph', () => {
  it('skips files without frontmatter and counts task files', () => {
    const files: SourceFile[] = [taskFile({ id: 'a' }), { path: 'tasks/README.md', text: '# Tasks\n' }];
    const loaded = loadTaskGraph(files);
    expect(loaded.taskFiles).toBe(1);
    expect(loaded.graph.ids).toEqual(['a']);
    expect(loaded.errors).toEqual([]);
  });

  it.each([
    [
      'missing dependency on its list item line',
      [taskFile({ id: 'a', deps: ['b', 'ghost'] }), taskFile({ id: 'b' })],
      ['missing-dependency tasks/a.md:6'],
    ],
    ['self dependency', [taskFile({ id: 'a', deps: ['a'] })], ['self-dependency tasks/a.md:5']],
    [
      'duplicate id points at the later file',
      [taskFile({ id: 'a' }), { path: 'tasks/z.md', text: '---\nid: a\nname: Z\n---' }],
      ['duplicate-id tasks/z.md:2'],
    ],
    [
      "cycle on the first member's dependency line",
      [taskFile({ id: 'a', deps: ['b'] }), taskFile({ id: 'b', deps: ['a'] })],
      ['cycle tasks/a.md:5'],
    ],
    [
      'parse errors come through',
      [{ path: 'tasks/bad.md', text: '---\nid: [\n---\n' }],
      ['invalid-frontmatter tasks/bad.md:3'],
    ],
  ])('error: %s', (_intent, files, expected) => {
    const loaded = loadTaskGraph(files);
    expect(loaded.errors.map(summary)).toEqual(expected);
    expect(loaded.errors.every((e) => e.severity === 'error')).toBe(true);
  });

  it("names the cycle's members in order", () => {
    const loaded = graphOf(
      { id: 'task-a', deps: ['task-c'] },
      { id: 'task-b', deps: ['task-a'] },
      { id: 'task-c', deps: ['task-b'] },
    );
    expect(loaded.errors.map((e) => e.message)).toEqual([
      'dependency cycle: task-a -> task-c -> task-b -> task-a',
    ]);
  });

  it.each([
    ['status alias', [{ id: 'a', status: 'done' }], ['status-alias tasks/a.md:4']],
    [
      'status inversion on the status line',
      [{ id: 'a' }, { id: 'b', status: 'completed', deps: ['a'] }],
      ['status-inversion tasks/b.md:4'],
    ],
    [
      'no inversion when dependencies are completed',
      [
        { id: 'a', status: 'completed' },
        { id: 'b', status: 'completed', deps: ['a'] },
      ],
      [],
    ],
    [
      'branch name collision on the later id',
      [{ id: 'A_b' }, { id: 'a-b' }],
      ['branch-name-collision tasks/a-b.md:2'],
    ],
  ])('warning: %s', (_intent, specs, expected) => {
    const loaded = graphOf(...specs);
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings.map(summary)).toEqual(expected);
    expect(loaded.warnings.every((w) => w.severity === 'warning')).toBe(true);
  });

  it('reports collisions with the configured prefix', () => {
    const loaded = loadTaskGraph([taskFile({ id: 'A_b' }), taskFile({ id: 'a-b' })], { prefixes: ['task/'] });
    expect(loaded.warnings[0]?.message).toContain('"task/a-b"');
  });

  it('gives the same result whatever order the files come in', () => {
    const files = [
      taskFile({ id: 'c', deps: ['a', 'ghost'] }),
      taskFile({ id: 'a' }),
      taskFile({ id: 'b', deps: ['a'] }),
    ];
    const forward = loadTaskGraph(files);
    const backward = loadTaskGraph([...files].reverse());
    expect(backward.errors).toEqual(forward.errors);
    expect(backward.generations.generations).toEqual(forward.generations.generations);
  });
});
