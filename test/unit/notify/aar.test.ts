/** The after-action review builder (pure): tables on a small graph, a snapshot on wraith's graph. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTasksDir } from '../../../src/adapters/fs/read-tasks-dir.js';
import { afterActionReview, reviewMarkdown } from '../../../src/domain/notify/aar.js';
import { loadTaskGraph } from '../../../src/domain/tasks/load-graph.js';
import { graphOf, WRAITH_DIR } from '../../helpers/task-files.js';

const T0 = Date.parse('2026-06-02T10:00:00Z');
const min = (n: number) => T0 + n * 60_000;

describe('afterActionReview', () => {
  const loaded = graphOf(
    { id: 'a', status: 'completed' },
    { id: 'b', deps: ['a'], status: 'completed' },
    { id: 'c', deps: ['a'], status: 'completed' },
  );
  const clean = [
    { type: 'task.ready', taskId: 'a', atMs: min(0) },
    { type: 'task.merged', taskId: 'a', atMs: min(10) },
    { type: 'generation.completed', taskId: null, atMs: min(10) },
    { type: 'task.ready', taskId: 'b', atMs: min(10) },
    { type: 'task.ready', taskId: 'c', atMs: min(10) },
    { type: 'task.merged', taskId: 'b', atMs: min(18) },
    { type: 'task.merged', taskId: 'c', atMs: min(30) },
    { type: 'generation.completed', taskId: null, atMs: min(30) },
  ];
  const troubled = [
    ...clean,
    { type: 'merge.conflict', taskId: 'c', atMs: min(20) },
    { type: 'merge.failed', taskId: 'c', atMs: min(22) },
    { type: 'task.blocked', taskId: 'b', atMs: min(12) },
    { type: 'task.stalled', taskId: 'c', atMs: min(25) },
  ];

  it.each([
    ['a clean run', clean, { wrong: ['Nothing went wrong that the journal recorded.'], actions: 1 }],
    ['a run with trouble', troubled, { wrong: 4, actions: 4 }],
  ] as const)('%s', (_name, history, expected) => {
    const review = afterActionReview({ name: 'acme/w', history, loaded, nowMs: min(30) });
    if (Array.isArray(expected.wrong)) expect(review.wrong).toEqual(expected.wrong);
    else expect(review.wrong).toHaveLength(expected.wrong as number);
    expect(review.actions).toHaveLength(expected.actions);
  });

  it('times generations and the waits between ready and merged', () => {
    const review = afterActionReview({ name: 'acme/w', history: clean, loaded, nowMs: min(30) });
    expect(review.generationMs).toEqual([10 * 60_000, 20 * 60_000]);
    expect(review.waits).toEqual(
      [
        { taskId: 'c', ms: 20 * 60_000 },
        { taskId: 'b', ms: 8 * 60_000 },
        { taskId: 'a', ms: 10 * 60_000 },
      ].sort((x, y) => y.ms - x.ms),
    );
    expect(review.better).toContain('Generation 2 took longest: 20 min.');
  });

  it('names the tasks in trouble and turns them into action items', () => {
    const review = afterActionReview({ name: 'acme/w', history: troubled, loaded, nowMs: min(30) });
    expect(review.wrong).toEqual([
      'Merge conflicts on `c` (1 in all).',
      'Checks failed on the merge result of `c` (1 runs).',
      'Blocked: `b`.',
      'Stalled without activity: `c`.',
    ]);
    expect(review.actions[0]).toContain('`c`');
  });

  it('renders the four sections of the seed workflow', () => {
    const text = reviewMarkdown(
      afterActionReview({ name: 'acme/w', history: clean, loaded, nowMs: min(30) }),
    );
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '# AAR: acme/w task graph',
      '## What Went Right',
      '## What Went Wrong',
      '## What Could Be Better',
      '## Action Items',
    ]);
  });
});

describe('afterActionReview on wraith', () => {
  it('matches the snapshot for a journal replaying the graph generation by generation', async () => {
    const loaded = loadTaskGraph(await readTasksDir(path.join(WRAITH_DIR, '05-final/tasks')));
    const history: { type: string; taskId: string | null; atMs: number }[] = [];
    loaded.generations.generations.forEach((ids, g) => {
      for (const [i, id] of ids.entries()) {
        history.push({ type: 'task.ready', taskId: id, atMs: min(g * 30) });
        history.push({ type: 'task.merged', taskId: id, atMs: min(g * 30 + 10 + i) });
      }
      history.push({ type: 'generation.completed', taskId: null, atMs: min(g * 30 + 10 + ids.length) });
    });
    history.push({ type: 'merge.conflict', taskId: 'transport/tls-transport', atMs: min(95) });
    const review = afterActionReview({ name: 'alkimiadev/wraith', history, loaded, nowMs: min(400) });
    expect(reviewMarkdown(review)).toMatchSnapshot();
  });
});
