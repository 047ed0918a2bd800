/**
 * The planner under a protected base branch, as a table of the header's rules: trust gate, review
 * gate, the safe default for checks, the app's own checks on the staging head, how status commits
 * travel (straight, through staging, or not at all), blocks by branch rules, and the `Task graph`
 * check on PR heads that change the graph. Pure: snapshots in, plans out.
 */
import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../../src/domain/merge/plan.js';
import type { MergeAction, Plan, RepoSnapshot, Wait } from '../../../src/domain/merge/types.js';
import type { BaseRules, ClassicRules, RulesetRules } from '../../../src/domain/rules/branch-rules.js';
import { loadTaskGraph } from '../../../src/domain/tasks/load-graph.js';
import { BASE_SHA, green, pull, type SnapshotInput, sha, snapshotOf } from '../../helpers/snapshots.js';
import { taskFile } from '../../helpers/task-files.js';

function describeAction(action: MergeAction | Wait): string {
  switch (action.kind) {
    case 'wait':
      return `wait: ${action.reason}`;
    case 'start-batch':
      return `start-batch [${action.entries.map((e) => `#${e.number}`).join(' ')}] edits [${action.statusEdits.map((e) => `${e.taskId}=${e.status}`).join(' ')}]${action.statusSha ? ` status ${action.statusSha.slice(0, 1)}` : ''}`;
    case 'promote':
      return `promote [${action.entries.map((e) => `#${e.number}`).join(' ')}]${action.untested ? ' untested' : ''}${action.then ? ` then ${describeAction(action.then)}` : ''}`;
    case 'fail-batch':
      return `fail-batch [${action.entries.map((e) => `#${e.number}`).join(' ')}]`;
    case 'commit-status':
      return `commit-status ${action.edits.map((e) => e.taskId).join(', ')}${action.pending ? ` (pending ${action.pending.sha.slice(0, 1)}: ${action.pending.edits.map((e) => e.path).join(', ')})` : ''}`;
    case 'update-branch':
    case 'merge-pull':
      return `${action.kind} #${action.entry.number}`;
  }
}

const checksLine = (plan: Plan, name: string) =>
  plan.checkRuns
    .filter((c) => c.name === name)
    .map((c) => `${c.headSha.slice(0, 1)} ${c.conclusion ?? c.status}: ${c.title}`);

const classic = (fields: Partial<ClassicRules>): BaseRules => ({
  classic: {
    requiredChecks: [],
    reviews: null,
    pushApps: null,
    linearHistory: false,
    complete: true,
    ...fields,
  },
  rulesets: [],
});
const ruleset = (fields: Partial<RulesetRules>): RulesetRules => ({
  id: 1,
  name: 'Protect main',
  bypass: 'never',
  requiredChecks: [],
  pullRequest: null,
  linearHistory: false,
  nonFastForward: false,
  ...fields,
});
const reviewsRule = {
  count: 1,
  dismissStale: true,
  codeOwners: false,
  bypassApps: ['taskgraph-coordinator'],
};
const approved = (commitId: string) => [
  { user: 'maintainer', state: 'APPROVED' as const, commitId, canWrite: true },
];
const tasks = [{ id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'm', deps: ['a'], extra: 'level: planning' }];

/** A command's edit of b waiting on coordinator/status, #1 (a) in a car with `checks`, #2 (c) ready. */
const waitingEditWithCar = (checks: { name: string; outcome: 'success' | 'pending' | 'failure' }[]) => ({
  tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  pendingStatus: { sha: sha('p'), edits: [{ taskId: 'b', status: 'blocked' as const }] },
  pulls: [pull(1, 'a', { checks: green }), pull(2, 'c', { checks: green })],
  staging: {
    sha: sha('s'),
    batch: { baseSha: BASE_SHA, entries: [{ number: 1, taskId: 'a', headSha: sha('1') }] },
    committedAtMs: Date.parse('2026-06-02T11:30:00Z'),
    checks,
    ownChecks: {},
  },
});

