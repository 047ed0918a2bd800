/**
 * End to end on a protected base branch: the built app against the stand-in, which enforces
 * GitHub's rules (branch protection and rulesets applied through their REST routes, reviews, forks,
 * the workflows permission). Every assertion reads git and the stand-in's state: which SHAs the
 * branches pointed at, which check runs exist, what the PRs say.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../sim/demo.js';
import type { Hub, Repo } from '../../sim/hub.js';
import { MAINTAINER } from '../../sim/maintainer.js';
import type { DemoReport } from '../../sim/report.js';
import {
  channelText,
  expectCleanFinish,
  expectMainAlwaysGreen,
  FAST,
  movesOf,
  smallGraph,
} from '../helpers/e2e.js';
import { WRAITH_DIR } from '../helpers/task-files.js';

const WRAITH_01 = path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks');
const EXAMPLES = path.resolve(import.meta.dirname, '../../docs/examples');

describe('wraith 01 on a protected main', () => {
  it('completes under branch protection requiring ci and Merge order and one approving review, with a bypass for the app', async () => {
    let sim: { hub: Hub; repo: Repo } | undefined;
    const report = await runDemo({
      tasksDir: WRAITH_01,
      failRate: 0,
      protectionFile: path.join(EXAMPLES, 'protection.json'),
      ...FAST,
      script: (s) => {
        sim = s;
      },
    });
    expectCleanFinish(report);
    expect(report.tasks.filter((t) => t.statusChanges !== 1).map((t) => t.taskId)).toEqual([]);
    expect(
      report.refusals.filter((r) => r.status !== 409 && !/Reference does not exist/.test(r.message)),
    ).toEqual([]);
    if (!sim) throw new Error('no simulation');
    // Every merged task PR was approved by the maintainer on the head that merged.
    for (const pull of sim.repo.pulls.values())
      if (pull.mergedAt)
        expect(
          sim.repo.reviews.some(
            (r) => r.pull === pull.number && r.state === 'APPROVED' && r.commitId === pull.headSha,
          ),
          `#${pull.number}`,
        ).toBe(true);
    // A second, unprotected-looking check: main was only ever moved by the app to green commits.
    await expectMainAlwaysGreen(sim.hub, sim.repo);
    // Review tasks were completed by the maintainer's command through coordinator/status and staging.
    expect(
      report.mainHistory.some((l) => / Merge status edits waiting on coordinator\/status$/.test(l)),
    ).toBe(true);
  }, 300_000);

  it('completes under an equivalent ruleset that lists the app as a bypass actor (status commits go straight to main)', async () => {
    let sim: { hub: Hub; repo: Repo } | undefined;
    const report = await runDemo({
      tasksDir: WRAITH_01,
      failRate: 0,
      rulesetFiles: [path.join(EXAMPLES, 'ruleset.json')],
      ...FAST,
      script: (s) => {
        sim = s;
      },
    });
    expectCleanFinish(report);
    expect(report.tasks.filter((t) => t.statusChanges !== 1).map((t) => t.taskId)).toEqual([]);
    if (!sim) throw new Error('no simulation');
    // The app waited for ci and Merge order on each promoted batch even though it may bypass them.
    const repo = sim.repo;
    const batchHeads: string[] = [];
    const promotedPulls: string[] = [];
    for (const sha of movesOf(repo, 'main')) {
      const message = (await repo.git.commit(sha))?.message ?? '';
      if (!/^Coordinator-Base: /m.test(message)) continue;
      batchHeads.push(sha);
      promotedPulls.push(...[...message.matchAll(/^Coordinator-Pull: (#\d+)/gm)].map((m) => m[1] as string));
    }
    // Every task PR reached main in exactly one tested batch.
    expect(promotedPulls.sort()).toEqual(report.tasks.flatMap((t) => (t.pull ? [`#${t.pull}`] : [])).sort());
    expect(batchHeads.length).toBeGreaterThan(3);
    for (const sha of batchHeads) {
      const passed = (name: string) =>
        repo.checkRuns.some((r) => r.headSha === sha && r.name === name && r.conclusion === 'success');
      expect([passed('ci'), passed('Merge order')], sha).toEqual([true, true]);
    }
    // No status-edit batch: with the bypass, status commits need no staging run.
    expect(report.mainHistory.some((l) => /coordinator\/status/.test(l))).toBe(false);
  }, 300_000);
});

describe('trust and refusals', () => {
  it('never stages a fork PR until a maintainer takes in its head; then it merges', async () => {
    let forkHead = '';
    let forkPull = 0;
    let stagedBeforeTakeIn: boolean | null = null;
    let orderBeforeTakeIn: string | null = null;
    const report = await runDemo({
      tasksDir: smallGraph([['x', []]]),
      failRate: 0,
      sharedEditors: [],
      skipTasks: ['x'],
      ...FAST,
      script: async ({ hub, repo, workdir }) => {
        const fork = await hub.createRepo(path.join(workdir, 'repos'), 'outsider', 'wraith', repo);
        const main = (await fork.git.ref('refs/heads/main')) as string;
        const blob = await fork.git.writeBlob('# x\n\nfrom a fork\n');
        const tree = await fork.git.createTree(main, [{ path: 'work/x.md', mode: '100644', sha: blob }]);
        forkHead = await fork.git.commitTree({ tree, parents: [main], message: 'Implement x' });
        await fork.git.updateRef('refs/heads/feat/x', forkHead, null);
        const outsider = { login: 'outsider', type: 'User' as const };
        const pull = await hub.openPull(repo, {
          head: 'feat/x',
          base: 'main',
          title: 'Implement x',
          body: 'Task: x',
          draft: false,
          user: outsider,
          headRepo: fork,
        });
        forkPull = pull.number;
        // Once c merged (the fork PR waited meanwhile), the maintainer reads it and takes it in.
        let asked = false;
        hub.on('event', (event) => {
          if (asked || event.kind !== 'pull_request' || event.action !== 'closed') return;
          if (event.pull.headRef !== 'feat/c' || !event.pull.mergedAt) return;
          asked = true;
          orderBeforeTakeIn =
            repo.checkRuns.find((r) => r.headSha === forkHead && r.name === 'Merge order')?.output.title ??
            null;
          const staged = movesOf(repo, 'coordinator/staging');
          void Promise.all(staged.map((sha) => repo.git.isAncestor(forkHead, sha))).then((hits) => {
            stagedBeforeTakeIn = hits.some(Boolean);
            hub.addComment(repo, forkPull, '/coordinator merge', MAINTAINER);
          });
        });
      },
    });
    expectCleanFinish(report);
    expect(stagedBeforeTakeIn).toBe(false);
    expect(orderBeforeTakeIn).toBe('From a fork: needs a maintainer to take it in');
    const forkRuns = report.checkRuns.filter((r) => r.headSha === forkHead);
    expect(forkRuns.find((r) => r.name === 'Merge order')?.summary).toContain(
      'Taken in from a fork by @maintainer',
    );
    expect(forkRuns.some((r) => r.name === 'Merge queue' && r.title === 'Merged')).toBe(true);
    expect(report.mainHistory.some((l) => l.endsWith(`Merge task x (#${forkPull})`))).toBe(true);
  }, 120_000);

  it('checks the graph a PR would leave behind: a dangling dependency fails the Task graph check on its head', async () => {
    let head = '';
    const report = await runDemo({
      tasksDir: smallGraph(),
      failRate: 0,
      sharedEditors: [],
      ...FAST,
      timeoutMs: 60_000,
      script: async ({ hub, repo }) => {
        const main = (await repo.git.ref('refs/heads/main')) as string;
        const text = '---\nid: d\nname: Task d\nstatus: pending\ndepends_on:\n  - ghost\n---\n';
        const tree = await repo.git.createTree(main, [
          { path: 'tasks/d.md', mode: '100644', sha: await repo.git.writeBlob(text) },
        ]);
        head = await repo.git.commitTree({ tree, parents: [main], message: 'Plan task d' });
        const planner = { login: 'planner', type: 'User' as const };
        await hub.moveBranch(repo, 'planning/more', head, null, planner);
        await hub.openPull(repo, {
          head: 'planning/more',
          base: 'main',
          title: 'Plan d',
          body: '',
          draft: false,
          user: planner,
        });
      },
      stopWhen: ({ repo }) => repo.checkRuns.some((r) => r.headSha === head && r.name === 'Task graph'),
    });
    const run = report.checkRuns.find((r) => r.headSha === head && r.name === 'Task graph');
    expect(run).toMatchObject({ conclusion: 'failure', title: '1 error in the task graph' });
    expect(run?.summary).toContain('as it would be on `main` after this PR merges');
    // The base's own graph is fine, and merges went on.
    expect(
      report.checkRuns.some(
        (r) => r.name === 'Task graph' && r.headBranch === 'main' && r.conclusion === 'success',
      ),
    ).toBe(true);
  }, 120_000);

  it('reports a PR that changes a workflow without the workflows permission, and merges the PRs behind it', async () => {
    const report = await runDemo({
      tasksDir: smallGraph([['d', []]]),
      failRate: 0,
      sharedEditors: [],
      workflowEditors: ['a'],
      withhold: ['workflows'],
      ...FAST,
      timeoutMs: 90_000,
      stopWhen: ({ repo }) => {
        const merged = (id: string) =>
          [...repo.pulls.values()].some((p) => p.headRef === `feat/${id}` && p.mergedAt);
        const reported = repo.checkRuns.some((r) => r.name === 'Merge queue' && r.conclusion === 'failure');
        return merged('b') && merged('d') && reported;
      },
    });
    const statuses = report.finalStatuses;
    expect([statuses.a, statuses.b, statuses.d, statuses.c]).toEqual([
      'pending',
      'completed',
      'completed',
      'pending',
    ]);
    const failure = report.checkRuns.find((r) => r.name === 'Merge queue' && r.conclusion === 'failure');
    expect(failure).toMatchObject({
      headBranch: 'feat/a',
      title: 'Changes a workflow: the app lacks the workflows permission',
    });
    expect(failure?.summary).toContain('**Workflows: write**');
    expect(report.refusals.map((r) => `${r.route} ${r.status}`)).toContain(
      'POST /repos/{owner}/{repo}/merges 403',
    );
    expect(channelText(report, 'alerts')).toContain('GitHub refused the merge: a');
    expect(report.checkRunsInProgress.filter((r) => r.name !== 'ci')).toEqual([]);
  }, 120_000);

  it('without a bypass for the app, says which setting to change, stages nothing, and leaves nothing in progress', async () => {
    let sim: { hub: Hub; repo: Repo } | undefined;
    const report: DemoReport = await runDemo({
      tasksDir: smallGraph(),
      failRate: 0,
      sharedEditors: [],
      protectionFile: path.join(EXAMPLES, 'protection-no-bypass.json'),
      ...FAST,
      timeoutMs: 60_000,
      script: (s) => {
        sim = s;
      },
      stopWhen: ({ repo }) =>
        ['feat/a', 'feat/b'].every((branch) =>
          repo.checkRuns.some(
            (r) =>
              r.name === 'Merge queue' &&
              r.conclusion === 'failure' &&
              [...repo.pulls.values()].some((p) => p.headRef === branch && p.headSha === r.headSha),
          ),
        ),
    });
    if (!sim) throw new Error('no simulation');
    expect(movesOf(sim.repo, 'main')).toEqual([]);
    expect(movesOf(sim.repo, 'coordinator/staging')).toEqual([]);
    const blocked = report.checkRuns.filter((r) => r.name === 'Merge queue' && r.conclusion === 'failure');
    expect(blocked.map((r) => r.headBranch).sort()).toEqual(['feat/a', 'feat/b']);
    expect(blocked[0]?.title).toBe('Blocked: branch rules refuse the merge');
    expect(blocked[0]?.summary).toContain('"Require a pull request before merging"');
    expect(blocked[0]?.summary).toContain('bypass_pull_request_allowances.apps');
    expect(report.checkRuns.filter((r) => r.appId === 1 && r.status !== 'completed')).toEqual([]);
    expect(channelText(report, 'alerts')).toContain('Merges are blocked by branch rules');
    expect(report.refusals.filter((r) => r.status === 422 && /pull request/.test(r.message))).toEqual([]);
  }, 120_000);
});
