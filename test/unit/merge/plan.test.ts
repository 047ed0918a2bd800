import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../../src/domain/merge/plan.js';
import type { MergeAction, Plan, Wait } from '../../../src/domain/merge/types.js';
import { BASE_SHA, green, pull, type SnapshotInput, sha, snapshotOf } from '../../helpers/snapshots.js';

/** The action as one readable line: `start-batch #1 a`, `wait: ...`. */
function describeAction(action: MergeAction | Wait): string {
  switch (action.kind) {
    case 'wait':
      return `wait: ${action.reason}`;
    case 'start-batch':
    case 'promote':
    case 'fail-batch':
      return `${action.kind} ${action.entries.map((e) => `#${e.number} ${e.taskId}`).join(', ')}`;
    case 'commit-status':
      return `commit-status ${action.edits.map((e) => e.taskId).join(', ')}`;
    case 'update-branch':
    case 'merge-pull':
      return `${action.kind} #${action.entry.number} ${action.entry.taskId}`;
  }
}

const orderChecks = (plan: Plan) =>
  plan.checkRuns
    .filter((c) => c.name === 'Merge order')
    .map((c) => `${c.headSha.slice(0, 1)} ${c.conclusion ?? c.status}: ${c.title}`);

const done = { status: 'completed' };
const stagingWith = (
  numbers: [number, string][],
  checks: SnapshotInput['staging'] extends infer S ? (S extends { checks: infer C } ? C : never) : never,
  fields = {},
) => ({
  sha: sha('s'),
  batch: {
    baseSha: BASE_SHA,
    entries: numbers.map(([number, taskId]) => ({ number, taskId, headSha: sha(String(number % 10)) })),
  },
  committedAtMs: Date.parse('2026-06-02T11:30:00Z'),
  checks,
  ...fields,
});

