/**
 * The state of the GitHub stand-in: repositories (real bare git repos), pull requests, comments,
 * labels, reactions, check runs, commit statuses and collaborators, plus the rules GitHub applies
 * on its own: a PR is merged when its head becomes reachable from its base branch, a push to a PR's
 * head synchronizes it, deleting a head branch closes its PR. Every change is announced as a
 * `HubEvent`, which the webhook sender turns into deliveries and the fake CI and agents react to.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { enforce } from './enforce.js';
import { GitRepo, RefConflict } from './git.js';
import type { Review } from './reviews.js';
import type { ClassicProtection, Ruleset } from './rules.js';

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
  /** Where the head branch lives: the base repository, or a fork of it. */
  readonly headRepo: Repo;
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
  /** The app's own reference for the run (`external_id`). */
  externalId: string | null;
  detailsUrl: string | null;
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
  /** `repository_dispatch` events sent to the repository (`POST /repos/{o}/{r}/dispatches`), oldest first. */
  readonly dispatches: { eventType: string; clientPayload: unknown; at: string; by: string }[];
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
  /** Classic branch protection by branch name (`PUT .../branches/{branch}/protection`). */
  readonly protection: Map<string, ClassicProtection>;
  readonly rulesets: Ruleset[];
  readonly reviews: Review[];
  /** Issues that are not PRs (title, body, state, labels). */
  readonly issues: Map<number, Issue>;
  /** The repository this one is a fork of. */
  readonly forkOf: Repo | null;
  /** Every move of a branch, oldest first (to judge from outside what the base branch pointed at). */
  readonly refLog: { branch: string; sha: string | null; atMs: number; actor: string }[];
  nextIssue: number;
}

