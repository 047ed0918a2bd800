/**
 * The merge train in the planner (pure, no mocks): which batch goes next, on which staging branch
 * and on top of what; how a red batch is bisected, retried or ejected; when cars are rebuilt.
 */
import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../../src/domain/merge/plan.js';
import { parseQueueRecord } from '../../../src/domain/merge/queue-record.js';
import type {
  MergeAction,
  OwnCheckRun,
  PullState,
  StartBatchAction,
  Wait,
} from '../../../src/domain/merge/types.js';
import {
  BASE_SHA,
  green,
  pull,
  type SnapshotInput,
  type StagingInput,
  sha,
  snapshotOf,
} from '../../helpers/snapshots.js';

const pending = [{ name: 'ci', outcome: 'pending' as const }];
const red = [{ name: 'ci', outcome: 'failure' as const, url: 'https://ci.example/run/1' }];
const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const tasks = ids.map((id) => ({ id }));

/** PR n (1..8) on task ids[n-1], complete, with its own checks green. */
const ready = (n: number, fields: Partial<PullState> = {}) =>
  pull(n, ids[n - 1] as string, { checks: green, ...fields });

/** A `Merge queue` run on PR n's head carrying `externalId`. */
function queueRun(n: number, externalId: string, fields: Partial<OwnCheckRun> = {}): PullState['ownChecks'] {
  return {
    'Merge queue': {
      id: 100 + n,
      name: 'Merge queue',
      headSha: sha(String(n % 10)),
      status: 'in_progress',
      conclusion: null,
      title: 'Bisecting',
      summary: '',
      externalId,
      ...fields,
    },
  };
}

/** A car on `branch` built on `base`, holding PRs `numbers`, with its checks. */
function car(
  branch: string,
  carSha: string,
  base: string,
  numbers: number[],
  checks: StagingInput['checks'],
  fields: Partial<StagingInput> = {},
): StagingInput {
  return {
    branch,
    sha: carSha,
    batch: {
      baseSha: base,
      entries: numbers.map((n) => ({
        number: n,
        taskId: ids[n - 1] as string,
        headSha: sha(String(n % 10)),
      })),
    },
    committedAtMs: Date.parse('2026-06-02T11:55:00Z'),
    checks,
    ...fields,
  };
}
const CAR0 = sha('c');
const CAR1 = sha('d');
const CAR2 = sha('e');

/**
 * Aggregates over a car: m depends on a, n on a and b; the car (#1, task a, with `checks`) completed
 * a and m in its status commit; #2 (task b) is ready.
 */
function aggregatesOverCar(checks: StagingInput['checks']): SnapshotInput {
  return {
    tasks: [
      { id: 'a' },
      { id: 'b' },
      { id: 'm', deps: ['a'], extra: 'level: planning' },
      { id: 'n', deps: ['a', 'b'], extra: 'level: planning' },
    ],
    pulls: [ready(1), ready(2)],
    staging: car('coordinator/staging', CAR0, BASE_SHA, [1], checks, {
      batch: {
        baseSha: BASE_SHA,
        entries: [{ number: 1, taskId: 'a', headSha: sha('1') }],
        edits: [
          { taskId: 'a', status: 'completed' },
          { taskId: 'm', status: 'completed' },
        ],
      },
    }),
  };
}

