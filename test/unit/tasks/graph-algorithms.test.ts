import { describe, expect, it } from 'vitest';
import { findCycles } from '../../../src/domain/tasks/cycles.js';
import { computeGenerations, criticalPath } from '../../../src/domain/tasks/generations.js';
import { isSorted } from '../../../src/domain/tasks/graph.js';
import { blockedBy, readyTasks } from '../../../src/domain/tasks/readiness.js';
import { graphOf, type TaskSpec } from '../../helpers/task-files.js';

const diamond: TaskSpec[] = [
  { id: 'a' },
  { id: 'b', deps: ['a'] },
  { id: 'c', deps: ['a'] },
  { id: 'd', deps: ['b', 'c'] },
];

describe('buildGraph', () => {
  it('keeps edges between existing tasks and lists dependents sorted', () => {
    const { graph } = graphOf(...diamond);
    expect(graph.edgeCount).toBe(4);
    expect(graph.dependents.get('a')).toEqual(['b', 'c']);
    expect(graph.dependencies.get('d')).toEqual(['b', 'c']);
    expect(graph.dependents.get('d')).toEqual([]);
  });

  it.each([
    ['dangling dependency', [{ id: 'a', deps: ['ghost'] }], ['missing-dependency:a']],
    ['self dependency', [{ id: 'a', deps: ['a'] }], ['self-dependency:a']],
    ['duplicate id (second file reported)', [{ id: 'a' }, { id: 'a', name: 'again' }], ['duplicate-id:a']],
  ])('%s', (_intent, specs, expected) => {
    const { errors, graph } = graphOf(...(specs as TaskSpec[]));
    expect(errors.map((e) => `${e.code}:${e.taskId}`)).toEqual(expected);
    expect(graph.edgeCount).toBe(0);
  });
});

describe('computeGenerations', () => {
  it.each<[string, TaskSpec[], string[][], string[]]>([
    ['empty graph', [], [], []],
    ['single task', [{ id: 'a' }], [['a']], []],
    ['independent tasks share generation 1', [{ id: 'b' }, { id: 'a' }], [['a', 'b']], []],
    ['chain', [{ id: 'c', deps: ['b'] }, { id: 'b', deps: ['a'] }, { id: 'a' }], [['a'], ['b'], ['c']], []],
    ['diamond', diamond, [['a'], ['b', 'c'], ['d']], []],
    [
      'generation is the longest path, not the shortest',
      [{ id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'c', deps: ['a', 'b'] }],
      [['a'], ['b'], ['c']],
      [],
    ],
    [
      'status is ignored',
      [
        { id: 'a', status: 'completed' },
        { id: 'b', deps: ['a'] },
      ],
      [['a'], ['b']],
      [],
    ],
    [
      'a cycle and what depends on it have no generation',
      [{ id: 'a', deps: ['b'] }, { id: 'b', deps: ['a'] }, { id: 'c', deps: ['a'] }, { id: 'd' }],
      [['d']],
      ['a', 'b', 'c'],
    ],
  ])('%s', (_intent, specs, generations, unresolved) => {
    const levels = computeGenerations(graphOf(...specs).graph);
    expect(levels.generations).toEqual(generations);
    expect(levels.unresolved).toEqual(unresolved);
  });
});

describe('computeGenerations: tails', () => {
  it.each<[string, TaskSpec[], Record<string, number>]>([
    ['single task', [{ id: 'a' }], { a: 1 }],
    ['chain', [{ id: 'c', deps: ['b'] }, { id: 'b', deps: ['a'] }, { id: 'a' }], { a: 3, b: 2, c: 1 }],
    ['diamond', diamond, { a: 3, b: 2, c: 2, d: 1 }],
    [
      'the longest chain of dependents counts, not the first one found',
      [{ id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'c', deps: ['a'] }, { id: 'd', deps: ['c'] }],
      { a: 3, b: 1, c: 2, d: 1 },
    ],
    [
      'a task with a short generation can sit on a long tail',
      [{ id: 'x' }, { id: 'y' }, { id: 'z', deps: ['y'] }, { id: 'w', deps: ['z'] }],
      { x: 1, y: 3, z: 2, w: 1 },
    ],
    [
      'tasks on a cycle and behind it have none',
      [{ id: 'a', deps: ['b'] }, { id: 'b', deps: ['a'] }, { id: 'c', deps: ['a'] }, { id: 'd' }],
      { d: 1 },
    ],
  ])('%s', (_intent, specs, tails) => {
    expect(Object.fromEntries(computeGenerations(graphOf(...specs).graph).tailOf)).toEqual(tails);
  });
});

