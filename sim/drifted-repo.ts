/**
 * A repository that ran a coordinator agent before the app, as wraith's did (see
 * `shared/taskgraphs/wraith/README.md`): task branches merged into `main` three ways (merge commits
 * from remote-tracking refs, a merge of a local branch, fast-forwards) plus a direct commit that
 * names its task, 12 stale `feat/*` branches left behind, while every task file still says
 * `pending` (one says `done`). `demo --adopt` and the adoption e2e start the stand-in from it.
 *
 * Also seeded, as traps: a task branch with work that was never merged, a task branch created from
 * `main` and never committed to, and a direct commit that mentions a task in free text. None of
 * them is evidence that its task was merged.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Repo } from './hub.js';

/** What the seeded history really did (ground truth for judging the adoption PR). */
export interface DriftedRepo {
  /** The working repository (its `.git` is what the stand-in copies). */
  readonly dir: string;
  /** Tasks whose work reached `main`, sorted. */
  readonly merged: readonly string[];
  /** Task branches left behind in `main`'s history (all merged), sorted. */
  readonly staleBranches: readonly string[];
  /** Task branches that must survive: work never merged, and a branch never committed to. */
  readonly keptBranches: readonly string[];
  /** The task whose file says `done`. */
  readonly doneTask: string;
}

type How = 'direct' | 'merge-origin' | 'merge-local' | 'fast-forward';

/** Merged tasks in dependency order, how each reached `main`, and whether its branch was kept. */
const HISTORY: readonly { task: string; how: How; keep: boolean }[] = [
  { task: 'setup/project-init', how: 'direct', keep: false },
  { task: 'auth/error-types', how: 'merge-local', keep: false },
  { task: 'transport/trait-and-types', how: 'merge-origin', keep: true },
  { task: 'napi/project-setup', how: 'fast-forward', keep: true },
  { task: 'setup/test-infrastructure', how: 'merge-origin', keep: true },
  { task: 'auth/key-loading', how: 'merge-origin', keep: true },
  { task: 'transport/tcp-transport', how: 'fast-forward', keep: true },
  { task: 'auth/client-auth-handler', how: 'merge-origin', keep: true },
  { task: 'auth/server-auth-handler', how: 'fast-forward', keep: true },
  { task: 'transport/iroh-transport', how: 'merge-origin', keep: true },
  { task: 'transport/tls-transport', how: 'merge-origin', keep: true },
  { task: 'client/channel-manager', how: 'merge-origin', keep: true },
  { task: 'server/handler', how: 'fast-forward', keep: true },
  { task: 'transport/acme-cert-provisioning', how: 'merge-origin', keep: true },
];
const UNMERGED = 'client/port-forwarding';
const NEVER_COMMITTED = 'client/socks5-server';
const DONE_TASK = 'setup/test-infrastructure';

/**
 * Seeds the repository from an all-pending task snapshot (wraith's `01-decomposed-all-pending`).
 * No `.github/coordinator.yml`: the adoption PR is also the onboarding PR.
 * @param into an empty directory (default: a new temporary one).
 */