describe('planReconcile: which action', () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'a complete ready PR starts a batch',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'a', { checks: green })] },
      'start-batch #1 a',
    ],
    [
      'a PR waiting on a dependency does not merge',
      { tasks: [{ id: 'a' }, { id: 'b', deps: ['a'] }], pulls: [pull(1, 'b', { checks: green })] },
      'wait: no task PR is ready to merge',
    ],
    [
      'a draft waits',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'a', { checks: green, draft: true })] },
      'wait: no ready task PR is complete (#1: the PR is a draft)',
    ],
    [
      'a held PR waits',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'a', { checks: green, labels: ['coordinator: hold'] })] },
      'wait: no ready task PR is complete (#1: the PR is labelled "coordinator: hold")',
    ],
    [
      'the label trigger needs the label',
      {
        tasks: [{ id: 'a' }],
        pulls: [pull(1, 'a', { checks: green })],
        config: (c) => {
          c.merge.trigger = 'label';
        },
      },
      'wait: no ready task PR is complete (#1: the PR is not labelled "coordinator: merge")',
    ],
    [
      'the label trigger with the label',
      {
        tasks: [{ id: 'a' }],
        pulls: [pull(1, 'a', { checks: green, labels: ['coordinator: merge'] })],
        config: (c) => {
          c.merge.trigger = 'label';
        },
      },
      'start-batch #1 a',
    ],
    [
      'a red required check on the head waits',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'a', { checks: [{ name: 'ci', outcome: 'failure' }] })] },
      'wait: no ready task PR is complete (#1: required checks failed: ci)',
    ],
    [
      'a missing required check waits',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'a')] },
      'wait: no ready task PR is complete (#1: waiting for required checks: ci)',
    ],
    [
      "the app's own checks are never waited for",
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'a', { checks: green })], required: ['ci', 'Merge order'] },
      'start-batch #1 a',
    ],
    [
      'no required checks at all',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'a')], required: [] },
      'start-batch #1 a',
    ],
    [
      'a head the app failed to merge stays out until it changes',
      {
        tasks: [{ id: 'a' }],
        pulls: [
          pull(1, 'a', {
            checks: green,
            ownChecks: {
              'Merge queue': {
                id: 9,
                name: 'Merge queue',
                headSha: sha('1'),
                status: 'completed',
                conclusion: 'failure',
                title: 'Conflict with main',
                summary: '',
              },
            },
          }),
        ],
      },
      'wait: no ready task PR is complete (#1: merging this head failed (Conflict with main); push a change to retry)',
    ],
    [
      'a failure on an older head does not count',
      {
        tasks: [{ id: 'a' }],
        pulls: [
          pull(1, 'a', {
            checks: green,
            ownChecks: {
              'Merge queue': {
                id: 9,
                name: 'Merge queue',
                headSha: sha('0'),
                status: 'completed',
                conclusion: 'failure',
                title: 'Conflict',
                summary: '',
              },
            },
          }),
        ],
      },
      'start-batch #1 a',
    ],
    [
      'a PR that edits task status never merges',
      {
        tasks: [{ id: 'a' }],
        pulls: [
          pull(1, 'a', {
            checks: green,
            taskFileChanges: [{ path: 'tasks/a.md', baseStatus: 'pending', headStatus: 'done' }],
          }),
        ],
      },
      'wait: no task PR is ready to merge',
    ],
    [
      'a blocked task never merges',
      { tasks: [{ id: 'a', status: 'blocked' }], pulls: [pull(1, 'a', { checks: green })] },
      'wait: no task PR is ready to merge',
    ],
    [
      'a graph with errors merges nothing',
      { tasks: [{ id: 'a', deps: ['ghost'] }, { id: 'b' }], pulls: [pull(1, 'b', { checks: green })] },
      'wait: the task graph has errors; nothing merges until they are fixed',
    ],
    [
      'direct: behind -> update the branch',
      {
        tasks: [{ id: 'a' }],
        pulls: [pull(1, 'a', { checks: green, mergeableState: 'behind' })],
        config: (c) => {
          c.merge.strategy = 'direct';
        },
      },
      'update-branch #1 a',
    ],
    [
      'direct: clean -> merge with the head sha',
      {
        tasks: [{ id: 'a' }],
        pulls: [pull(1, 'a', { checks: green })],
        config: (c) => {
          c.merge.strategy = 'direct';
        },
      },
      'merge-pull #1 a',
    ],
    [
      'an aggregate whose dependencies completed completes itself',
      {
        tasks: [
          { id: 'a', ...done },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
        ],
      },
      'commit-status m',
    ],
    [
      'aggregates cascade in one commit',
      {
        tasks: [
          { id: 'a', ...done },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
          { id: 'n', deps: ['m'], extra: 'level: planning' },
        ],
      },
      'commit-status m, n',
    ],
    [
      'a merged PR whose task still says pending is repaired',
      { tasks: [{ id: 'a' }], merged: [{ number: 4, title: 'Do a', body: '', headRef: 'feat/a', url: 'u' }] },
      'commit-status a',
    ],
    [
      'owed status goes before the next batch',
      {
        tasks: [
          { id: 'a', ...done },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
          { id: 'b', deps: ['a'] },
        ],
        pulls: [pull(1, 'b', { checks: green })],
      },
      'commit-status m',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(describeAction(planReconcile(snapshotOf(input)).action)).toBe(expected);
  });
});

describe('planReconcile: merge order of several ready PRs', () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'lowest generation first',
      {
        tasks: [{ id: 'a', ...done }, { id: 'b', deps: ['a'] }, { id: 'c' }],
        pulls: [pull(1, 'b', { checks: green }), pull(2, 'c', { checks: green })],
      },
      'start-batch #2 c, #1 b',
    ],
    [
      'non-overlapping files before overlapping ones',
      {
        tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
        pulls: [
          pull(1, 'a', { checks: green, changedFiles: ['src/shared.ts'] }),
          pull(2, 'b', { checks: green, changedFiles: ['src/shared.ts'] }),
          pull(3, 'c', { checks: green }),
        ],
      },
      // #2 changes the file #1 changes: it waits for a batch built on #1's merge
      'start-batch #3 c, #1 a',
    ],
    [
      'higher priority first',
      {
        tasks: [{ id: 'a' }, { id: 'b', extra: 'priority: high' }],
        pulls: [pull(1, 'a', { checks: green }), pull(2, 'b', { checks: green })],
      },
      'start-batch #2 b, #1 a',
    ],
    [
      'a priority label overrides the task priority',
      {
        tasks: [{ id: 'a' }, { id: 'b', extra: 'priority: high' }],
        pulls: [
          pull(1, 'a', { checks: green, labels: ['coordinator: priority 5'] }),
          pull(2, 'b', { checks: green }),
        ],
      },
      'start-batch #1 a, #2 b',
    ],
    [
      'a low priority label puts a PR after its peers',
      {
        tasks: [{ id: 'a' }, { id: 'b' }],
        pulls: [
          pull(1, 'a', { checks: green, labels: ['coordinator: priority low'] }),
          pull(2, 'b', { checks: green }),
        ],
      },
      'start-batch #2 b, #1 a',
    ],
    [
      'then the task with the longer chain of dependents (critical path first)',
      {
        tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c', deps: ['b'] }, { id: 'd', deps: ['c'] }],
        pulls: [pull(1, 'a', { checks: green }), pull(2, 'b', { checks: green })],
      },
      'start-batch #2 b, #1 a',
    ],
    [
      'of two PRs that change one file, the one more work waits on goes in; the other waits',
      {
        tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c', deps: ['b'] }],
        pulls: [
          pull(1, 'a', { checks: green, changedFiles: ['CHANGELOG.md'] }),
          pull(2, 'b', { checks: green, changedFiles: ['CHANGELOG.md'] }),
        ],
      },
      'start-batch #2 b',
    ],
    [
      'priority outranks the critical path',
      {
        tasks: [{ id: 'a', extra: 'priority: high' }, { id: 'b' }, { id: 'c', deps: ['b'] }],
        pulls: [pull(1, 'a', { checks: green }), pull(2, 'b', { checks: green })],
      },
      'start-batch #1 a, #2 b',
    ],
    [
      'then the oldest PR',
      {
        tasks: [{ id: 'a' }, { id: 'b' }],
        pulls: [pull(2, 'a', { checks: green }), pull(1, 'b', { checks: green })],
      },
      'start-batch #1 b, #2 a',
    ],
    [
      'incomplete PRs are skipped, not blocking',
      {
        tasks: [{ id: 'a' }, { id: 'b' }],
        pulls: [pull(1, 'a', { draft: true, checks: green }), pull(2, 'b', { checks: green })],
      },
      'start-batch #2 b',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(describeAction(planReconcile(snapshotOf(input)).action)).toBe(expected);
  });
});

