/**
 * A fake CI: on every push to a task branch or to a staging branch (`coordinator/staging*`, as a
 * workflow's `branches: ['coordinator/staging*']` filter matches), and on every new head of a
 * PR from a fork, it posts a `ci` check run,
 * queued at once and completed after `ciMs`. A run fails when a seeded coin lands under `failRate`,
 * or when it tests the merge result of a task listed in `failTasks` whose agent has not pushed a
 * fix yet (a commit "Fix CI for <task>"): such a change passes its own branch's CI and breaks only
 * together with the base (a semantic conflict), which is what testing the merge result is for.
 */
import type { Actor, Hub, Repo } from './hub.js';

export const CI_APP_ID = 99;

/** The workflow's branch filter `coordinator/staging*` (a glob's `*` does not match `/`). */
function isStagingBranch(branch: string): boolean {
  return /^coordinator\/staging[^/]*$/.test(branch);
}
const CI: Actor = { login: 'fake-ci[bot]', type: 'Bot', appId: CI_APP_ID };

export interface CiOptions {
  readonly ciMs: number;
  readonly failRate: number;
  readonly failTasks: readonly string[];
  readonly branchPrefix: string;
  readonly random: () => number;
}

export class FakeCi {
  /** Every run: sha, branch, outcome. */
  readonly runs: { sha: string; branch: string; conclusion: 'success' | 'failure'; atMs: number }[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(
    private readonly hub: Hub,
    private readonly options: CiOptions,
  ) {
    hub.on('event', (event) => {
      // A PR from a fork is tested on its pull_request events (as a `pull_request` workflow is);
      // its pushes happen in the fork, where this CI does not run.
      if (
        event.kind === 'pull_request' &&
        ['opened', 'synchronize'].includes(event.action) &&
        event.pull.headRepo !== event.repo
      ) {
        this.#start(event.repo, event.pull.headRef, event.pull.headSha);
        return;
      }
      if (event.kind !== 'push' || /^0+$/.test(event.after)) return;
      const branch = event.ref.replace(/^refs\/heads\//, '');
      if (isStagingBranch(branch) || branch.startsWith(options.branchPrefix))
        this.#start(event.repo, branch, event.after);
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }

  #start(repo: Repo, branch: string, sha: string): void {
    const run = this.hub.createCheckRun(
      repo,
      { name: 'ci', headSha: sha, status: 'queued', appId: CI_APP_ID },
      CI,
    );
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped) return;
      void this.#finish(repo, branch, sha, run);
    }, this.options.ciMs);
    this.#timers.add(timer);
  }

  async #finish(repo: Repo, branch: string, sha: string, run: Parameters<Hub['updateCheckRun']>[1]) {
    const failing = await this.#testsUnfixedFailure(repo, branch, sha);
    const conclusion = failing || this.options.random() < this.options.failRate ? 'failure' : 'success';
    this.runs.push({ sha, branch, conclusion, atMs: Date.now() });
    this.hub.updateCheckRun(
      repo,
      run,
      {
        conclusion,
        output: {
          title: conclusion === 'success' ? 'Tests passed' : 'Tests failed',
          summary: `ci on ${branch}`,
        },
      },
      CI,
    );
  }

  /** Whether the tested commit holds a listed failing task's change without its fix. */
  async #testsUnfixedFailure(repo: Repo, branch: string, sha: string): Promise<boolean> {
    if (this.options.failTasks.length === 0) return false;
    const subjects = await repo.git.git(['log', '--format=%s', '-n', '200', sha]);
    const lines = subjects.stdout.split('\n');
    return this.options.failTasks.some((task) => {
      const touched = lines.some((l) => l === `Implement ${task}`);
      const fixed = lines.some((l) => l === `Fix CI for ${task}`);
      return touched && !fixed && isStagingBranch(branch);
    });
  }
}
