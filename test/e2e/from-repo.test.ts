/**
 * `demo --from-repo PATH --agents off` (issue 14): the stand-in starts from a copy of an existing
 * repository — every branch, the whole history, its tasks — and only the app acts. Judged from the
 * stand-in: every branch of the source is there with the same commits, the dashboard issue shows
 * the repository's real state, the app wrote nothing to the default branch, and it proposed its
 * onboarding (the config, and `done` written as `completed`) as one PR.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../sim/demo.js';
import { GitRepo } from '../../sim/git.js';
import { APP_ONLY } from '../helpers/e2e.js';
import { WRAITH_DIR } from '../helpers/task-files.js';

/** A working repository with wraith's snapshot 03 on `main` and two stale task branches. */
function sourceRepo(): { dir: string; heads: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'from-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  git('init', '--quiet', '--initial-branch=main');
  cpSync(path.join(WRAITH_DIR, '03-server-layer-completed/tasks'), path.join(dir, 'tasks'), {
    recursive: true,
  });
  writeFileSync(path.join(dir, 'README.md'), '# wraith\n');
  git('add', '.');
  git('commit', '--quiet', '-m', 'Decompose into tasks');
  for (const branch of ['feat/auth/error-types', 'feat/setup/project-init']) {
    git('switch', '--quiet', '-c', branch);
    writeFileSync(path.join(dir, `${branch.replace(/\//g, '-')}.txt`), 'work\n');
    git('add', '.');
    git('commit', '--quiet', '-m', `Work on ${branch}`);
    git('switch', '--quiet', 'main');
  }
  const heads: Record<string, string> = {};
  for (const line of git('for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads').split(
    '\n',
  )) {
    const [name, sha] = line.split(' ');
    heads[name as string] = sha as string;
  }
  return { dir, heads };
}

describe('demo --from-repo --agents off', () => {
  it('copies every branch and shows the dashboard of the real state; only the app acts', async () => {
    const source = sourceRepo();
    const report = await runDemo({
      tasksDir: '',
      fromRepo: source.dir,
      ...APP_ONLY,
    });
    expect(report.error).toBeNull();
    const copy = GitRepo.open(path.join(report.workdir, 'repos/acme', `${path.basename(source.dir)}.git`));
    for (const [branch, sha] of Object.entries(source.heads))
      expect(await copy.ref(`refs/heads/${branch}`), branch).toBe(sha);
    const dashboard = report.issues.find((i) => i.labels.includes('coordinator: dashboard'));
    expect(dashboard?.body).toContain('**3 of 35 tasks completed**');
    // Open PRs: drafts for the two unmerged task branches, and one onboarding PR: the repository
    // has no config, and its one `status: done` file is proposed as `completed`.
    const open = report.pulls.filter((p) => p.state === 'open');
    expect(open.filter((p) => !p.head.startsWith('feat/')).map((p) => p.head)).toEqual(['coordinator/adopt']);
    const adoptHead = await copy.ref('refs/heads/coordinator/adopt');
    const changed = (await copy.git(['diff', '--name-only', `${source.heads.main}...${adoptHead}`])).stdout
      .trim()
      .split('\n');
    expect(changed).toEqual(['.github/coordinator.yml', 'tasks/client/channel-manager.md']);
    // Nothing reached main without a review: main is the source's (checked with every branch above),
    // and the only refs the app moved are its own (coordinator/adopt).
    expect(await copy.ref('refs/heads/main')).toBe(source.heads.main);
    expect(report.appWrites.some((w) => w.startsWith('POST /repos/{owner}/{repo}/issues'))).toBe(true);
  }, 150_000);

  it('without issues: write, the refused dashboard becomes one alert with the fix, and nothing else stops', async () => {
    const source = sourceRepo();
    const report = await runDemo({
      tasksDir: '',
      fromRepo: source.dir,
      ...APP_ONLY,
      withhold: ['issues'],
    });
    expect(report.error).toBeNull();
    expect(report.issues.filter((i) => i.labels.includes('coordinator: dashboard'))).toEqual([]);
    const refused = report.teams.filter((p) =>
      JSON.stringify(p.body).includes('GitHub refused the dashboard issue (403'),
    );
    expect(refused, 'one alert, however often the reconcile retried').toHaveLength(1);
    expect(JSON.stringify(refused[0]?.body)).toContain('the app needs issues: write');
    // The rest went on: the onboarding PR was opened and the base got its Task graph check.
    expect(report.pulls.some((p) => p.head === 'coordinator/adopt')).toBe(true);
    expect(report.checkRuns.some((c) => c.name === 'Task graph' && c.headSha === source.heads.main)).toBe(
      true,
    );
    // And the refused write was not hammered: one try, and one retry after the backoff at most.
    expect(
      report.appWrites.filter((w) => w.startsWith('POST /repos/{owner}/{repo}/issues ')).length,
    ).toBeLessThanOrEqual(2);
  }, 150_000);
});
