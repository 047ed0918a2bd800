/**
 * Adoption e2e (issue 14, item 3; `demo --adopt`): the stand-in starts from a repository whose
 * history merged 14 of wraith's tasks as wraith's coordinator agent did (direct `Merge <id>: …`
 * commits, `Merge origin/feat/...`, a local branch merge, fast-forwards, 12 stale `feat/*`
 * branches) while every file says `pending` (one `done`). Judged from git and the stand-in: one
 * adoption PR, whose diff sets exactly the merged tasks to `completed` (only their status line) and
 * adds the onboarding config; nothing reached `main` before a person merged it; afterwards the 12
 * stale branches are gone and the two that were never merged are kept.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../sim/demo.js';
import { seedDriftedRepo } from '../../sim/drifted-repo.js';
import { GitRepo } from '../../sim/git.js';
import { APP_ONLY } from '../helpers/e2e.js';
import { WRAITH_DIR } from '../helpers/task-files.js';

const TASKS = path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks');

describe('demo --adopt', () => {
  it('opens one adoption PR with exactly the merged tasks, and cleans up after it merged', async () => {
    const truth = seedDriftedRepo(TASKS); // the same history the demo seeds (deterministic)
    const report = await runDemo({
      tasksDir: TASKS,
      adopt: true,
      ...APP_ONLY,
    });
    expect(report.error).toBeNull();
    const adoption = report.pulls.filter((p) => p.head === 'coordinator/adopt');
    expect(adoption).toHaveLength(1);
    expect(adoption[0]?.merged).toBe(true);

    const git = GitRepo.open(path.join(report.workdir, 'repos/acme/wraith.git'));
    const run = async (...args: string[]) => (await git.git(args)).stdout.trim();
    // The adoption merge is the first commit on main after the seeded history: nothing came before it.
    const firstParents = (await run('log', '--first-parent', '--format=%H %P', 'main')).split('\n');
    const seededHead = await run('-C', path.join(report.workdir, 'wraith'), 'rev-parse', 'main');
    const mergeLine = firstParents.find((l) => l.split(' ').length === 3 && l.split(' ')[1] === seededHead);
    expect(mergeLine, 'the adoption PR was merged onto the seeded head').toBeDefined();
    const [, before, head] = (mergeLine as string).split(' ') as [string, string, string];

    const changed = (await run('diff', '--name-only', before, head)).split('\n').sort();
    expect(changed).toEqual(
      [...truth.merged.map((id) => `tasks/${id}.md`), '.github/coordinator.yml'].sort(),
    );
    for (const id of truth.merged) {
      const diff = (await run('diff', '--unified=0', before, head, '--', `tasks/${id}.md`))
        .split('\n')
        .filter((l) => /^[-+](?![-+])/.test(l));
      expect(diff, id).toEqual([
        `-status: ${id === truth.doneTask ? 'done' : 'pending'}`,
        '+status: completed',
      ]);
    }
    // After the merge: the stale branches are deleted, the never-merged ones kept.
    const left = [...(await git.refs('refs/heads/feat/')).keys()]
      .map((r) => r.replace('refs/heads/', ''))
      .sort();
    expect(left).toEqual(truth.keptBranches);
    expect(await git.ref('refs/heads/coordinator/adopt')).toBeNull();
    // The dashboard shows the adopted tasks completed.
    const dashboard = report.issues.find((i) => i.labels.includes('coordinator: dashboard'));
    for (const id of truth.merged) expect(dashboard?.body).toMatch(new RegExp(`✅ \`${id}\``));
    expect(dashboard?.body).not.toContain('Adoption in review');
  }, 180_000);

  it('while the adoption PR is open: main untouched, its tasks not pending, their dependents ready', async () => {
    const seeded = seedDriftedRepo(TASKS);
    let comments = (): { issue: number; user: string; body: string }[] => [];
    const report = await runDemo({
      tasksDir: '',
      fromRepo: seeded.dir,
      ...APP_ONLY,
      // A maintainer asks again once the PR is open: `/coordinator adopt` finds it up to date.
      script: ({ hub, repo }) => {
        comments = () =>
          repo.comments.map((c) => ({ issue: c.issueNumber, user: c.user.login, body: c.body }));
        const ask = setInterval(() => {
          const pr = [...repo.pulls.values()].find((p) => p.headRef === 'coordinator/adopt');
          if (!pr) return;
          clearInterval(ask);
          hub.addComment(repo, pr.number, '/coordinator adopt', { login: 'maintainer', type: 'User' });
        }, 250);
      },
    });
    expect(report.error).toBeNull();
    const open = report.pulls.filter((p) => p.state === 'open' && p.head === 'coordinator/adopt');
    expect(open).toHaveLength(1);
    const git = GitRepo.open(path.join(report.workdir, 'repos/acme', `${path.basename(seeded.dir)}.git`));
    const seededHead = (await git.git(['-C', seeded.dir, 'rev-parse', 'main'])).stdout.trim();
    expect(await git.ref('refs/heads/main'), 'nothing was written to main').toBe(seededHead);
    // No branch is deleted before the review.
    const branches = [...(await git.refs('refs/heads/feat/')).keys()].map((r) =>
      r.replace('refs/heads/', ''),
    );
    expect(branches.sort()).toEqual([...seeded.staleBranches, ...seeded.keptBranches].sort());

    const replies = comments()
      .filter((c) => c.issue === open[0]?.number && c.user !== 'maintainer')
      .map((c) => c.body);
    expect(
      replies.some((b) => b.includes(`adoption PR #${open[0]?.number} is up to date`)),
      replies.join('\n'),
    ).toBe(true);

    const dashboard = report.issues.find((i) => i.labels.includes('coordinator: dashboard'));
    expect(dashboard?.body).toContain(`**Adoption in review:** [#${open[0]?.number}]`);
    for (const id of seeded.merged) expect(dashboard?.body).toContain(`✅ \`${id}\``);

    // The journal: no adopted task was ever called ready; the frontier behind them was.
    const db = new Database(path.join(report.workdir, 'data/coordinator.sqlite'), { readonly: true });
    const ready = (
      db.prepare("select task_id from events where type = 'task.ready'").all() as { task_id: string }[]
    ).map((r) => r.task_id);
    db.close();
    expect(ready.filter((id) => seeded.merged.includes(id))).toEqual([]);
    expect(ready).toContain('client/port-forwarding');
    expect(ready).toContain('client/socks5-server');
  }, 180_000);
});