describe('planReconcile: a batch on coordinator/staging', () => {
  const tasks = [{ id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'm', deps: ['a'], extra: 'level: planning' }];
  const queued = [pull(1, 'a', { checks: green })];

  it.each<[string, SnapshotInput, string]>([
    [
      'checks still running: wait',
      { tasks, pulls: queued, staging: stagingWith([[1, 'a']], [{ name: 'ci', outcome: 'pending' }]) },
      'wait: waiting for ci on the merge result of #1',
    ],
    [
      'checks green: promote',
      { tasks, pulls: queued, staging: stagingWith([[1, 'a']], green) },
      'promote #1 a',
    ],
    [
      'nothing required: wait for the checks that ran on the PR head (safe default)',
      { tasks, pulls: queued, required: [], staging: stagingWith([[1, 'a']], []) },
      'wait: waiting for ci on the merge result of #1',
    ],
    [
      'nothing required: the checks that ran on the PR pass on staging -> promote',
      {
        tasks,
        pulls: queued,
        required: [],
        staging: stagingWith([[1, 'a']], [{ name: 'ci', outcome: 'success' }]),
      },
      'promote #1 a',
    ],
    [
      'nothing required and the PR had no checks: promote untested',
      { tasks, pulls: [pull(1, 'a')], required: [], staging: stagingWith([[1, 'a']], []) },
      'promote #1 a',
    ],
    [
      'checks red: fail the batch',
      { tasks, pulls: queued, staging: stagingWith([[1, 'a']], [{ name: 'ci', outcome: 'failure' }]) },
      'fail-batch #1 a',
    ],
    [
      'no check yet, within the timeout: wait',
      { tasks, pulls: queued, staging: stagingWith([[1, 'a']], []) },
      'wait: waiting for ci on the merge result of #1',
    ],
    [
      'no check after the timeout: fail the batch',
      {
        tasks,
        pulls: queued,
        staging: stagingWith([[1, 'a']], []),
        nowMs: Date.parse('2026-06-02T12:31:00Z'),
      },
      'fail-batch #1 a',
    ],
    [
      'a running check is not timed out',
      {
        tasks,
        pulls: queued,
        staging: stagingWith([[1, 'a']], [{ name: 'ci', outcome: 'pending' }]),
        nowMs: Date.parse('2026-06-02T20:00:00Z'),
      },
      'wait: waiting for ci on the merge result of #1',
    ],
    [
      'the base moved: build the batch again',
      {
        tasks,
        pulls: queued,
        staging: stagingWith([[1, 'a']], green, {
          batch: { baseSha: sha('0'), entries: [{ number: 1, taskId: 'a', headSha: sha('1') }] },
        }),
      },
      'start-batch #1 a',
    ],
    [
      'the PR head changed: build the batch again at the new head',
      {
        tasks,
        pulls: [pull(1, 'a', { checks: green, headSha: sha('9') })],
        staging: stagingWith([[1, 'a']], green),
      },
      'start-batch #1 a',
    ],
    [
      'the PR was put on hold: the batch is abandoned',
      {
        tasks,
        pulls: [pull(1, 'a', { checks: green, labels: ['coordinator: hold'] })],
        staging: stagingWith([[1, 'a']], green),
      },
      'wait: no ready task PR is complete (#1: the PR is labelled "coordinator: hold")',
    ],
    [
      'an in-flight batch goes before owed status',
      {
        tasks: [...tasks, { id: 'x', ...done }, { id: 'n', deps: ['x'], extra: 'level: planning' }],
        pulls: queued,
        staging: stagingWith([[1, 'a']], green),
      },
      'promote #1 a',
    ],
    [
      'just promoted: the still-open PR is not merged twice',
      {
        tasks,
        pulls: queued,
        staging: {
          sha: BASE_SHA,
          batch: { baseSha: sha('0'), entries: [{ number: 1, taskId: 'a', headSha: sha('1') }] },
          committedAtMs: 0,
          checks: [],
        },
      },
      'wait: no ready task PR is complete (#1: just merged)',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(describeAction(planReconcile(snapshotOf(input)).action)).toBe(expected);
  });

  it('says on a timeout that CI does not run on the staging branch, and how to fix it', () => {
    const plan = planReconcile(
      snapshotOf({
        tasks,
        pulls: queued,
        staging: stagingWith([[1, 'a']], []),
        nowMs: Date.parse('2026-06-02T12:31:00Z'),
      }),
    );
    expect(plan.action).toMatchObject({ kind: 'fail-batch', cause: 'checks-timeout', checks: ['ci'] });
    expect((plan.action as { reason: string }).reason).toContain('CI does not run on the staging branches');
    expect((plan.action as { reason: string }).reason).toContain(
      "on: push: branches: ['coordinator/staging*']",
    );
    expect(plan.actionEvents.map((e) => e.type)).toEqual(['merge.failed']);
    expect(plan.events.map((e) => e.key)).toEqual(['task.ready:a']);
  });

  it('completes the task and the aggregates it unblocks in the batch status commit', () => {
    const plan = planReconcile(snapshotOf({ tasks, pulls: queued }));
    expect(plan.action).toMatchObject({
      kind: 'start-batch',
      baseSha: BASE_SHA,
      entries: [{ number: 1, taskId: 'a', headSha: sha('1') }],
      statusEdits: [
        {
          taskId: 'a',
          path: 'tasks/a.md',
          status: 'completed',
          summary: 'Merged in #1: Implement a (https://github.com/o/r/pull/1)',
        },
        { taskId: 'm', path: 'tasks/m.md', status: 'completed' },
      ],
    });
  });

  it('announces nothing on promotion itself: what it makes true is derived from the base afterwards', () => {
    const plan = planReconcile(snapshotOf({ tasks, pulls: queued, staging: stagingWith([[1, 'a']], green) }));
    expect(plan.action.kind).toBe('promote');
    expect(plan.actionEvents).toEqual([]);
  });
});

describe('planReconcile: stalled task PRs', () => {
  const tasks = [{ id: 'a' }, { id: 'b', depends_on: ['a'] }];
  const at = (iso: string) => Date.parse(iso);
  it.each<[string, number, string | null, Partial<import('../../../src/domain/merge/types.js').PullState>]>([
    [
      'quiet for exactly the default 4 h',
      at('2026-06-02T14:00:00Z'),
      'task.stalled:#1:2026-06-02T10:00:00Z',
      {},
    ],
    ['quiet for 3 h 59 min: not yet', at('2026-06-02T13:59:00Z'), null, {}],
    [
      'a draft counts too',
      at('2026-06-02T15:00:00Z'),
      'task.stalled:#1:2026-06-02T10:00:00Z',
      { draft: true },
    ],
    [
      'new activity starts a new stall with a new key',
      at('2026-06-02T18:00:00Z'),
      'task.stalled:#1:2026-06-02T13:30:00Z',
      { updatedAt: '2026-06-02T13:30:00Z' },
    ],
  ])('%s', (_intent, nowMs, key, fields) => {
    const plan = planReconcile(
      snapshotOf({ tasks, pulls: [pull(1, 'a', { updatedAt: '2026-06-02T10:00:00Z', ...fields })], nowMs }),
    );
    const stalled = plan.events.filter((e) => e.type === 'task.stalled');
    expect(stalled.map((e) => e.key)).toEqual(key ? [key] : []);
    if (key) expect(stalled[0]).toMatchObject({ taskId: 'a', pull: 1 });
  });

  it('follows notifications.stall_after', () => {
    const plan = planReconcile(
      snapshotOf({
        tasks,
        pulls: [pull(1, 'a', { updatedAt: '2026-06-02T10:00:00Z' })],
        nowMs: at('2026-06-02T10:31:00Z'),
        config: (c) => {
          (c.notifications as { stall_after: number }).stall_after = 30 * 60_000;
        },
      }),
    );
    expect(plan.events.filter((e) => e.type === 'task.stalled').map((e) => e.message)).toEqual([
      '#1 (a) has had no activity for 31 min',
    ]);
  });

  it('ignores PRs that are not task PRs', () => {
    const other = pull(1, 'x', { headRef: 'docs/readme', updatedAt: '2026-06-01T00:00:00Z' });
    expect(
      planReconcile(snapshotOf({ tasks, pulls: [other] })).events.filter((e) => e.type === 'task.stalled'),
    ).toEqual([]);
  });
});

describe('planReconcile: check runs', () => {
  it.each<[string, SnapshotInput, string[]]>([
    ['ready', { tasks: [{ id: 'a' }], pulls: [pull(1, 'a')] }, ['1 success: Ready']],
    [
      'waiting on dependencies, listed',
      { tasks: [{ id: 'a' }, { id: 'z' }, { id: 'b', deps: ['z', 'a'] }], pulls: [pull(1, 'b')] },
      ['1 in_progress: Waiting for 2 dependencies: z, a'],
    ],
    [
      'status edits refused',
      {
        tasks: [{ id: 'a' }],
        pulls: [
          pull(1, 'a', {
            taskFileChanges: [{ path: 'tasks/a.md', baseStatus: 'pending', headStatus: 'done' }],
          }),
        ],
      },
      ['1 failure: Changes task status (1 file)'],
    ],
    [
      'blocked task refused',
      { tasks: [{ id: 'a', status: 'blocked' }], pulls: [pull(1, 'a')] },
      ['1 failure: Task is blocked'],
    ],
    [
      'unknown id in the body refused',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'x', { headRef: 'some-branch', body: 'Task: nope' })] },
      ['1 failure: Unknown task'],
    ],
    [
      'a task prefix naming no task is refused',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'typo')] },
      ['1 failure: Unknown task'],
    ],
    [
      'a body line maps any branch',
      {
        tasks: [{ id: 'a' }],
        pulls: [pull(1, 'x', { headRef: 'agent/work-7', body: 'Implements it.\nTask: a\n' })],
      },
      ['1 success: Ready'],
    ],
    [
      'a non-task PR gets no check',
      { tasks: [{ id: 'a' }], pulls: [pull(1, 'x', { headRef: 'docs/readme' })] },
      [],
    ],
    [
      'a broken graph makes task PRs wait',
      { tasks: [{ id: 'a', deps: ['ghost'] }], pulls: [pull(1, 'a')] },
      ['1 in_progress: Waiting: the task graph on main has errors'],
    ],
  ])('Merge order: %s', (_intent, input, expected) => {
    expect(orderChecks(planReconcile(snapshotOf(input)))).toEqual(expected);
  });

  it('writes a check run only when it differs from the one on the head', () => {
    const first = planReconcile(snapshotOf({ tasks: [{ id: 'a' }], pulls: [pull(1, 'a')] }));
    const order = first.checkRuns.find((c) => c.name === 'Merge order');
    const graph = first.checkRuns.find((c) => c.name === 'Task graph');
    if (!order || !graph) throw new Error('expected both check runs');
    const asExisting = (run: typeof order, id: number) => ({
      id,
      name: run.name,
      headSha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      title: run.title,
      summary: run.summary,
    });
    const again = planReconcile(
      snapshotOf({
        tasks: [{ id: 'a' }],
        pulls: [pull(1, 'a', { ownChecks: { 'Merge order': asExisting(order, 5) } })],
        baseChecks: { 'Task graph': asExisting(graph, 6) },
      }),
    );
    expect(again.checkRuns).toEqual([]);
  });

  it('updates the existing run on the same head instead of creating another', () => {
    const existing = {
      id: 5,
      name: 'Merge order',
      headSha: sha('1'),
      status: 'in_progress' as const,
      conclusion: null,
      title: 'old',
      summary: '',
    };
    const plan = planReconcile(
      snapshotOf({ tasks: [{ id: 'a' }], pulls: [pull(1, 'a', { ownChecks: { 'Merge order': existing } })] }),
    );
    expect(plan.checkRuns.find((c) => c.name === 'Merge order')?.existingId).toBe(5);
  });

  it('fails the Task graph check with one annotation per error and warns on ordering violations', () => {
    const plan = planReconcile(
      snapshotOf({
        tasks: [{ id: 'a', deps: ['ghost'] }, { id: 'b' }, { id: 'c', status: 'completed', deps: ['b'] }],
      }),
    );
    const graph = plan.checkRuns.find((c) => c.name === 'Task graph');
    expect(graph).toMatchObject({
      conclusion: 'failure',
      title: '1 error in the task graph',
      headSha: BASE_SHA,
    });
    expect(
      graph?.annotations.map((a) => `${a.annotation_level} ${a.path}:${a.start_line} ${a.title}`),
    ).toEqual([
      'failure tasks/a.md:5 missing-dependency',
      'warning tasks/c.md:4 ordering violation (status-inversion)',
    ]);
    expect(plan.events.map((e) => e.type)).toEqual(['graph.invalid', 'ordering.violation']);
  });
});