describe('planReconcile under branch rules: which action', () => {
  it.each<[string, SnapshotInput, string]>([
    [
      'a fork PR waits for a maintainer and is never staged',
      { tasks, pulls: [pull(1, 'a', { checks: green, fromFork: true })] },
      'wait: no task PR is ready to merge',
    ],
    [
      'a fork PR whose head a maintainer took in is staged',
      {
        tasks,
        pulls: [
          pull(1, 'a', {
            checks: green,
            fromFork: true,
            ownChecks: {
              'Merge queue': {
                id: 5,
                name: 'Merge queue',
                headSha: sha('1'),
                status: 'completed',
                conclusion: 'neutral',
                title: 'Taken in',
                summary: '',
                externalId: 'tgc1;trusted=maintainer',
              },
            },
          }),
        ],
      },
      'start-batch [#1] edits [a=completed m=completed]',
    ],
    [
      '... but not a later head (the record is per head SHA)',
      {
        tasks,
        pulls: [
          pull(1, 'a', {
            checks: green,
            fromFork: true,
            headSha: sha('9'),
            ownChecks: {
              'Merge queue': {
                id: 5,
                name: 'Merge queue',
                headSha: sha('1'),
                status: 'completed',
                conclusion: 'neutral',
                title: 'Taken in',
                summary: '',
                externalId: 'tgc1;trusted=maintainer',
              },
            },
          }),
        ],
      },
      'wait: no task PR is ready to merge',
    ],
    [
      'required reviews missing: waits',
      {
        tasks,
        rules: classic({ reviews: reviewsRule }),
        pulls: [pull(1, 'a', { checks: green, reviews: [] })],
      },
      'wait: no task PR is ready to merge',
    ],
    [
      'required reviews met on the head: staged',
      {
        tasks,
        rules: classic({ reviews: reviewsRule }),
        pulls: [pull(1, 'a', { checks: green, reviews: approved(sha('1')) })],
      },
      'start-batch [#1] edits [a=completed m=completed]',
    ],
    [
      'a stale approval does not count when stale reviews are dismissed',
      {
        tasks,
        rules: classic({ reviews: reviewsRule }),
        pulls: [pull(1, 'a', { checks: green, reviews: approved(sha('7')) })],
      },
      'wait: no task PR is ready to merge',
    ],
    [
      'a required pull request without a bypass for the app: nothing is staged',
      {
        tasks,
        rules: classic({ reviews: { ...reviewsRule, bypassApps: [] } }),
        pulls: [pull(1, 'a', { checks: green, reviews: approved(sha('1')) })],
      },
      'wait: branch rules refuse the promotion of any batch: branch protection of `main`: "Require a pull request before merging"',
    ],
    [
      'a ruleset requiring a PR, app not a bypass actor: nothing is staged',
      {
        tasks,
        rules: {
          classic: null,
          rulesets: [ruleset({ pullRequest: { count: 1, dismissStale: false, codeOwners: false } })],
        },
        pulls: [pull(1, 'a', { checks: green, reviews: approved(sha('1')) })],
      },
      'wait: branch rules refuse the promotion of any batch: ruleset "Protect main": "Require a pull request before merging"',
    ],
    [
      'the same ruleset with the app as bypass actor: staged',
      {
        tasks,
        rules: {
          classic: null,
          rulesets: [
            ruleset({ bypass: 'always', pullRequest: { count: 1, dismissStale: false, codeOwners: false } }),
          ],
        },
        pulls: [pull(1, 'a', { checks: green, reviews: approved(sha('1')) })],
      },
      'start-batch [#1] edits [a=completed m=completed]',
    ],
    [
      'push restrictions without the app: nothing is staged',
      { tasks, rules: classic({ pushApps: ['other-bot'] }), pulls: [pull(1, 'a', { checks: green })] },
      'wait: branch rules refuse the promotion of any batch: branch protection of `main`: "Restrict who can push to matching branches"',
    ],
    [
      'linear history refuses the merge commits of staging',
      { tasks, rules: classic({ linearHistory: true }), pulls: [pull(1, 'a', { checks: green })] },
      'wait: branch rules refuse the promotion of any batch: branch protection of `main`: "Require linear history"',
    ],
    [
      'an aggregate owed with no checks required: a straight status commit',
      {
        tasks: [
          { id: 'a', status: 'completed' },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
        ],
      },
      'commit-status m',
    ],
    [
      'an aggregate owed while protection requires checks: a batch of its own on staging',
      {
        tasks: [
          { id: 'a', status: 'completed' },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
        ],
        rules: classic({ requiredChecks: [{ context: 'ci', appId: null }] }),
      },
      'start-batch [] edits [m=completed]',
    ],
    [
      'an aggregate owed, checks required by a ruleset the app bypasses: straight to the base',
      {
        tasks: [
          { id: 'a', status: 'completed' },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
        ],
        rules: {
          classic: null,
          rulesets: [ruleset({ bypass: 'always', requiredChecks: [{ context: 'ci', appId: null }] })],
        },
      },
      'commit-status m',
    ],
    [
      'an owed edit rides with the next batch when checks are required',
      {
        tasks: [
          { id: 'x', status: 'completed' },
          { id: 'n', deps: ['x'], extra: 'level: planning' },
          { id: 'a' },
        ],
        rules: classic({ requiredChecks: [{ context: 'ci', appId: null }] }),
        pulls: [pull(1, 'a', { checks: green })],
      },
      'start-batch [#1] edits [a=completed n=completed]',
    ],
    [
      'status edits waiting on coordinator/status are merged by the next batch',
      {
        tasks,
        rules: classic({ requiredChecks: [{ context: 'ci', appId: null }] }),
        pendingStatus: { sha: sha('p'), edits: [{ taskId: 'b', status: 'blocked' }] },
      },
      'start-batch [] edits [] status p',
    ],
    [
      "no checks required: a command's edit left on coordinator/status during a batch lands on its own once the train is empty",
      {
        tasks,
        pendingStatus: { sha: sha('p'), edits: [{ taskId: 'b', status: 'blocked' }] },
      },
      'commit-status  (pending p: tasks/b.md)',
    ],
    [
      'no checks required, a batch under test: the waiting edit rides with the next batch',
      {
        ...waitingEditWithCar([]),
      },
      'start-batch [#2] edits [c=completed] status p',
    ],
    [
      "no checks required, the last car promoted while a command's edit waits: no follow-on batch, so the edit lands on its own next",
      {
        ...waitingEditWithCar([{ name: 'ci', outcome: 'success' }]),
      },
      'promote [#1]',
    ],
    [
      "checks required, the last car promoted while a command's edit waits: it rides with the follow-on batch",
      {
        ...waitingEditWithCar([{ name: 'ci', outcome: 'success' }]),
        rules: classic({ requiredChecks: [{ context: 'ci', appId: null }] }),
      },
      'promote [#1] then start-batch [#2] edits [c=completed] status p',
    ],
    [
      'a block waiting on coordinator/status takes the task out of the queue at once',
      {
        tasks,
        rules: classic({ requiredChecks: [{ context: 'ci', appId: null }] }),
        pendingStatus: { sha: sha('p'), edits: [{ taskId: 'a', status: 'blocked' }] },
        pulls: [pull(1, 'a', { checks: green })],
      },
      'start-batch [] edits [] status p',
    ],
    [
      'the rules refuse every push: owed status waits (the Task graph check says why)',
      {
        tasks: [
          { id: 'a', status: 'completed' },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
        ],
        rules: classic({ reviews: { ...reviewsRule, bypassApps: [] } }),
      },
      'wait: no task PR is ready to merge',
    ],
  ])('%s', (_name, input, expected) => {
    expect(describeAction(planReconcile(snapshotOf(input)).action)).toBe(expected);
  });
});

