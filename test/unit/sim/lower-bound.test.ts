import { describe, expect, it } from 'vitest';
import { lowerBound } from '../../../sim/report.js';

type Tasks = Parameters<typeof lowerBound>[0];
const graph = (rows: [string, string, string[]][]): Tasks =>
  new Map(rows.map(([id, level, dependsOn]) => [id, { level, dependsOn }]));

describe('lowerBound (the demo report): agent time plus one CI run per implementation task on the longest chain', () => {
  it.each<[string, Tasks, number]>([
    ['one implementation task: agent + CI', graph([['a', 'implementation', []]]), 2_000 + 4_000],
    [
      'a chain adds up; a parallel sibling does not',
      graph([
        ['a', 'implementation', []],
        ['b', 'implementation', ['a']],
        ['c', 'implementation', ['a']],
      ]),
      2 * 6_000,
    ],
    [
      'a planning aggregate takes no time',
      graph([
        ['a', 'implementation', []],
        ['m', 'planning', ['a']],
        ['b', 'implementation', ['m']],
      ]),
      2 * 6_000,
    ],
    [
      'a review takes the reviewer’s time (the scripted maintainer works agentMs) and no CI run',
      graph([
        ['a', 'implementation', []],
        ['r', 'review', ['a']],
        ['b', 'implementation', ['r']],
      ]),
      6_000 + 2_000 + 6_000,
    ],
    ['a dependency outside the graph counts as done', graph([['a', 'implementation', ['gone']]]), 6_000],
  ])('%s', (_intent, tasks, expected) => {
    expect(lowerBound(tasks, 2_000, 4_000)).toBe(expected);
  });
});
