/**
 * The dashboard body (pure) on wraith's real snapshots, and the issue adapter: created once,
 * edited only when the body changed (an unchanged state writes nothing).
 */
import path from 'node:path';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTasksDir } from '../../../src/adapters/fs/read-tasks-dir.js';
import { syncDashboard } from '../../../src/adapters/github/dashboard-issue.js';
import type { Octokit } from '../../../src/adapters/github/octokit.js';
import {
  DASHBOARD_LABEL,
  DASHBOARD_MARKER,
  dashboardBody,
  MERMAID_MAX_TASKS,
  newlyTicked,
  taskLines,
  tickedActions,
} from '../../../src/domain/merge/dashboard.js';
import { BranchIndex } from '../../../src/domain/tasks/branch-names.js';
import { green, pull, snapshotOf } from '../../helpers/snapshots.js';
import { WRAITH_DIR } from '../../helpers/task-files.js';

const files = async (snapshot: string) =>
  (await readTasksDir(path.join(WRAITH_DIR, snapshot, 'tasks'))).map((f) => ({
    ...f,
    path: `tasks/${f.path}`,
  }));
const indexOf = (s: ReturnType<typeof snapshotOf>) =>
  new BranchIndex(s.loaded.graph.ids, s.config.branches.prefixes);

describe('dashboardBody on wraith', () => {
  it.each([
    ['01-decomposed-all-pending', 0, 35],
    ['03-server-layer-completed', null, 35],
    ['05-final', null, 35],
  ] as const)('%s: counts, a bar, every generation, the critical path', async (name, done, total) => {
    const snapshot = snapshotOf({ files: await files(name) });
    const body = dashboardBody(snapshot, indexOf(snapshot), 'Task graph dashboard');
    const completed = [...snapshot.loaded.graph.tasks.values()].filter(
      (t) => t.status === 'completed',
    ).length;
    if (done !== null) expect(completed).toBe(done);
    expect(body.startsWith(DASHBOARD_MARKER)).toBe(true);
    expect(body).toContain(`**${completed} of ${total} tasks completed**`);
    for (let g = 1; g <= snapshot.loaded.generations.generations.length; g++)
      expect(body).toContain(`## Generation ${g} (`);
    for (const id of snapshot.loaded.graph.ids) expect(body).toContain(`\`${id}\``);
    expect(body).toContain('**Critical path**');
    expect(body).toContain('```mermaid');
  });

  it('is the same text for the same state (so the issue is not edited)', async () => {
    const a = snapshotOf({ files: await files('03-server-layer-completed') });
    const b = snapshotOf({ files: await files('03-server-layer-completed') });
    expect(dashboardBody(a, indexOf(a), 'T')).toBe(dashboardBody(b, indexOf(b), 'T'));
  });

  it('matches the snapshot of wraith half done', async () => {
    const snapshot = snapshotOf({ files: await files('03-server-layer-completed') });
    expect(dashboardBody(snapshot, indexOf(snapshot), 'Task graph dashboard')).toMatchSnapshot();
  });

  it('says where each task is: waiting on dependencies, in review, failed, in a batch', () => {
    const snapshot = snapshotOf({
      tasks: [
        { id: 'a', status: 'completed' },
        { id: 'b' },
        { id: 'c', deps: ['b'] },
        { id: 'd' },
        { id: 'e' },
        { id: 'f' },
        { id: 'g' },
      ],
      pulls: [
        pull(1, 'b'),
        pull(5, 'f', { checks: green }),
        pull(4, 'g', { checks: green }),
        {
          ...pull(2, 'd'),
          ownChecks: {
            'Merge queue': {
              id: 9,
              name: 'Merge queue',
              headSha: pull(2, 'd').headSha,
              status: 'completed',
              conclusion: 'failure',
              title: 'Checks failed on the merge result',
              summary: '',
            },
          },
        },
      ],
    });
    const lines = taskLines(snapshot, indexOf(snapshot));
    expect(lines.get('a')?.state).toBe('completed');
    expect(lines.get('b')).toMatchObject({
      state: 'in-review',
      detail: '#1: waiting for required checks: ci',
    });
    // Complete PRs are queued in the planner's merge order (same generation: the older PR first).
    expect(lines.get('g')).toMatchObject({ state: 'in-review', detail: '#4 queued: position 1 of 2' });
    expect(lines.get('f')).toMatchObject({ state: 'in-review', detail: '#5 queued: position 2 of 2' });
    expect(lines.get('c')).toMatchObject({ state: 'waiting', detail: 'waiting on `b`' });
    expect(lines.get('d')).toMatchObject({
      state: 'failed',
      detail: '#2: Checks failed on the merge result',
    });
    expect(lines.get('e')).toMatchObject({ state: 'ready' });
  });

  it(`draws only the current and next generations beyond ${MERMAID_MAX_TASKS} tasks, and says so`, () => {
    const tasks = Array.from({ length: 70 }, (_, i) => ({
      id: `t${i}`,
      deps: i >= 10 ? [`t${i - 10}`] : [],
    }));
    const snapshot = snapshotOf({ tasks });
    const body = dashboardBody(snapshot, indexOf(snapshot), 'T');
    expect(body).toContain(
      '_The graph has 70 tasks, more than GitHub renders well; shown: generations 1 and 2._',
    );
    const mermaid = body.slice(body.indexOf('```mermaid'));
    expect(mermaid).toContain('"t19"');
    expect(mermaid).not.toContain('"t20"');
  });
});