export interface Issue {
  readonly number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  readonly user: Actor;
  readonly createdAt: string;
  updatedAt: string;
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
  | {
      kind: 'check_run';
      action: 'created' | 'completed' | 'rerequested';
      repo: Repo;
      run: CheckRun;
      sender: Actor;
    }
  | { kind: 'pull_request_review'; repo: Repo; pull: Pull; review: Review; sender: Actor }
  | {
      kind: 'issues';
      action: 'opened' | 'edited' | 'closed';
      repo: Repo;
      issue: Issue;
      sender: Actor;
      /** For `edited`: the body before the edit (GitHub's `changes.body.from`). */
      previousBody?: string;
    }
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

/** The installation's permissions (docs: "Choosing permissions for a GitHub App"). */
export type AppPermissions = Record<string, 'read' | 'write'>;

/** What the stand-in's installation grants by default: app.yml's permissions, `workflows` included. */
export const DEFAULT_APP_PERMISSIONS: AppPermissions = {
  administration: 'read',
  checks: 'write',
  contents: 'write',
  issues: 'write',
  metadata: 'read',
  pull_requests: 'write',
  statuses: 'read',
  workflows: 'write',
};

export class Hub extends EventEmitter<{ event: [HubEvent] }> {
  readonly repos = new Map<string, Repo>();
  readonly app: { id: number; slug: string; installationId: number; permissions: AppPermissions };
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
      permissions?: AppPermissions;
    } = {},
  ) {
    super();
    this.app = {
      id: options.appId ?? 1,
      slug: options.slug ?? 'taskgraph-coordinator',
      installationId: options.installationId ?? 1,
      permissions: { ...(options.permissions ?? DEFAULT_APP_PERMISSIONS) },
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

  /** Creates an empty repository in `rootDir/<owner>/<name>.git` (a fork: a copy of `forkOf`'s refs). */
  async createRepo(
    rootDir: string,
    owner: string,
    name: string,
    forkOf: Repo | null = null,
    importFrom: string | null = null,
  ): Promise<Repo> {
    const dir = path.join(rootDir, owner, `${name}.git`);
    const git = forkOf
      ? await GitRepo.cloneBare(forkOf.git, dir)
      : importFrom
        ? await GitRepo.importFrom(importFrom, dir)
        : await GitRepo.init(dir);
    const repo: Repo = {
      owner,
      name,
      git,
      defaultBranch: importFrom ? await git.headBranch() : 'main',
      pulls: new Map(),
      comments: [],
      checkRuns: [],
      statuses: [],
      dispatches: [],
      reactions: [],
      collaborators: new Map(),
      protection: new Map(),
      rulesets: [],
      reviews: [],
      issues: new Map(),
      forkOf,
      refLog: [],
      nextIssue: 1,
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  /** The repository role of a user (none for strangers; the repository owner is admin). */
  roleOf(repo: Repo, login: string): Permission {
    if (login.toLowerCase() === repo.owner.toLowerCase()) return 'admin';
    return repo.collaborators.get(login.toLowerCase()) ?? 'none';
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
   * Moves a branch, as a push or a ref update would: GitHub's rules first (branch protection,
   * rulesets, the `workflows` permission of apps; see `enforce.ts`), then compare-and-swap against
   * `expected` (null: create), then GitHub's follow-ups (PR synchronize/merged/closed) and a push
   * event. `via: 'merge-pull'` is a PR merge (its rules were checked on the PR).
   * @throws HttpError with GitHub's status and message when a rule refuses; RefConflict when the
   *   branch is not at `expected`.
   */
  async moveBranch(
    repo: Repo,
    branch: string,
    sha: string | null,
    expected: string | null,
    sender: Actor,
    options: { via?: 'push' | 'merge-pull'; pull?: Pull } = {},
  ) {
    const verdict = await enforce(this, repo, {
      branch,
      oldSha: expected,
      newSha: sha,
      actor: sender,
      via: options.via ?? 'push',
      ...(options.pull ? { pull: options.pull } : {}),
    });
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.message);
    const ref = `refs/heads/${branch}`;
    if (sha === null) {
      if (expected === null) throw new RefConflict(`${ref} does not exist`);
      await repo.git.deleteRef(ref, expected);
    } else {
      await repo.git.updateRef(ref, sha, expected);
    }
    repo.refLog.push({ branch, sha, atMs: this.#now(), actor: sender.login });
    const zero = '0'.repeat(40);
    this.emit('event', { kind: 'push', repo, ref, before: expected ?? zero, after: sha ?? zero, sender });
    await this.#afterRefChange(repo, branch, sha, sender);
  }

  async #afterRefChange(repo: Repo, branch: string, sha: string | null, sender: Actor): Promise<void> {
    // PRs live in the base repository; a push to a fork's branch synchronizes the PRs it heads.
    const bases = repo.forkOf ? [repo.forkOf] : [repo];
    for (const baseRepo of bases) {
      for (const pull of baseRepo.pulls.values()) {
        if (pull.state !== 'open' || pull.headRepo !== repo || pull.headRef !== branch) continue;
        if (sha === null) {
          this.#close(baseRepo, pull, null, sender);
        } else if (pull.headSha !== sha) {
          if (repo !== baseRepo)
            await baseRepo.git.fetchCommit(repo.git, sha, `refs/pull/${pull.number}/head`);
          pull.headSha = sha;
          pull.updatedAt = this.nowIso();
          this.#dismissStaleReviews(baseRepo, pull);
          this.emit('event', { kind: 'pull_request', action: 'synchronize', repo: baseRepo, pull, sender });
        }
      }
    }
    if (repo.forkOf) return;
    if (sha === null) return;
    // GitHub marks a PR merged when a push makes its head reachable from its base branch.
    for (const pull of repo.pulls.values()) {
      if (pull.state !== 'open' || pull.baseRef !== branch) continue;
      if (await repo.git.isAncestor(pull.headSha, sha)) this.#close(repo, pull, sha, sender);
    }
  }

  /** Closes a PR as merged by `mergeSha` (a squash or rebase merge, whose head is not reachable). */
  closePull(repo: Repo, pull: Pull, mergeSha: string, sender: Actor): void {
    this.#close(repo, pull, mergeSha, sender);
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

  /**
   * Opens a PR; `headRepo` (default: `repo`) may be a fork, whose head commit is then fetched into
   * the base repository as `refs/pull/<n>/head`, as GitHub does.
   * @throws HttpError 422 when the head has an open PR or nothing to merge.
   */
  async openPull(
    repo: Repo,
    args: {
      head: string;
      base: string;
      title: string;
      body: string;
      draft: boolean;
      user: Actor;
      headRepo?: Repo;
    },
  ): Promise<Pull> {
    const headRepo = args.headRepo ?? repo;
    const headSha = await headRepo.git.ref(`refs/heads/${args.head}`);
    const baseSha = await repo.git.ref(`refs/heads/${args.base}`);
    if (!headSha || !baseSha) throw new HttpError(422, 'Validation Failed: head or base does not exist');
    for (const pull of repo.pulls.values()) {
      if (
        pull.state === 'open' &&
        pull.headRepo === headRepo &&
        pull.headRef === args.head &&
        pull.baseRef === args.base
      )
        throw new HttpError(
          422,
          `Validation Failed: A pull request already exists for ${headRepo.owner}:${args.head}.`,
        );
    }
    const number = repo.nextIssue++;
    if (headRepo !== repo) await repo.git.fetchCommit(headRepo.git, headSha, `refs/pull/${number}/head`);
    if (await repo.git.isAncestor(headSha, baseSha)) {
      repo.nextIssue--;
      throw new HttpError(422, `Validation Failed: No commits between ${args.base} and ${args.head}`);
    }
    const now = this.nowIso();
    const pull: Pull = {
      number,
      title: args.title,
      body: args.body,
      state: 'open',
      draft: args.draft,
      headRef: args.head,
      headSha,
      headRepo,
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

  /**
   * Submits a review (`POST /pulls/{n}/reviews`): `APPROVE`, `REQUEST_CHANGES` or `COMMENT` on the
   * PR's head (or `commitId`), and the `pull_request_review.submitted` event.
   */
  submitReview(
    repo: Repo,
    pull: Pull,
    args: { event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT'; body?: string; commitId?: string },
    user: Actor,
  ): Review {
    const state =
      args.event === 'APPROVE'
        ? 'APPROVED'
        : args.event === 'REQUEST_CHANGES'
          ? 'CHANGES_REQUESTED'
          : 'COMMENTED';
    const review: Review = {
      id: this.nextId(),
      pull: pull.number,
      user: user.login,
      state,
      body: args.body ?? '',
      commitId: args.commitId ?? pull.headSha,
      submittedAt: this.nowIso(),
    };
    repo.reviews.push(review);
    pull.updatedAt = review.submittedAt;
    this.emit('event', { kind: 'pull_request_review', repo, pull, review, sender: user });
    return review;
  }

  /** With stale review dismissal in force on the PR's base, a push dismisses its approvals. */
  #dismissStaleReviews(repo: Repo, pull: Pull): void {
    const classic = repo.protection.get(pull.baseRef)?.requiredReviews?.dismissStale === true;
    const ruleset = repo.rulesets.some(
      (r) =>
        r.enforcement === 'active' &&
        r.rules.some(
          (rule) => rule.type === 'pull_request' && rule.parameters?.dismiss_stale_reviews_on_push === true,
        ),
    );
    if (!classic && !ruleset) return;
    for (const review of repo.reviews)
      if (review.pull === pull.number && review.state === 'APPROVED' && review.commitId !== pull.headSha)
        review.state = 'DISMISSED';
  }

  /** Opens an issue (not a PR). */
  openIssue(repo: Repo, args: { title: string; body: string; labels?: string[] }, user: Actor): Issue {
    const now = this.nowIso();
    const issue: Issue = {
      number: repo.nextIssue++,
      title: args.title,
      body: args.body,
      state: 'open',
      labels: [...(args.labels ?? [])],
      user,
      createdAt: now,
      updatedAt: now,
    };
    repo.issues.set(issue.number, issue);
    this.emit('event', { kind: 'issues', action: 'opened', repo, issue, sender: user });
    return issue;
  }

  /** Edits an issue's title, body, state or labels. */
  editIssue(
    repo: Repo,
    issue: Issue,
    changes: { title?: string; body?: string; state?: 'open' | 'closed'; labels?: string[] },
    user: Actor,
  ): void {
    const previousBody = issue.body;
    if (changes.title !== undefined) issue.title = changes.title;
    if (changes.body !== undefined) issue.body = changes.body;
    if (changes.labels !== undefined) issue.labels = [...changes.labels];
    const closing = changes.state === 'closed' && issue.state === 'open';
    if (changes.state !== undefined) issue.state = changes.state;
    issue.updatedAt = this.nowIso();
    this.emit('event', {
      kind: 'issues',
      action: closing ? 'closed' : 'edited',
      repo,
      issue,
      sender: user,
      previousBody,
    });
  }

  createCheckRun(
    repo: Repo,
    args: {
      name: string;
      headSha: string;
      status?: CheckRun['status'];
      conclusion?: string | null;
      output?: { title?: string | null; summary?: string | null };
      externalId?: string | null;
      detailsUrl?: string | null;
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
      externalId: args.externalId ?? null,
      detailsUrl: args.detailsUrl ?? null,
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
      externalId?: string | null;
      detailsUrl?: string | null;
    },
    sender: Actor,
  ): void {
    const wasCompleted = run.status === 'completed';
    if (args.externalId !== undefined) run.externalId = args.externalId;
    if (args.detailsUrl !== undefined) run.detailsUrl = args.detailsUrl;
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

  /** "Re-run" on a check run: GitHub sends `check_run.rerequested` to the app that owns it. */
  rerequestCheckRun(repo: Repo, run: CheckRun, sender: Actor): void {
    this.emit('event', { kind: 'check_run', action: 'rerequested', repo, run, sender });
  }
}
