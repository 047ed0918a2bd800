/**
 * The state of the GitHub stand-in: repositories (real bare git repos), pull requests, comments,
 * labels, reactions, check runs, commit statuses and collaborators, plus the rules GitHub applies
 * on its own: a PR is merged when its head becomes reachable from its base branch, a push to a PR's
 * head synchronizes it, deleting a head branch closes its PR. Every change is announced as a
 * `HubEvent`, which the webhook sender turns into deliveries and the fake CI and agents react to.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { GitRepo, RefConflict } from './git.js';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface Actor {
  readonly login: string;
  readonly type: 'User' | 'Bot';
  /** For apps: the app id (comments and check runs "performed via" the app). */
  readonly appId?: number;
}

export interface Pull {
  readonly number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  draft: boolean;
  readonly headRef: string;
  headSha: string;
  readonly baseRef: string;
  labels: string[];
  readonly user: Actor;
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

export interface Comment {
  readonly id: number;
  readonly issueNumber: number;
  readonly body: string;
  readonly user: Actor;
  readonly createdAt: string;
}

export interface CheckRun {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  output: { title: string | null; summary: string | null };
  readonly appId: number;
  readonly startedAt: string;
  completedAt: string | null;
}

export interface Repo {
  readonly owner: string;
  readonly name: string;
  readonly git: GitRepo;
  readonly defaultBranch: string;
  readonly pulls: Map<number, Pull>;
  readonly comments: Comment[];
  readonly checkRuns: CheckRun[];
  /** Commit statuses (the older API beside check runs), oldest first. */
  readonly statuses: {
    sha: string;
    context: string;
    state: string;
    description: string | null;
    at: string;
  }[];
  readonly reactions: { commentId: number; content: string; user: string }[];
  readonly collaborators: Map<string, Permission>;
  nextIssue: number;
}

export type HubEvent =
  | { kind: 'push'; repo: Repo; ref: string; before: string; after: string; sender: Actor }
  | {
      kind: 'pull_request';
      action: 'opened' | 'synchronize' | 'closed' | 'ready_for_review' | 'labeled' | 'unlabeled';
      repo: Repo;
      pull: Pull;
      sender: Actor;
      label?: string;
    }
  | { kind: 'check_run'; action: 'created' | 'completed'; repo: Repo; run: CheckRun; sender: Actor }
  | { kind: 'issue_comment'; repo: Repo; comment: Comment; isPull: boolean; sender: Actor };

/** An error with the HTTP status and message GitHub would answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class Hub extends EventEmitter<{ event: [HubEvent] }> {
  readonly repos = new Map<string, Repo>();
  readonly app: { id: number; slug: string; installationId: number };
  readonly webUrl: string;
  #nextId = 1000;
  readonly #now: () => number;

  constructor(
    options: {
      appId?: number;
      slug?: string;
      installationId?: number;
      webUrl?: string;
      now?: () => number;
    } = {},
  ) {
    super();
    this.app = {
      id: options.appId ?? 1,
      slug: options.slug ?? 'taskgraph-coordinator',
      installationId: options.installationId ?? 1,
    };
    this.webUrl = options.webUrl ?? 'http://github.test';
    this.#now = options.now ?? Date.now;
  }

  get appActor(): Actor {
    return { login: `${this.app.slug}[bot]`, type: 'Bot', appId: this.app.id };
  }

  nowIso(): string {
    return new Date(this.#now()).toISOString();
  }

  nextId(): number {
    return this.#nextId++;
  }

  /** Creates an empty repository in `rootDir/<owner>/<name>.git`. */
  async createRepo(rootDir: string, owner: string, name: string): Promise<Repo> {
    const git = await GitRepo.init(path.join(rootDir, owner, `${name}.git`));
    const repo: Repo = {
      owner,
      name,
      git,
      defaultBranch: 'main',
      pulls: new Map(),
      comments: [],
      checkRuns: [],
      statuses: [],
      reactions: [],
      collaborators: new Map(),
      nextIssue: 1,
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name: string): Repo {
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) throw new HttpError(404, 'Not Found');
    return repo;
  }

  htmlUrl(repo: Repo): string {
    return `${this.webUrl}/${repo.owner}/${repo.name}`;
  }

  /**
   * Moves a branch, as a push or a ref update would: compare-and-swap against `expected` (null:
   * create), then GitHub's follow-ups (PR synchronize/merged/closed) and a push event.
   * @throws RefConflict when the branch is not at `expected`.
   */
  async moveBranch(repo: Repo, branch: string, sha: string | null, expected: string | null, sender: Actor) {
    const ref = `refs/heads/${branch}`;
    if (sha === null) {
      if (expected === null) throw new RefConflict(`${ref} does not exist`);
      await repo.git.deleteRef(ref, expected);
    } else {
      await repo.git.updateRef(ref, sha, expected);
    }
    const zero = '0'.repeat(40);
    this.emit('event', { kind: 'push', repo, ref, before: expected ?? zero, after: sha ?? zero, sender });
    await this.#afterRefChange(repo, branch, sha, sender);
  }