export function seedDriftedRepo(tasksDir: string, into?: string): DriftedRepo {
  const dir = into ?? mkdtempSync(path.join(tmpdir(), 'drifted-repo-'));
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  let clock = Date.parse('2026-06-02T09:00:00Z') / 1000;
  const git = (...args: string[]) => {
    clock += 60;
    const date = `${clock} +0000`;
    return execFileSync('git', ['-c', 'user.name=glm-5.1', '-c', 'user.email=agent@example.com', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    }).trim();
  };
  const work = (task: string, line: string) => {
    const file = path.join(dir, 'src', `${task.replace(/\//g, '-')}.rs`);
    appendFileSync(file, `${line}\n`);
    git('add', '.');
  };

  git('init', '--quiet', '--initial-branch=main');
  cpSync(tasksDir, path.join(dir, 'tasks'), { recursive: true });
  const donePath = path.join(dir, 'tasks', `${DONE_TASK}.md`);
  writeFileSync(donePath, readFileSync(donePath, 'utf8').replace(/^status:.*$/m, 'status: done'));
  writeFileSync(path.join(dir, 'README.md'), '# wraith\n');
  writeFileSync(path.join(dir, 'src', '.keep'), '');
  git('add', '.');
  git('commit', '--quiet', '-m', 'chore: decompose wraith into 35 atomic tasks across 10 generations');

  for (const { task, how, keep } of HISTORY) {
    const branch = `feat/${task}`;
    if (how === 'direct') {
      work(task, `// ${task}`);
      git('commit', '--quiet', '-m', `Merge ${task}: scaffold the workspace`);
      continue;
    }
    git('switch', '--quiet', '-c', branch);
    work(task, `// ${task}: first pass`);
    git('commit', '--quiet', '-m', `implement ${task.split('/')[1]}`);
    work(task, `// ${task}: tests`);
    git('commit', '--quiet', '-m', 'add tests');
    git('switch', '--quiet', 'main');
    if (how === 'fast-forward') git('merge', '--quiet', '--ff-only', branch);
    else if (how === 'merge-local') git('merge', '--quiet', '--no-ff', '--no-edit', branch);
    else git('merge', '--quiet', '--no-ff', '-m', `Merge origin/${branch} into main`, branch);
    if (!keep) git('branch', '--quiet', '-D', branch);
    if (task === 'transport/trait-and-types') {
      // An agent pushed its branch right after this merge and never committed to it.
      git('branch', `feat/${NEVER_COMMITTED}`);
    }
  }
  // A direct commit that only mentions a task in free text, and a branch whose work never merged.
  writeFileSync(path.join(dir, 'README.md'), '# wraith\n\nNext: client/port-forwarding.\n');
  git('commit', '--quiet', '-am', 'docs: client/port-forwarding is next');
  git('switch', '--quiet', '-c', `feat/${UNMERGED}`);
  work(UNMERGED, `// ${UNMERGED}: wip`);
  git('commit', '--quiet', '-m', 'wip: port forwarding');
  git('switch', '--quiet', 'main');

  return {
    dir,
    merged: HISTORY.map((h) => h.task).sort(),
    staleBranches: HISTORY.filter((h) => h.keep && h.how !== 'direct')
      .map((h) => `feat/${h.task}`)
      .sort(),
    keptBranches: [`feat/${NEVER_COMMITTED}`, `feat/${UNMERGED}`].sort(),
    doneTask: DONE_TASK,
  };
}

/**
 * The maintainer's review of the adoption PR: waits for the app's `coordinator/adopt` PR, records
 * what it changes (read from git: the files between `main` and its head), and merges it through the
 * stand-in's REST route as the repository's owner, as a person clicking "Merge" would.
 * @returns the PR number and the files it changed. @throws when no adoption PR opens in `timeoutMs`.
 */
export async function mergeAdoptionPull(input: {
  gheHost: string;
  repo: Repo;
  userToken: string;
  timeoutMs: number;
}): Promise<{ number: number; files: string[] }> {
  const { repo } = input;
  const deadline = Date.now() + input.timeoutMs;
  for (;;) {
    const pull = [...repo.pulls.values()].find(
      (p) => p.headRef === 'coordinator/adopt' && p.state === 'open',
    );
    if (pull) {
      // A person reads the PR before merging it (and the app finishes the reconcile that opened it).
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const files = (await repo.git.git(['diff', '--name-only', `main...${pull.headSha}`])).stdout
        .split('\n')
        .filter(Boolean)
        .sort();
      const response = await fetch(
        `http://${input.gheHost}/api/v3/repos/${repo.owner}/${repo.name}/pulls/${pull.number}/merge`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `token ${input.userToken}` },
          body: JSON.stringify({ merge_method: 'merge', sha: pull.headSha }),
        },
      );
      if (response.ok) return { number: pull.number, files };
      if (response.status !== 405 && response.status !== 409)
        throw new Error(`merging adoption PR #${pull.number}: ${response.status} ${await response.text()}`);
    }
    if (Date.now() > deadline) throw new Error(`no adoption PR opened within ${input.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