describe('planReconcile under branch rules: what users see', () => {
  it('a fork PR gets a failing Merge order check that says how a maintainer takes it in', () => {
    const plan = planReconcile(
      snapshotOf({ tasks, pulls: [pull(1, 'a', { checks: green, fromFork: true })] }),
    );
    expect(checksLine(plan, 'Merge order')).toEqual([
      '1 failure: From a fork: needs a maintainer to take it in',
    ]);
    expect(plan.checkRuns.find((c) => c.name === 'Merge order')?.summary).toContain('`/coordinator merge`');
  });

  it('missing reviews show on Merge order as waiting, saying what is missing', () => {
    const plan = planReconcile(
      snapshotOf({
        tasks,
        rules: classic({ reviews: { ...reviewsRule, count: 2 } }),
        pulls: [pull(1, 'a', { checks: green, reviews: approved(sha('1')) })],
      }),
    );
    expect(checksLine(plan, 'Merge order')).toEqual([
      '1 in_progress: Waiting for reviews: needs 1 more approving review on the current head from someone with write access (branch protection of `main`)',
    ]);
  });

  it('a change request blocks even with enough approvals', () => {
    const reviews = [
      ...approved(sha('1')),
      { user: 'lead', state: 'CHANGES_REQUESTED' as const, commitId: sha('1'), canWrite: true },
    ];
    const plan = planReconcile(
      snapshotOf({
        tasks,
        rules: classic({ reviews: reviewsRule }),
        pulls: [pull(1, 'a', { checks: green, reviews })],
      }),
    );
    expect(checksLine(plan, 'Merge order')).toEqual([
      '1 in_progress: Waiting for reviews: changes requested by @lead',
    ]);
  });

  it('a block by branch rules fails the Merge queue check of each complete candidate with the fix, once', () => {
    const input: SnapshotInput = {
      tasks,
      rules: classic({ reviews: { ...reviewsRule, bypassApps: [] } }),
      pulls: [pull(1, 'a', { checks: green, reviews: approved(sha('1')) })],
    };
    const plan = planReconcile(snapshotOf(input));
    expect(checksLine(plan, 'Merge queue')).toEqual(['1 failure: Blocked: branch rules refuse the merge']);
    const run = plan.checkRuns.find((c) => c.name === 'Merge queue');
    expect(run?.summary).toContain('`bypass_pull_request_allowances.apps`');
    expect(run?.externalId).toBe('tgc1;blocked=rules');
    expect(plan.events.filter((e) => e.type === 'merge.blocked').map((e) => e.key)).toEqual([
      'merge.blocked:branch protection of `main`: "Require a pull request before merging"',
    ]);
    // Written once: with the failing run in place, the next plan writes nothing more to it.
    const existing = {
      id: 9,
      name: 'Merge queue',
      headSha: sha('1'),
      status: 'completed' as const,
      conclusion: 'failure',
      title: run?.title ?? '',
      summary: run?.summary ?? '',
      externalId: run?.externalId ?? null,
    };
    const again = planReconcile(
      snapshotOf({
        ...input,
        pulls: [
          pull(1, 'a', {
            checks: green,
            reviews: approved(sha('1')),
            ownChecks: { 'Merge queue': existing },
          }),
        ],
      }),
    );
    expect(checksLine(again, 'Merge queue')).toEqual([]);
    // Once the bypass is added, the run turns back to queued and the PR is staged.
    const fixed = planReconcile(
      snapshotOf({
        ...input,
        rules: classic({ reviews: reviewsRule }),
        pulls: [
          pull(1, 'a', {
            checks: green,
            reviews: approved(sha('1')),
            ownChecks: { 'Merge queue': existing },
          }),
        ],
      }),
    );
    expect(checksLine(fixed, 'Merge queue')).toEqual([
      '1 neutral: Queued: the branch rules allow merging now',
    ]);
    expect(describeAction(fixed.action)).toBe('start-batch [#1] edits [a=completed m=completed]');
  });

  it('owed status that the rules refuse fails the Task graph check, naming the setting', () => {
    const plan = planReconcile(
      snapshotOf({
        tasks: [
          { id: 'a', status: 'completed' },
          { id: 'm', deps: ['a'], extra: 'level: planning' },
        ],
        rules: classic({ reviews: { ...reviewsRule, bypassApps: [] } }),
      }),
    );
    const graph = plan.checkRuns.find((c) => c.name === 'Task graph');
    expect(graph).toMatchObject({
      conclusion: 'failure',
      title: 'Status commits are blocked by branch rules',
    });
    expect(graph?.summary).toContain('"Allow specified actors to bypass required pull requests"');
    expect(plan.events.map((e) => e.type)).toContain('merge.blocked');
  });

  it("before promoting, writes the app's own required checks on the staging head", () => {
    const plan = planReconcile(
      snapshotOf({
        tasks,
        required: ['ci', 'Merge order', 'Task graph'],
        pulls: [pull(1, 'a', { checks: green })],
        staging: {
          sha: sha('s'),
          batch: { baseSha: BASE_SHA, entries: [{ number: 1, taskId: 'a', headSha: sha('1') }] },
          committedAtMs: Date.parse('2026-06-02T11:30:00Z'),
          checks: [{ name: 'ci', outcome: 'success' }],
          ownChecks: {},
        },
      }),
    );
    expect(describeAction(plan.action)).toBe('promote [#1]');
    expect(
      plan.checkRuns.filter((c) => c.headSha === sha('s')).map((c) => `${c.name}: ${c.conclusion}`),
    ).toEqual(['Merge order: success', 'Task graph: success']);
  });

  it('a PR that would break the graph gets a failing Task graph check on its head', () => {
    const files = [
      taskFile({ id: 'a' }),
      taskFile({ id: 'b', deps: ['a'] }),
      taskFile({ id: 'c', deps: ['ghost'] }),
    ];
    const proposed = { loaded: loadTaskGraph(files), configProblems: [] };
    const planning = pull(3, 'c', { headRef: 'planning/more-tasks', proposed });
    const plan = planReconcile(
      snapshotOf({ tasks: [{ id: 'a' }, { id: 'b', deps: ['a'] }], pulls: [planning] }),
    );
    expect(checksLine(plan, 'Task graph')).toEqual([
      'b success: 2 tasks, 1 ready',
      '3 failure: 1 error in the task graph',
    ]);
    const run = plan.checkRuns.find((c) => c.name === 'Task graph' && c.headSha === sha('3'));
    expect(run?.annotations.map((a) => `${a.path}:${a.start_line} ${a.title}`)).toEqual([
      'tasks/c.md:5 missing-dependency',
    ]);
    expect(run?.summary).toContain('as it would be on `main` after this PR merges');
  });

  it('a PR with an invalid .github/coordinator.yml fails its Task graph check with the key', () => {
    const files = [taskFile({ id: 'a' })];
    const proposed = {
      loaded: loadTaskGraph(files),
      configProblems: [{ key: 'merge.strategy', message: 'invalid option' }],
    };
    const plan = planReconcile(
      snapshotOf({ tasks: [{ id: 'a' }], pulls: [pull(4, 'x', { headRef: 'chore/config', proposed })] }),
    );
    const run = plan.checkRuns.find((c) => c.headSha === sha('4'));
    expect(run).toMatchObject({ conclusion: 'failure', title: '1 error in the task graph' });
    expect(run?.summary).toContain('- `merge.strategy`: invalid option');
  });
});

