/**
 * End to end, the merge train (issue 11): wraith 01 on a main protected by required `ci` and
 * `Merge order` checks (so every commit main moves to must carry them), with two tasks of one
 * generation whose change passes its own CI but fails on the merge result until their agents push
 * a fix (`--fail-tasks`), so they reach staging inside batches with their siblings. Judged from git
 * and the stand-in.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../sim/demo.js';
import { GitRepo } from '../../sim/git.js';
import type { Hub, Repo } from '../../sim/hub.js';
import { expectCleanFinish, expectMainAlwaysGreen, FAST } from '../helpers/e2e.js';
import { WRAITH_DIR } from '../helpers/task-files.js';

const WRAITH_01 = path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks');
const EXAMPLES = path.resolve(import.meta.dirname, '../../docs/examples');
// Generation 4 of wraith: five tasks that become ready together (their dependencies merge in one batch).
const FAILING = ['server/channel-proxy', 'server/control-channel'];

describe('the merge train on wraith 01', () => {
  it('batches ready PRs, bisects a red batch down to the two failing PRs, and merges every other task', async () => {
    let sim: { hub: Hub; repo: Repo } | undefined;
    const report = await runDemo({
      tasksDir: WRAITH_01,
      failRate: 0,
      failTasks: FAILING,
      protectionFile: path.join(EXAMPLES, 'protection.json'),
      ...FAST,
      script: (s) => {
        sim = s;
      },
    });
    if (!sim) throw new Error('no simulation');
    const { hub, repo } = sim;
    // Every task completed (the failing ones after their agents' fixes), each status changed once.
    expectCleanFinish(report);
    expect(report.tasks.filter((t) => t.statusChanges !== 1).map((t) => t.taskId)).toEqual([]);
    // Every commit main moved to carried green required checks (re-checked against the rules).
    await expectMainAlwaysGreen(hub, repo);

    // Only the failing tasks' PRs were ever failed for red checks, each on a head without its fix.
    const pullOf = new Map(report.tasks.map((t) => [t.pull, t.taskId]));
    const checksFailed = report.checkRuns.filter(
      (r) => r.name === 'Merge queue' && r.conclusion === 'failure' && /^Checks failed/.test(r.title ?? ''),
    );
    const failedTasks = new Set(
      checksFailed.map((r) => {
        const pull = [...repo.pulls.values()].find((p) => p.headRef === r.headBranch);
        return pull ? pullOf.get(pull.number) : r.headBranch;
      }),
    );
    expect([...failedTasks].sort()).toEqual(FAILING);
    expect(report.tasks.filter((t) => FAILING.includes(t.taskId)).every((t) => t.fixes > 0)).toBe(true);

    // A red staging run held several PRs (a batch to bisect), and its other PRs merged.
    const git = GitRepo.open(path.join(report.workdir, 'repos/acme/wraith.git'));
    const redBatches: string[][] = [];
    for (const run of report.checkRuns.filter((r) => r.name === 'ci' && r.conclusion === 'failure')) {
      if (!/^coordinator\/staging/.test(run.headBranch ?? '')) continue;
      const message = (await git.commit(run.headSha))?.message ?? '';
      redBatches.push(
        [...message.matchAll(/^Coordinator-Pull: #\d+ [0-9a-f]{40} (.+)$/gm)].map((m) => m[1] as string),
      );
    }
    const bisected = redBatches.find((tasks) => tasks.length >= 2 && tasks.some((t) => !FAILING.includes(t)));
    expect(bisected, JSON.stringify(redBatches)).toBeDefined();
    for (const sibling of (bisected ?? []).filter((t) => !FAILING.includes(t)))
      expect(report.finalStatuses[sibling], sibling).toBe('completed');

    // main's first-parent history: runs of several `Merge task` commits, each closed by one status commit.
    const subjects = report.mainHistory.map((l) => l.slice(41)).reverse();
    const runs: number[] = [];
    let merges = 0;
    for (const subject of subjects) {
      if (/^Merge task .+ \(#\d+\)$/.test(subject)) merges++;
      else if (merges > 0) {
        expect(subject, 'a batch ends with its status commit').toMatch(/^Complete tasks? /);
        runs.push(merges);
        merges = 0;
      }
    }
    expect(merges).toBe(0);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(26);
    expect(runs.filter((n) => n >= 3).length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThan(20);
  }, 300_000);
});