describe('criticalPath', () => {
  it.each<[string, TaskSpec[], string[]]>([
    ['empty graph', [], []],
    ['single task', [{ id: 'a' }], ['a']],
    ['chain', [{ id: 'c', deps: ['b'] }, { id: 'b', deps: ['a'] }, { id: 'a' }], ['a', 'b', 'c']],
    ['diamond picks the smallest id on ties', diamond, ['a', 'b', 'd']],
    [
      'longest chain wins over a shorter one',
      [
        { id: 'a' },
        { id: 'z' },
        { id: 'y', deps: ['z'] },
        { id: 'x', deps: ['y'] },
        { id: 'b', deps: ['a'] },
      ],
      ['z', 'y', 'x'],
    ],
  ])('%s', (_intent, specs, expected) => {
    const { graph, generations } = graphOf(...specs);
    expect(criticalPath(graph, generations)).toEqual(expected);
  });
});

describe('findCycles', () => {
  it.each<[string, TaskSpec[], string[][]]>([
    ['acyclic', diamond, []],
    [
      '2-cycle',
      [
        { id: 'a', deps: ['b'] },
        { id: 'b', deps: ['a'] },
      ],
      [['a', 'b']],
    ],
    [
      '3-cycle in depends_on order from the smallest id',
      [
        { id: 'task-a', deps: ['task-c'] },
        { id: 'task-b', deps: ['task-a'] },
        { id: 'task-c', deps: ['task-b'] },
      ],
      [['task-a', 'task-c', 'task-b']],
    ],
    [
      'two separate cycles',
      [
        { id: 'a', deps: ['b'] },
        { id: 'b', deps: ['a'] },
        { id: 'x', deps: ['y'] },
        { id: 'y', deps: ['x'] },
      ],
      [
        ['a', 'b'],
        ['x', 'y'],
      ],
    ],
    [
      'shortest cycle through the smallest id of a tangle',
      [
        { id: 'a', deps: ['b', 'c'] },
        { id: 'b', deps: ['c'] },
        { id: 'c', deps: ['a'] },
      ],
      [['a', 'c']],
    ],
    ['self-dependency is an edge error, not a cycle', [{ id: 'a', deps: ['a'] }], []],
  ])('%s', (_intent, specs, expected) => {
    expect(findCycles(graphOf(...specs).graph)).toEqual(expected);
  });

  it('handles a 50,000-task chain closed into a cycle without overflowing the stack', () => {
    const n = 50_000;
    const specs = Array.from({ length: n }, (_, i) => ({ id: `t${i}`, deps: [`t${(i + 1) % n}`] }));
    const cycles = findCycles(graphOf(...specs).graph);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n);
  });
});

describe('readiness', () => {
  it.each<[string, TaskSpec[], string[]]>([
    ['roots are ready', diamond, ['a']],
    [
      'completed dependencies make dependents ready',
      [
        { id: 'a', status: 'completed' },
        { id: 'b', deps: ['a'] },
        { id: 'c', deps: ['a'] },
      ],
      ['b', 'c'],
    ],
    [
      'all dependencies must be completed',
      [{ id: 'a', status: 'completed' }, { id: 'b' }, { id: 'c', deps: ['a', 'b'] }],
      ['b'],
    ],
    ['in-progress tasks are still ready', [{ id: 'a', status: 'in-progress' }], ['a']],
    [
      'completed, blocked and failed tasks are not',
      [
        { id: 'a', status: 'completed' },
        { id: 'b', status: 'blocked' },
        { id: 'c', status: 'failed' },
      ],
      [],
    ],
    ['a missing dependency never counts as completed', [{ id: 'a', deps: ['ghost'] }], []],
    [
      'done counts as completed',
      [
        { id: 'a', status: 'done' },
        { id: 'b', deps: ['a'] },
      ],
      ['b'],
    ],
  ])('%s', (_intent, specs, expected) => {
    expect(readyTasks(graphOf(...specs).graph)).toEqual(expected);
  });

  it('lists what a task waits for, missing dependencies included', () => {
    const { graph } = graphOf(
      { id: 'a', status: 'completed' },
      { id: 'b' },
      { id: 'c', deps: ['a', 'b', 'ghost'] },
    );
    expect(blockedBy(graph, 'c')).toEqual(['b', 'ghost']);
    expect(blockedBy(graph, 'a')).toEqual([]);
    expect(blockedBy(graph, 'nope')).toEqual([]);
  });
});

describe('isSorted', () => {
  it.each<[string[], boolean]>([
    [[], true],
    [['a'], true],
    [['a', 'a', 'b'], true],
    [['B', 'a'], true], // code-unit order: uppercase first
    [['a', 'B'], false],
    [['area1/task-10', 'area1/task-9'], true],
    [['area1/task-9', 'area1/task-10'], false],
  ])('%j -> %s', (values, expected) => {
    expect(isSorted(values)).toBe(expected);
  });
});