describe('the safe default for checks', () => {
  const staged = (
    checks: RepoSnapshot['pulls'][number]['checks'],
    stagingChecks: { name: string; outcome: 'success' | 'pending' | 'failure' }[],
  ) =>
    planReconcile(
      snapshotOf({
        tasks,
        required: [],
        pulls: [pull(1, 'a', { checks })],
        staging: {
          sha: sha('s'),
          batch: { baseSha: BASE_SHA, entries: [{ number: 1, taskId: 'a', headSha: sha('1') }] },
          committedAtMs: Date.parse('2026-06-02T11:30:00Z'),
          checks: stagingChecks,
        },
      }),
    ).action;

  it.each<
    [
      string,
      RepoSnapshot['pulls'][number]['checks'],
      { name: string; outcome: 'success' | 'pending' | 'failure' }[],
      string,
    ]
  >([
    ['waits for the checks the PR had', green, [], 'wait: waiting for ci on the merge result of #1'],
    [
      'fails when they fail on the merge result',
      green,
      [{ name: 'ci', outcome: 'failure' }],
      'fail-batch [#1]',
    ],
    ['promotes when they pass', green, [{ name: 'ci', outcome: 'success' }], 'promote [#1]'],
    ['promotes untested (and says so) when the PR had none', [], [], 'promote [#1] untested'],
  ])('%s', (_name, checks, stagingChecks, expected) => {
    expect(describeAction(staged(checks, stagingChecks))).toBe(expected);
  });
});
