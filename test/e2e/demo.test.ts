/**
 * End to end: the built app runs as its own process against the GitHub stand-in (real git
 * repositories), with the fake CI, fake Teams and scripted agents of `sim/`. Every assertion reads
 * what ended up in git and in the stand-in, not what the app says about itself. Needs `npm run build`
 * first (`npm test` does it).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tasksAt } from '../../sim/agents.js';
import { runDemo } from '../../sim/demo.js';
import { GitRepo } from '../../sim/git.js';
import { channelText, expectCleanFinish, FAST, smallGraph } from '../helpers/e2e.js';
import { WRAITH_DIR } from '../helpers/task-files.js';

const WRAITH_01 = path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks');

describe('the demo on wraith snapshot 01 (35 tasks)', () => {
  it("merges every task in dependency order: statuses on main, branches deleted, agents' files present", async () => {
    const report = await runDemo({ tasksDir: WRAITH_01, failRate: 0, ...FAST });
    expectCleanFinish(report);
    expect(report.tasks).toHaveLength(35);
    // Each task's status changed exactly once on main: pending -> completed.
    expect(
      report.tasks.filter((t) => t.statusChanges !== 1).map((t) => `${t.taskId}: ${t.statusChanges}`),
    ).toEqual([]);
    // Every implementation task went through a PR; planning tasks were completed by the app,
    // reviews by a maintainer's command.
    const kinds: Record<string, number> = {};
    for (const t of report.tasks) kinds[t.kind] = (kinds[t.kind] ?? 0) + 1;
    expect(kinds).toEqual({ implementation: 26, planning: 6, review: 3 });
    expect(report.tasks.filter((t) => t.kind === 'implementation' && t.pull === null)).toEqual([]);
    // Every agent's file is on main.
    const git = GitRepo.open(path.join(report.workdir, 'repos/acme/wraith.git'));
    const mainFiles = new Set((await git.listTree('refs/heads/main', true)).map((e) => e.path));
    for (const t of report.tasks.filter((r) => r.kind === 'implementation'))
      expect(mainFiles.has(`work/${t.taskId}.md`), t.taskId).toBe(true);
    // First-parent history: one merge per task, plus status commits.
    expect(report.mainHistory.filter((l) => / Merge task .+ \(#\d+\)$/.test(l))).toHaveLength(26);
    expect(report.lowerBoundMs).toBeGreaterThan(0);
    expect(report.makespanMs).toBeGreaterThanOrEqual(report.lowerBoundMs);
    // Ready signals (agents.dispatch): one task-ready dispatch per task, never two; every
    // implementation task, roots included, got its own.
    const dispatched = report.dispatches.map((d) => d.task);
    expect(dispatched.length).toBe(new Set(dispatched).size);
    expect(report.dispatches.every((d) => d.eventType === 'task-ready')).toBe(true);
    const implementation = report.tasks.filter((t) => t.kind === 'implementation').map((t) => t.taskId);
    expect(implementation.filter((id) => !dispatched.includes(id))).toEqual([]);
    expect(dispatched).toContain('setup/project-init');
    // The dashboard issue: one, and at the end it shows every task completed.
    const dashboards = report.issues.filter((i) => i.labels.includes('coordinator: dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.body).toContain('**35 of 35 tasks completed** (100%)');
    expect(dashboards[0]?.body).toContain('```mermaid');
    // The after-action review, once, on the dashboard, in the seed workflow's four sections.
    const reviews = (dashboards[0]?.comments ?? []).filter((c) =>
      c.body.includes('# AAR: acme/wraith task graph'),
    );
    expect(reviews).toHaveLength(1);
    for (const section of [
      '## What Went Right',
      '## What Went Wrong',
      '## What Could Be Better',
      '## Action Items',
    ])
      expect(reviews[0]?.body).toContain(section);
  }, 300_000);
});

describe('a conflict', () => {
  it('is reported on the PR and in the alerts channel only; the agent merges main and the task merges', async () => {
    const report = await runDemo({
      tasksDir: smallGraph(),
      failRate: 0,
      sharedEditors: ['a', 'b'],
      ...FAST,
    });
    expectCleanFinish(report);
    const updated = report.tasks.filter((t) => t.branchUpdates > 0).map((t) => t.taskId);
    expect(updated).toHaveLength(1);
    expect(channelText(report, 'alerts')).toContain(`Merge conflict: ${updated[0]}`);
    expect(channelText(report, 'general')).not.toContain('Merge conflict');
    expect(channelText(report, 'general')).toContain('Task graph completed');
  }, 120_000);
});

describe('the safe exit', () => {
  it('`block` writes blocked and a note on main and alerts; `unblock` lets the task merge', async () => {
    let blockedText = '';
    const report = await runDemo({
      tasksDir: smallGraph(),
      failRate: 0,
      sharedEditors: [],
      ...FAST,
      script: ({ hub, repo }) => {
        const maintainer = { login: 'maintainer', type: 'User' as const };
        let blocked = false;
        hub.on('event', (event) => {
          if (event.kind === 'pull_request' && event.action === 'opened' && event.pull.headRef === 'feat/a')
            hub.addComment(
              repo,
              event.pull.number,
              '/coordinator block waiting for the vendor API key',
              maintainer,
            );
          if (event.kind === 'push' && event.ref === 'refs/heads/main' && !blocked) {
            void tasksAt(repo, event.after, 'tasks').then(async (tasks) => {
              if (blocked || tasks.get('a')?.status !== 'blocked') return;
              blocked = true;
              const blob = await repo.git.blobAt(event.after, 'tasks/a.md');
              blockedText = blob ? (await repo.git.readBlob(blob)).toString('utf8') : '';
              const pull = [...repo.pulls.values()].find((p) => p.headRef === 'feat/a');
              if (pull) hub.addComment(repo, pull.number, '/coordinator unblock', maintainer);
            });
          }
        });
      },
    });
    expectCleanFinish(report);
    expect(blockedText).toContain('status: blocked\n');
    expect(blockedText).toMatch(
      /^Blocked: waiting for the vendor API key \(@maintainer, http.+#issuecomment-\d+\)$/m,
    );
    expect(report.tasks.find((t) => t.taskId === 'a')?.statusChanges).toBe(3); // blocked, pending, completed
    expect(channelText(report, 'alerts')).toContain('Task blocked: a');
    expect(channelText(report, 'general')).toContain('Task unblocked: a');
  }, 120_000);
});