describe('syncDashboard', () => {
  const API = 'https://api.github.com';
  const repo = { owner: 'acme', repo: 'widgets' };
  const octokit = () =>
    new ProbotOctokit({
      auth: { token: 't' },
      throttle: { enabled: false },
      retry: { enabled: false },
    } as never) as unknown as Octokit;
  const body = `${DASHBOARD_MARKER}\n# Task graph dashboard\n`;
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
  const list = (issues: unknown[]) =>
    nock(API)
      .get('/repos/acme/widgets/issues')
      .query({ state: 'open', labels: DASHBOARD_LABEL, per_page: 100 })
      .reply(200, issues);

  it('creates the issue, labelled, when there is none', async () => {
    list([{ number: 3, title: 'a bug', body: 'unrelated' }]);
    nock(API)
      .post('/repos/acme/widgets/issues', { title: 'Task graph dashboard', body, labels: [DASHBOARD_LABEL] })
      .reply(201, { number: 4 });
    expect(await syncDashboard(octokit(), repo, { title: 'Task graph dashboard', body })).toEqual({
      done: 'created',
      number: 4,
    });
  });

  it('writes nothing when the body and title are unchanged', async () => {
    list([{ number: 4, title: 'Task graph dashboard', body }]);
    expect(await syncDashboard(octokit(), repo, { title: 'Task graph dashboard', body })).toEqual({
      done: 'unchanged',
      number: 4,
    });
  });

  it('edits the issue when the state changed', async () => {
    list([{ number: 4, title: 'Task graph dashboard', body }]);
    nock(API)
      .patch('/repos/acme/widgets/issues/4', { title: 'Task graph dashboard', body: `${body}more\n` })
      .reply(200, {});
    expect(
      await syncDashboard(octokit(), repo, { title: 'Task graph dashboard', body: `${body}more\n` }),
    ).toEqual({ done: 'edited', number: 4 });
  });
});

describe('dashboard checkboxes', () => {
  const body = (marks: string) =>
    [
      `- [${marks[0]}] <!-- coordinator-action:retry:12 --> retry #12 (\`a\`)`,
      `- [${marks[1]}] <!-- coordinator-action:unblock:13 --> unblock \`b\` (#13)`,
      `- [${marks[2]}] <!-- coordinator-action:merge:14 --> merge now: #14 (\`c\`)`,
      '- [x] a box someone wrote by hand',
    ].join('\n');

  it.each([
    ['nothing ticked', '   ', []],
    ['one ticked', ' x ', [{ verb: 'unblock', pull: 13 }]],
    ['X counts too', 'X  ', [{ verb: 'retry', pull: 12 }]],
    [
      'all ticked',
      'xxx',
      [
        { verb: 'retry', pull: 12 },
        { verb: 'unblock', pull: 13 },
        { verb: 'merge', pull: 14 },
      ],
    ],
  ] as const)('%s', (_name, marks, expected) => {
    expect(tickedActions(body(marks))).toEqual(expected);
  });

  it('runs only what this edit ticked, not boxes ticked before it', () => {
    expect(newlyTicked(body('x  '), body('xx '))).toEqual([{ verb: 'unblock', pull: 13 }]);
    expect(newlyTicked(body('xx '), body('xx '))).toEqual([]);
  });

  it('the body offers the boxes for what a person can act on', () => {
    const snapshot = snapshotOf({
      tasks: [{ id: 'b' }, { id: 'd' }],
      pulls: [pull(1, 'b')],
    });
    expect(tickedActions(dashboardBody(snapshot, indexOf(snapshot), 'T').replace('- [ ]', '- [x]'))).toEqual([
      { verb: 'merge', pull: 1 },
    ]);
  });
});