/** `start-batch coordinator/staging-2 on d #3 c, #4 d`, `fail-batch ...`, `wait: ...`. */
function line(action: MergeAction | Wait): string {
  switch (action.kind) {
    case 'wait':
      return `wait: ${action.reason}`;
    case 'start-batch':
      return `start-batch ${action.branch} on ${action.onBase ? 'base' : action.baseSha.slice(0, 1)} ${action.entries.map((e) => `#${e.number}`).join(', ')}`;
    case 'promote':
      return `promote ${action.branch} ${action.entries.map((e) => `#${e.number}`).join(', ')}${action.then ? `, then ${line(action.then)}` : ''}`;
    case 'fail-batch':
      return `fail-batch ${action.branch}: ${action.verdicts
        .map((v) =>
          v.kind === 'eject'
            ? `eject #${v.entry.number}`
            : `requeue #${v.entry.number} ${recordText(v.externalId)}`,
        )
        .join(', ')}`;
    default:
      return action.kind;
  }
}
/** `limit 2`, `retry 1`: what a requeued record changes. */
function recordText(externalId: string): string {
  const record = parseQueueRecord(externalId);
  return [
    ...(record.limit ? [`limit ${record.limit}`] : []),
    ...(record.retries ? [`retry ${record.retries}`] : []),
  ].join(', ');
}
const plan = (input: SnapshotInput) => planReconcile(snapshotOf({ tasks, ...input }));

describe('batches', () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'every complete candidate goes into one batch, in merge order',
      { pulls: [ready(3), ready(1), ready(2)] },
      'start-batch coordinator/staging on base #1, #2, #3',
    ],
    [
      'at most merge.batch_size',
      {
        pulls: [ready(1), ready(2), ready(3)],
        config: (c) => {
          c.merge.batch_size = 2;
        },
      },
      'start-batch coordinator/staging on base #1, #2',
    ],
    [
      'batch_size 1 is one PR per CI run',
      {
        pulls: [ready(1), ready(2)],
        config: (c) => {
          c.merge.batch_size = 1;
        },
      },
      'start-batch coordinator/staging on base #1',
    ],
    [
      'a PR isolated by bisection (limit 1) is tested alone; the others go in the next batch',
      { pulls: [ready(1, { ownChecks: queueRun(1, 'tgc1;limit=1') }), ready(2), ready(3)] },
      'start-batch coordinator/staging on base #1',
    ],
    [
      'a limit holds for the whole batch: a half of a split batch stays a half',
      {
        pulls: [
          ready(1, { ownChecks: queueRun(1, 'tgc1;limit=2') }),
          ready(2, { ownChecks: queueRun(2, 'tgc1;limit=2') }),
          ready(3),
          ready(4),
        ],
      },
      'start-batch coordinator/staging on base #1, #2',
    ],
    [
      'a PR that changes a file another PR of the batch changes waits for a later batch',
      {
        pulls: [
          ready(1, { changedFiles: ['shared/CHANGELOG.md', 'work/a.md'] }),
          ready(2, { changedFiles: ['work/b.md'] }),
          ready(3, { changedFiles: ['shared/CHANGELOG.md', 'work/c.md'] }),
        ],
      },
      'start-batch coordinator/staging on base #2, #1',
    ],
    [
      'a PR held back by a conflict with the batch ahead goes first on an empty train',
      { pulls: [ready(1), ready(2), ready(3, { ownChecks: queueRun(3, `tgc1;held=${CAR0}`) })] },
      'start-batch coordinator/staging on base #3, #1, #2',
    ],
    [
      'a PR not yet complete is not waited for',
      { pulls: [ready(1), ready(2, { checks: pending })] },
      'start-batch coordinator/staging on base #1',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(line(plan(input).action)).toBe(expected);
  });

  it('one status commit completes every task of the batch and the aggregates that completes', () => {
    const action = planReconcile(
      snapshotOf({
        tasks: [{ id: 'a' }, { id: 'b' }, { id: 'm', deps: ['a', 'b'], extra: 'level: planning' }],
        pulls: [ready(1), ready(2)],
      }),
    ).action;
    expect(action.kind === 'start-batch' && action.statusEdits.map((e) => `${e.taskId} ${e.status}`)).toEqual(
      ['a completed', 'b completed', 'm completed'],
    );
  });
});

describe('speculation', () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'while a batch is under test, newly complete PRs are staged on top of it',
      {
        pulls: [ready(1), ready(2), ready(3)],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
      },
      'start-batch coordinator/staging-2 on c #2, #3',
    ],
    [
      'and on top of the top car, on the next free branch',
      {
        pulls: [ready(1), ready(2), ready(3)],
        staging: [
          car('coordinator/staging-2', CAR0, BASE_SHA, [1], pending),
          car('coordinator/staging', CAR1, CAR0, [2], pending),
        ],
      },
      'start-batch coordinator/staging-3 on d #3',
    ],
    [
      'at most 1 + merge.parallel batches are under test',
      {
        pulls: [ready(1), ready(2), ready(3), ready(4)],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
          car('coordinator/staging-2', CAR1, CAR0, [2], pending),
          car('coordinator/staging-3', CAR2, CAR1, [3], pending),
        ],
      },
      'wait: waiting for ci on the merge result of #1; 2 more batches under test: #2 on coordinator/staging-2, #3 on coordinator/staging-3',
    ],
    [
      'merge.parallel 0: one batch at a time',
      {
        pulls: [ready(1), ready(2)],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
        config: (c) => {
          c.merge.parallel = 0;
        },
      },
      'wait: waiting for ci on the merge result of #1',
    ],
    [
      'a PR that changes a file a batch under test changes waits for it',
      {
        pulls: [ready(1, { changedFiles: ['shared.md'] }), ready(2, { changedFiles: ['shared.md'] })],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
      },
      'wait: #2 change files a batch under test changes and wait for it; waiting for ci on the merge result of #1',
    ],
    [
      'a PR held back by a conflict with a car waits while that car is under test; others go on top',
      {
        pulls: [ready(1), ready(2, { ownChecks: queueRun(2, `tgc1;held=${CAR0}`) }), ready(3)],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
      },
      'start-batch coordinator/staging-2 on c #3',
    ],
    [
      'and it is the only one: the train says why it waits',
      {
        pulls: [ready(1), ready(2, { ownChecks: queueRun(2, `tgc1;held=${CAR0}`) })],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
      },
      'wait: #2 conflicted with a batch under test and goes first once it has left the train; waiting for ci on the merge result of #1',
    ],
    [
      'once the car it conflicted with has left the train, a held PR goes first, on top of the cars still under test',
      {
        pulls: [ready(1), ready(2), ready(3, { ownChecks: queueRun(3, `tgc1;held=${CAR1}`) })],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
      },
      'start-batch coordinator/staging-2 on c #3, #2',
    ],
    [
      'the first car is promoted when green, even with cars above it still running',
      {
        pulls: [ready(1), ready(2)],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1], green),
          car('coordinator/staging-2', CAR1, CAR0, [2], pending),
        ],
      },
      'promote coordinator/staging #1',
    ],
    [
      'a car above the first one is never promoted first, even when green',
      {
        pulls: [ready(1), ready(2), ready(3, { checks: pending })],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
          car('coordinator/staging-2', CAR1, CAR0, [2], green),
        ],
      },
      'wait: waiting for ci on the merge result of #1; 1 more batch under test: #2 on coordinator/staging-2',
    ],
    [
      'after a promotion the car above is the first car: it is promoted once green',
      {
        pulls: [ready(2)],
        staging: [
          car('coordinator/staging', BASE_SHA, 'a'.repeat(40), [1], green),
          car('coordinator/staging-2', CAR1, BASE_SHA, [2], green),
        ],
      },
      'promote coordinator/staging-2 #2',
    ],
    [
      'a red car above the first one is judged only once it is first (its failure may be the first car’s)',
      {
        pulls: [ready(1), ready(2)],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
          car('coordinator/staging-2', CAR1, CAR0, [2], red),
        ],
      },
      'wait: waiting for ci on the merge result of #1; 1 more batch under test: #2 on coordinator/staging-2',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(line(plan(input).action)).toBe(expected);
  });

  it('a speculative status commit leaves out what the cars below it already did', () => {
    const action = planReconcile(snapshotOf(aggregatesOverCar(pending))).action;
    // b completes here, and with a (below) that completes n; m was completed below.
    expect(action).toMatchObject({ kind: 'start-batch', baseSha: CAR0, onBase: false });
    expect(action.kind === 'start-batch' && action.statusEdits.map((e) => e.taskId)).toEqual(['b', 'n']);
  });
});

describe("a promotion's follow-on: the batch the next reconcile would start, staged in the same one", () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'the last car promoted: the next batch goes on it (the base once promoted)',
      {
        pulls: [ready(1), ready(2)],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], green),
      },
      'promote coordinator/staging #1, then start-batch coordinator/staging-2 on base #2',
    ],
    [
      'a PR that changes a file only the promoted car changes is no longer deferred',
      {
        pulls: [ready(1, { changedFiles: ['shared.md'] }), ready(2, { changedFiles: ['shared.md'] })],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], green),
      },
      'promote coordinator/staging #1, then start-batch coordinator/staging-2 on base #2',
    ],
    [
      'a file a car still under test changes still defers the PR',
      {
        pulls: [
          ready(1),
          ready(2, { changedFiles: ['shared.md'] }),
          ready(3, { changedFiles: ['shared.md'] }),
        ],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1], green),
          car('coordinator/staging-2', CAR1, CAR0, [2], pending),
        ],
      },
      'promote coordinator/staging #1',
    ],
    [
      'a PR held back by the promoted car goes first, on the base',
      {
        pulls: [ready(1), ready(2), ready(3, { ownChecks: queueRun(3, `tgc1;held=${CAR0}`) })],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], green),
      },
      'promote coordinator/staging #1, then start-batch coordinator/staging-2 on base #3, #2',
    ],
    [
      'a full train: the follow-on takes the promoted car’s branch, on top of the last car',
      {
        pulls: [ready(1), ready(2), ready(3), ready(4)],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1], green),
          car('coordinator/staging-2', CAR1, CAR0, [2], pending),
          car('coordinator/staging-3', CAR2, CAR1, [3], pending),
        ],
      },
      'promote coordinator/staging #1, then start-batch coordinator/staging on e #4',
    ],
    [
      'nothing else ready: the promotion alone',
      { pulls: [ready(1)], staging: car('coordinator/staging', CAR0, BASE_SHA, [1], green) },
      'promote coordinator/staging #1',
    ],
    [
      'a red first car has no follow-on (the cars above it are rebuilt)',
      { pulls: [ready(1), ready(2)], staging: car('coordinator/staging', CAR0, BASE_SHA, [1], red) },
      'fail-batch coordinator/staging: requeue #1 retry 1',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(line(plan(input).action)).toBe(expected);
  });

  it('the follow-on counts the promoted car’s status edits as done', () => {
    const action = planReconcile(snapshotOf(aggregatesOverCar(green))).action;
    expect(action.kind === 'promote' && action.then).toMatchObject({ baseSha: CAR0, onBase: true });
    // b completes here, and with a (promoted) that completes n; m was completed by the promoted car.
    expect(action.kind === 'promote' && action.then?.statusEdits.map((e) => e.taskId)).toEqual(['b', 'n']);
  });
});

describe('a red batch', () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'of several PRs is bisected: every PR is requeued with half the size',
      {
        pulls: [ready(1), ready(2), ready(3), ready(4), ready(5)],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1, 2, 3, 4, 5], red),
      },
      'fail-batch coordinator/staging: requeue #1 limit 3, requeue #2 limit 3, requeue #3 limit 3, requeue #4 limit 3, requeue #5 limit 3',
    ],
    [
      'a half of an earlier split is halved again',
      {
        pulls: [1, 2, 3].map((n) => ready(n, { ownChecks: queueRun(n, 'tgc1;limit=4') })),
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1, 2, 3], red),
      },
      'fail-batch coordinator/staging: requeue #1 limit 2, requeue #2 limit 2, requeue #3 limit 2',
    ],
    [
      'of one PR is re-run (merge.retries: 1), since a red run may be flaky',
      { pulls: [ready(1)], staging: car('coordinator/staging', CAR0, BASE_SHA, [1], red) },
      'fail-batch coordinator/staging: requeue #1 retry 1',
    ],
    [
      'of one PR already re-run ejects it',
      {
        pulls: [ready(1, { ownChecks: queueRun(1, 'tgc1;limit=1;retries=1') })],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], red),
      },
      'fail-batch coordinator/staging: eject #1',
    ],
    [
      'of one PR with merge.retries 0 ejects it at once',
      {
        pulls: [ready(1)],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], red),
        config: (c) => {
          c.merge.retries = 0;
        },
      },
      'fail-batch coordinator/staging: eject #1',
    ],
    [
      'whose checks never appeared ejects its PRs (CI configuration, not a PR’s fault)',
      {
        pulls: [ready(1), ready(2)],
        staging: car('coordinator/staging-2', CAR0, BASE_SHA, [1, 2], [], {
          committedAtMs: Date.parse('2026-06-02T10:30:00Z'),
        }),
      },
      'fail-batch coordinator/staging-2: eject #1, eject #2',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(line(plan(input).action)).toBe(expected);
  });

  it('links the red run and names the car in each record, so a verdict is counted once', () => {
    const action = plan({
      pulls: [ready(1), ready(2)],
      staging: car('coordinator/staging', CAR0, BASE_SHA, [1, 2], red),
    }).action;
    if (action.kind !== 'fail-batch') throw new Error(action.kind);
    expect(action.reason).toContain('[ci](https://ci.example/run/1)');
    for (const verdict of action.verdicts) {
      if (verdict.kind !== 'requeue') throw new Error(verdict.kind);
      expect(parseQueueRecord(verdict.externalId)).toMatchObject({ limit: 1, failedOn: CAR0 });
      expect(verdict.summary).toContain('[ci](https://ci.example/run/1)');
    }
    // merge.failed only for ejected PRs
    expect(
      plan({ pulls: [ready(1), ready(2)], staging: car('coordinator/staging', CAR0, BASE_SHA, [1, 2], red) })
        .actionEvents,
    ).toEqual([]);
  });
});

describe('rebuilds', () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'a car whose failure was already counted (the reconcile was interrupted) is rebuilt, as halves',
      {
        pulls: [1, 2, 3, 4].map((n) => ready(n, { ownChecks: queueRun(n, `tgc1;limit=2;seen=${CAR0}`) })),
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1, 2, 3, 4], red),
      },
      'start-batch coordinator/staging on base #1, #2',
    ],
    [
      'cars above a car that is gone are rebuilt on the train as it is',
      {
        pulls: [ready(1), ready(2), ready(3)],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1], pending),
          car('coordinator/staging-2', CAR2, sha('9'), [2, 3], pending),
        ],
      },
      'start-batch coordinator/staging-2 on c #2, #3',
    ],
    [
      'a base moved by someone else ends the whole train',
      {
        pulls: [ready(1), ready(2)],
        staging: [
          car('coordinator/staging', CAR0, sha('9'), [1], green),
          car('coordinator/staging-2', CAR1, CAR0, [2], green),
        ],
      },
      'start-batch coordinator/staging on base #1, #2',
    ],
    [
      'a PR pushed anew leaves its car, and every car above it is rebuilt',
      {
        pulls: [ready(1, { headSha: sha('7') }), ready(2), ready(3)],
        staging: [
          car('coordinator/staging', CAR0, BASE_SHA, [1, 2], pending),
          car('coordinator/staging-2', CAR1, CAR0, [3], green),
        ],
      },
      'start-batch coordinator/staging on base #1, #2, #3',
    ],
    [
      'a car bigger than a member’s limit does not stand',
      {
        pulls: [ready(1, { ownChecks: queueRun(1, 'tgc1;limit=1') }), ready(2)],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1, 2], pending),
      },
      'start-batch coordinator/staging on base #1',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(line(plan(input).action)).toBe(expected);
  });
});

describe('optimistic entry (merge.wait_for_pr_checks: false)', () => {
  const optimistic = (c: Parameters<NonNullable<SnapshotInput['config']>>[0]) => {
    c.merge.wait_for_pr_checks = false;
  };
  it.each<[string, SnapshotInput, string]>([
    [
      'a ready PR whose checks still run enters a batch: the staging run is its test',
      { pulls: [ready(1, { checks: pending }), ready(2, { checks: [] })], config: optimistic },
      'start-batch coordinator/staging on base #1, #2',
    ],
    [
      'a PR whose own checks failed does not',
      { pulls: [ready(1, { checks: red }), ready(2)], config: optimistic },
      'start-batch coordinator/staging on base #2',
    ],
    [
      'a PR in a batch stays there whatever its own checks say later',
      {
        pulls: [ready(1, { checks: red })],
        staging: car('coordinator/staging', CAR0, BASE_SHA, [1], green),
        config: optimistic,
      },
      'promote coordinator/staging #1',
    ],
    [
      'by default a PR waits for its own checks',
      { pulls: [ready(1, { checks: pending })] },
      'wait: no ready task PR is complete (#1: waiting for required checks: ci)',
    ],
  ])('%s', (_intent, input, expected) => {
    expect(line(plan(input).action)).toBe(expected);
  });
});

/**
 * The planner driven to the end against a model of git and CI (pure: each action is applied to the
 * snapshot as GitHub would; CI reports one step after a car is staged, red exactly when the car
 * holds a failing PR, below it or in it, so cars are staged on top of cars under test).
 */
function drive(input: { prs: number; failing: readonly number[]; configure?: SnapshotInput['config'] }) {
  let base = BASE_SHA;
  let counter = 0;
  let staging: StagingInput[] = [];
  const pulls = new Map(Array.from({ length: input.prs }, (_, i) => [i + 1, ready(i + 1)]));
  const promoted: { entry: { number: number; headSha: string; taskId: string }; commitSha: string }[] = [];
  const contents = new Map<string, number[]>([[BASE_SHA, []]]);
  const log = { ciRuns: 0, promotions: [] as number[][], ejected: [] as number[], steps: 0, followOns: 0 };
  // CI's verdict on a car, and the step it arrives at (the planner sees the car running in between).
  const reports = new Map<string, { checks: StagingInput['checks']; at: number }>();
  for (; log.steps < 200; log.steps++) {
    const running = reports.size > 0;
    staging = staging.map((s) => {
      const report = reports.get(s.sha);
      if (!report || report.at > log.steps) return s;
      reports.delete(s.sha);
      return { ...s, checks: report.checks };
    });
    const snapshot = {
      ...snapshotOf({ tasks, pulls: [...pulls.values()], staging, config: input.configure }),
      baseSha: base,
      promoted: promoted.map((p) => ({ ...p, queueRun: null, orderRun: null })),
    };
    const action = planReconcile(snapshot).action;
    if (action.kind === 'wait') {
      if (running) continue;
      break;
    }
    const stage = (action: StartBatchAction) => {
      const carSha = (++counter).toString(16).padStart(40, '0');
      const held = [...(contents.get(action.baseSha) ?? []), ...action.entries.map((e) => e.number)];
      contents.set(carSha, held);
      log.ciRuns++;
      reports.set(carSha, {
        checks: held.some((n) => input.failing.includes(n)) ? red : green,
        at: log.steps + 2,
      });
      staging = [
        ...staging.filter((s) => s.branch !== action.branch),
        {
          branch: action.branch,
          sha: carSha,
          batch: { baseSha: action.baseSha, entries: action.entries, edits: [] },
          committedAtMs: Date.parse('2026-06-02T11:59:00Z'),
          checks: pending,
        },
      ];
    };
    if (action.kind === 'start-batch') stage(action);
    else if (action.kind === 'promote') {
      base = action.stagingSha;
      log.promotions.push(action.entries.map((e) => e.number));
      for (const entry of action.entries) {
        pulls.delete(entry.number);
        promoted.push({ entry, commitSha: base });
      }
      // The executor stages the follow-on batch in the same reconcile.
      if (action.then) {
        log.followOns++;
        stage(action.then);
      }
    } else if (action.kind === 'fail-batch') {
      for (const verdict of action.verdicts) {
        const p = pulls.get(verdict.entry.number) as PullState;
        if (verdict.kind === 'eject') {
          log.ejected.push(verdict.entry.number);
          pulls.set(p.number, {
            ...p,
            ownChecks: queueRun(p.number, 'tgc1;failed=checks-failed', {
              status: 'completed',
              conclusion: 'failure',
              title: 'Checks failed',
            }),
          });
        } else pulls.set(p.number, { ...p, ownChecks: queueRun(p.number, verdict.externalId) });
      }
      staging = staging.filter((s) => s.branch !== action.branch);
    } else throw new Error(`unexpected ${action.kind}`);
  }
  return { ...log, left: [...pulls.keys()] };
}

describe('the train driven to the end (planner against a model of git and CI)', () => {
  it('isolates the one failing PR of eight by bisection; its siblings merge in batches', () => {
    const run = drive({ prs: 8, failing: [5] });
    expect(run.ejected).toEqual([5]);
    expect(run.promotions.flat().sort()).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(run.left).toEqual([5]);
    // Halving (8 -> 4 + 4 -> 2 + 2 -> 1 + 1) plus one retry of the isolated PR is 7 runs; the halves
    // staged on top of a half that then fails are rebuilt (4 more). Serially, without speculation,
    // the same bisection takes as many steps as it has runs.
    expect(run.ciRuns).toBeLessThanOrEqual(11);
    expect(run.promotions.some((batch) => batch.length >= 2)).toBe(true);
  });

  it('with no failure, eight PRs take one CI run', () => {
    const run = drive({ prs: 8, failing: [] });
    expect(run).toMatchObject({ ciRuns: 1, promotions: [[1, 2, 3, 4, 5, 6, 7, 8]], ejected: [], left: [] });
  });

  it('two failing PRs of one batch are both found; the other six merge', () => {
    const run = drive({ prs: 8, failing: [2, 7] });
    expect(run.ejected.sort()).toEqual([2, 7]);
    expect(run.promotions.flat().sort()).toEqual([1, 3, 4, 5, 6, 8]);
    expect(run.ciRuns).toBeLessThanOrEqual(20);
  });

  it('batch_size 1 is one CI run per PR, and a red one is retried once before it is ejected', () => {
    const run = drive({
      prs: 3,
      failing: [2],
      configure: (c) => {
        c.merge.batch_size = 1;
      },
    });
    expect(run.promotions).toEqual([[1], [3]]);
    expect(run.ejected).toEqual([2]);
    // 1, then 2 on top of it; 3 on top of 2 as 1 is promoted (the promotion's follow-on); 2 again
    // (its retry) with 3 on top; 3 again, on the base, once 2 is ejected
    expect(run.ciRuns).toBe(6);
    expect(run.followOns).toBe(1);
  });
});