describe('planReconcile: draft PRs for pushed task branches', () => {
  const tasks = [{ id: 'a' }, { id: 'b', status: 'completed' }, { id: 'c' }];
  // Pushed at 11:00; the snapshot's clock says 12:00 (default grace: 2 minutes).
  const branch = (
    name: string,
    seed = 'x',
    committedAtMs: number | null = Date.parse('2026-06-02T11:00:00Z'),
  ) => ({
    name,
    sha: sha(seed),
    committedAtMs,
  });
  it.each<[string, SnapshotInput, string[]]>([
    ['a task branch without a PR gets one', { tasks, branches: [branch('feat/a')] }, ['feat/a -> a']],
    ['not when a PR is open', { tasks, branches: [branch('feat/a')], pulls: [pull(1, 'a')] }, []],
    [
      'not when its PR was merged',
      {
        tasks,
        branches: [branch('feat/a')],
        merged: [{ number: 2, title: 't', body: '', headRef: 'feat/a', url: 'u' }],
      },
      [],
    ],
    ['not for a completed task', { tasks, branches: [branch('feat/b')] }, []],
    [
      'not for a branch without commits',
      { tasks, branches: [{ name: 'feat/a', sha: BASE_SHA, committedAtMs: 0 }] },
      [],
    ],
    [
      'not while the push is younger than draft_after (the agent may be opening its own PR)',
      { tasks, branches: [branch('feat/a', 'x', Date.parse('2026-06-02T11:59:00Z'))] },
      [],
    ],
    [
      'once the push is exactly draft_after old',
      { tasks, branches: [branch('feat/a', 'x', Date.parse('2026-06-02T11:58:00Z'))] },
      ['feat/a -> a'],
    ],
    ['not for a branch naming no task', { tasks, branches: [branch('feat/zzz')] }, []],
    [
      'not when turned off',
      {
        tasks,
        branches: [branch('feat/a')],
        config: (c) => {
          c.pull_requests.open_draft = false;
        },
      },
      [],
    ],
  ])('%s', (_intent, input, expected) => {
    expect(planReconcile(snapshotOf(input)).draftPulls.map((d) => `${d.branch} -> ${d.taskId}`)).toEqual(
      expected,
    );
  });
});

describe('a repository without task files', () => {
  const graphRuns = (plan: Plan) => plan.checkRuns.filter((r) => r.name === 'Task graph');

  it.each([
    ['no task files at all: no check', {}, 0],
    ['one valid task: the Task graph check', { tasks: [{ id: 'a' }] }, 1],
    [
      'only a broken task file: the check says what is wrong',
      { files: [{ path: 'tasks/a.md', text: '---\nid: [oops\n---\n' }] },
      1,
    ],
    [
      'no task files any more, but a check from before on this head: it is corrected',
      {
        baseChecks: {
          'Task graph': {
            id: 5,
            headSha: BASE_SHA,
            status: 'completed',
            conclusion: 'success',
            title: '3 tasks',
            summary: '',
            externalId: null,
          },
        },
      },
      1,
    ],
  ] as [string, SnapshotInput, number][])('%s', (_name, input, runs) => {
    expect(graphRuns(planReconcile(snapshotOf(input)))).toHaveLength(runs);
  });
});
