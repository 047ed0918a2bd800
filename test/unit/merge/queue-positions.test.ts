/**
 * Queue positions (issue 14, item 1): every ready, complete task PR's `Merge order` check says its
 * place in the merge order, the same place the dashboard shows; PRs still waiting say why instead.
 */
import { describe, expect, it } from 'vitest';
import { dashboardBody } from '../../../src/domain/merge/dashboard.js';
import { planReconcile } from '../../../src/domain/merge/plan.js';
import { BranchIndex } from '../../../src/domain/tasks/branch-names.js';
import { green, pull, snapshotOf } from '../../helpers/snapshots.js';

const tasks = [
  { id: 'root', status: 'completed' },
  { id: 'a', deps: ['root'] },
  { id: 'b', deps: ['root'] },
  { id: 'c', deps: ['root'] },
  { id: 'later', deps: ['a'] },
];

describe('Merge order positions', () => {
  it.each([
    [
      'by generation, then files that overlap no other PR, then priority, then the critical path, then age',
      [
        pull(3, 'c', { checks: green, changedFiles: ['src/shared.ts'], createdAt: '2026-06-02T10:00:00Z' }),
        pull(4, 'b', { checks: green, changedFiles: ['src/b.ts'], createdAt: '2026-06-02T11:00:00Z' }),
        pull(5, 'a', { checks: green, changedFiles: ['src/shared.ts'], createdAt: '2026-06-02T09:00:00Z' }),
      ],
      {
        4: 'Ready: position 1 in the merge queue',
        5: 'Ready: position 2 in the merge queue',
        3: 'Ready: position 3 in the merge queue',
      },
    ],
    [
      'among PRs that overlap, the longer chain of dependents before the older PR',
      [
        pull(3, 'c', { checks: green, changedFiles: ['src/shared.ts'], createdAt: '2026-06-02T09:00:00Z' }),
        pull(5, 'a', { checks: green, changedFiles: ['src/shared.ts'], createdAt: '2026-06-02T10:00:00Z' }),
      ],
      {
        5: 'Ready: position 1 in the merge queue',
        3: 'Ready: position 2 in the merge queue',
      },
    ],
    [
      'a PR whose checks still run is ready but not queued; one whose dependency is open waits',
      [
        pull(3, 'a', { checks: [{ name: 'ci', outcome: 'pending' }] }),
        pull(4, 'b', { checks: green }),
        pull(6, 'later', { checks: green }),
      ],
      { 3: 'Ready', 4: 'Ready: position 1 in the merge queue', 6: 'Waiting for 1 dependency: a' },
    ],
  ])('%s', (_what, pulls, expected) => {
    const snapshot = snapshotOf({ tasks, pulls, required: ['ci'] });
    const plan = planReconcile(snapshot);
    const titles = Object.fromEntries(
      plan.checkRuns
        .filter((c) => c.name === 'Merge order')
        .map((c) => [pulls.find((p) => p.headSha === c.headSha)?.number, c.title]),
    );
    expect(titles).toEqual(expected);
    // The dashboard shows the same positions.
    const body = dashboardBody(snapshot, new BranchIndex(snapshot.loaded.graph.ids, ['feat/']), 'D');
    const queued = Object.values(expected).filter((t) => t.includes('position')).length;
    for (const [number, title] of Object.entries(expected)) {
      const at = /position (\d+)/.exec(title);
      if (at) expect(body).toContain(`#${number} queued: position ${at[1]} of ${queued}`);
      else expect(body).not.toContain(`#${number} queued`);
    }
  });
});
