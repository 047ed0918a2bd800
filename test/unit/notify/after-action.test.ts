import { describe, expect, it } from 'vitest';
import { SqlStore } from '../../../src/adapters/store/sql-store.js';
import { afterAction, afterActionText, formatDuration } from '../../../src/domain/notify/after-action.js';
import { graphOf } from '../../helpers/task-files.js';

const T0 = Date.parse('2026-06-02T10:00:00Z');
const min = (n: number) => T0 + n * 60_000;

describe('afterAction', () => {
  // a -> b -> d and a -> c -> d, m aggregates c; c merged last of the middle pair.
  const loaded = graphOf(
    { id: 'a', status: 'completed' },
    { id: 'b', deps: ['a'], status: 'completed' },
    { id: 'c', deps: ['a'], status: 'completed' },
    { id: 'm', deps: ['c'], status: 'completed', extra: 'level: planning' },
    { id: 'd', deps: ['b', 'm'], status: 'completed' },
  );
  const history = [
    { type: 'task.ready', taskId: 'a', atMs: min(0) },
    { type: 'task.merged', taskId: 'a', atMs: min(10) },
    { type: 'merge.conflict', taskId: 'c', atMs: min(15) },
    { type: 'task.merged', taskId: 'b', atMs: min(20) },
    { type: 'merge.failed', taskId: 'c', atMs: min(25) },
    { type: 'task.blocked', taskId: 'c', atMs: min(26) },
    { type: 'task.merged', taskId: 'c', atMs: min(40) },
    { type: 'task.merged', taskId: 'd', atMs: min(55) },
  ];

  it('counts merges, conflicts, failed runs and blocks, and finds the chain that set the finish', async () => {
    expect(afterAction({ history, loaded, nowMs: min(125) })).toEqual({
      durationMs: 125 * 60_000,
      merges: 4,
      conflicts: 1,
      failedRuns: 1,
      blocks: 1,
      plannedPath: ['a', 'c', 'm', 'd'],
      actualPath: ['a', 'c', 'm', 'd'],
    });
  });

  it('follows the latest dependency, not the longest one', async () => {
    const quick = history.map((e) =>
      e.taskId === 'c' && e.type === 'task.merged' ? { ...e, atMs: min(12) } : e,
    );
    expect(afterAction({ history: quick, loaded, nowMs: min(60) }).actualPath).toEqual(['a', 'b', 'd']);
  });

  it('reads as text', async () => {
    const text = afterActionText(afterAction({ history, loaded, nowMs: min(125) }), 5);
    expect(text.split('\n')).toEqual([
      'All 5 tasks are completed in 2 h 5 min.',
      'Merges: 4. Conflicts: 1. Failed runs on merge results: 1. Blocks: 1.',
      'Critical path planned: 4 tasks (a → c → m → d).',
      'Critical path actual: 4 tasks (a → c → m → d).',
    ]);
  });

  it.each([
    [0, '0 s'],
    [40_000, '40 s'],
    [14 * 60_000, '14 min'],
    [3_600_000 * 26 + 60_000, '26 h 1 min'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('the event log', () => {
  it('keeps the first announcement of each key per repository, oldest first', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    await store.recordEvent({
      repo: 'o/r',
      type: 'task.merged',
      key: 'task.merged:a:1',
      taskId: 'a',
      atMs: 5,
    });
    await store.recordEvent({
      repo: 'o/r',
      type: 'task.merged',
      key: 'task.merged:a:1',
      taskId: 'a',
      atMs: 9,
    });
    await store.recordEvent({
      repo: 'o/other',
      type: 'task.merged',
      key: 'task.merged:a:1',
      taskId: 'a',
      atMs: 7,
    });
    await store.recordEvent({ repo: 'o/r', type: 'graph.completed', key: 'g', taskId: null, atMs: 6 });
    expect(await store.events('o/r')).toEqual([
      { repo: 'o/r', type: 'task.merged', key: 'task.merged:a:1', taskId: 'a', atMs: 5 },
      { repo: 'o/r', type: 'graph.completed', key: 'g', taskId: null, atMs: 6 },
    ]);
    await store.close();
  });
});