  async #afterRefChange(repo: Repo, branch: string, sha: string | null, sender: Actor): Promise<void> {
    for (const pull of repo.pulls.values()) {
      if (pull.state !== 'open') continue;
      if (pull.headRef === branch) {
        if (sha === null) {
          this.#close(repo, pull, null, sender);
        } else if (pull.headSha !== sha) {
          pull.headSha = sha;
          pull.updatedAt = this.nowIso();
          this.emit('event', { kind: 'pull_request', action: 'synchronize', repo, pull, sender });
        }
      }
    }
    if (sha === null) return;
    // GitHub marks a PR merged when a push makes its head reachable from its base branch.
    for (const pull of repo.pulls.values()) {
      if (pull.state !== 'open' || pull.baseRef !== branch) continue;
      if (await repo.git.isAncestor(pull.headSha, sha)) this.#close(repo, pull, sha, sender);
    }
  }

  #close(repo: Repo, pull: Pull, mergeSha: string | null, sender: Actor): void {
    const now = this.nowIso();
    pull.state = 'closed';
    pull.closedAt = now;
    pull.updatedAt = now;
    if (mergeSha) {
      pull.mergedAt = now;
      pull.mergeCommitSha = mergeSha;
    }
    this.emit('event', { kind: 'pull_request', action: 'closed', repo, pull, sender });
  }

  /** Opens a PR. @throws HttpError 422 when the head has an open PR or nothing to merge. */
  async openPull(
    repo: Repo,
    args: { head: string; base: string; title: string; body: string; draft: boolean; user: Actor },
  ): Promise<Pull> {
    const headSha = await repo.git.ref(`refs/heads/${args.head}`);
    const baseSha = await repo.git.ref(`refs/heads/${args.base}`);
    if (!headSha || !baseSha) throw new HttpError(422, 'Validation Failed: head or base does not exist');
    for (const pull of repo.pulls.values()) {
      if (pull.state === 'open' && pull.headRef === args.head && pull.baseRef === args.base)
        throw new HttpError(
          422,
          `Validation Failed: A pull request already exists for ${repo.owner}:${args.head}.`,
        );
    }
    if (await repo.git.isAncestor(headSha, baseSha))
      throw new HttpError(422, `Validation Failed: No commits between ${args.base} and ${args.head}`);
    const now = this.nowIso();
    const pull: Pull = {
      number: repo.nextIssue++,
      title: args.title,
      body: args.body,
      state: 'open',
      draft: args.draft,
      headRef: args.head,
      headSha,
      baseRef: args.base,
      labels: [],
      user: args.user,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      mergedAt: null,
      mergeCommitSha: null,
    };
    repo.pulls.set(pull.number, pull);
    this.emit('event', { kind: 'pull_request', action: 'opened', repo, pull, sender: args.user });
    return pull;
  }

  markReady(repo: Repo, pull: Pull, sender: Actor): void {
    if (!pull.draft) return;
    pull.draft = false;
    pull.updatedAt = this.nowIso();
    this.emit('event', { kind: 'pull_request', action: 'ready_for_review', repo, pull, sender });
  }

  addComment(repo: Repo, issueNumber: number, body: string, user: Actor): Comment {
    const comment: Comment = { id: this.nextId(), issueNumber, body, user, createdAt: this.nowIso() };
    repo.comments.push(comment);
    const pull = repo.pulls.get(issueNumber);
    if (pull) pull.updatedAt = comment.createdAt;
    this.emit('event', { kind: 'issue_comment', repo, comment, isPull: pull !== undefined, sender: user });
    return comment;
  }

  setLabels(repo: Repo, pull: Pull, add: readonly string[], remove: readonly string[], sender: Actor): void {
    for (const label of add) {
      if (pull.labels.includes(label)) continue;
      pull.labels.push(label);
      pull.updatedAt = this.nowIso();
      this.emit('event', { kind: 'pull_request', action: 'labeled', repo, pull, sender, label });
    }
    for (const label of remove) {
      if (!pull.labels.includes(label)) continue;
      pull.labels = pull.labels.filter((l) => l !== label);
      pull.updatedAt = this.nowIso();
      this.emit('event', { kind: 'pull_request', action: 'unlabeled', repo, pull, sender, label });
    }
  }

  createCheckRun(
    repo: Repo,
    args: {
      name: string;
      headSha: string;
      status?: CheckRun['status'];
      conclusion?: string | null;
      output?: { title?: string | null; summary?: string | null };
      appId: number;
    },
    sender: Actor,
  ): CheckRun {
    const now = this.nowIso();
    const completed = args.status === 'completed' || (args.conclusion ?? null) !== null;
    const run: CheckRun = {
      id: this.nextId(),
      name: args.name,
      headSha: args.headSha,
      status: completed ? 'completed' : (args.status ?? 'queued'),
      conclusion: completed ? (args.conclusion ?? 'neutral') : null,
      output: { title: args.output?.title ?? null, summary: args.output?.summary ?? null },
      appId: args.appId,
      startedAt: now,
      completedAt: completed ? now : null,
    };
    repo.checkRuns.push(run);
    this.emit('event', { kind: 'check_run', action: 'created', repo, run, sender });
    if (completed) this.emit('event', { kind: 'check_run', action: 'completed', repo, run, sender });
    return run;
  }

  updateCheckRun(
    repo: Repo,
    run: CheckRun,
    args: {
      status?: CheckRun['status'];
      conclusion?: string | null;
      output?: { title?: string | null; summary?: string | null };
    },
    sender: Actor,
  ): void {
    const wasCompleted = run.status === 'completed';
    if (args.conclusion) {
      run.status = 'completed';
      run.conclusion = args.conclusion;
    } else if (args.status) {
      run.status = args.status;
      if (args.status === 'completed') run.conclusion ??= 'neutral';
    }
    if (args.output)
      run.output = {
        title: args.output.title ?? run.output.title,
        summary: args.output.summary ?? run.output.summary,
      };
    if (run.status === 'completed') {
      run.completedAt ??= this.nowIso();
      if (!wasCompleted || args.conclusion)
        this.emit('event', { kind: 'check_run', action: 'completed', repo, run, sender });
    }
  }
}
