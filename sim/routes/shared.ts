/**
 * What every route of the stand-in shares: the request and response shapes, pagination with a
 * GitHub-style `Link` header, and the JSON GitHub answers for refs, repositories, commits, pulls,
 * labels, comments, check runs and reviews (field names as in GitHub's OpenAPI description).
 */
import { type Actor, type CheckRun, HttpError, type Hub, type Issue, type Pull, type Repo } from '../hub.js';
import type { Review } from '../reviews.js';

export interface Request {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Who is calling: the app (JWT or installation token), or a user with a stand-in admin token. */
  readonly actor: Actor;
}

export interface Response {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Raw text (contents with the raw media type). */
  readonly text?: string;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly template: string;
  readonly handle: (hub: Hub, req: Request) => Promise<Response>;
}

export const ok = (body: unknown, status = 200): Response => ({ status, body });
export const repoOf = (hub: Hub, req: Request) =>
  hub.repo(req.params.owner as string, req.params.repo as string);

/** 403 for an app whose installation lacks `permission` at `level` (GitHub's wording). */
export function requirePermission(hub: Hub, req: Request, permission: string, level: 'read' | 'write') {
  if (req.actor.appId !== hub.app.id) return;
  const granted = hub.app.permissions[permission];
  if (granted === 'write' || (level === 'read' && granted === 'read')) return;
  throw new HttpError(403, 'Resource not accessible by integration');
}

/** 403 unless the caller is a repository admin (protection and rulesets need admin). */
export function requireAdmin(hub: Hub, repo: Repo, req: Request) {
  if (req.actor.appId === hub.app.id) return requirePermission(hub, req, 'administration', 'write');
  if (hub.roleOf(repo, req.actor.login) !== 'admin')
    throw new HttpError(403, 'Must have admin rights to Repository.');
}

export function pullOf(repo: Repo, req: Request): Pull {
  const pull = repo.pulls.get(Number(req.params.pull_number));
  if (!pull) throw new HttpError(404, 'Not Found');
  return pull;
}

export function headsBranch(ref: string): string {
  if (!ref.startsWith('heads/')) throw new HttpError(422, 'Only branch refs (heads/...) are supported');
  return ref.slice('heads/'.length);
}

/** `?per_page=&page=` with a GitHub-style `Link` header. */
export function paginate<T>(req: Request, all: readonly T[], wrap: (items: T[]) => unknown): Response {
  const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30) || 30);
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < all.length) {
    const next = new URLSearchParams(req.query);
    next.set('page', String(page + 1));
    headers.link = `<${String(req.headers['x-stand-in-url'] ?? '')}?${next}>; rel="next"`;
  }
  return { status: 200, body: wrap(items), headers };
}

export function refJson(name: string, sha: string) {
  return { ref: name, node_id: `REF_${sha.slice(0, 8)}`, url: '', object: { type: 'commit', sha, url: '' } };
}

export function repoJson(hub: Hub, repo: Repo) {
  return {
    id: Math.abs(hash(`${repo.owner}/${repo.name}`)),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: { login: repo.owner, type: 'Organization' },
    private: false,
    fork: repo.forkOf !== null,
    html_url: hub.htmlUrl(repo),
    default_branch: repo.defaultBranch,
  };
}

export async function commitJson(hub: Hub, repo: Repo, sha: string) {
  const commit = await repo.git.commit(sha);
  if (!commit) throw new HttpError(404, 'Not Found');
  const date = new Date(commit.committedAtMs).toISOString();
  return {
    sha,
    html_url: `${hub.htmlUrl(repo)}/commit/${sha}`,
    message: commit.message,
    tree: { sha: commit.tree },
    parents: commit.parents.map((p) => ({ sha: p })),
    author: { name: commit.authorName, email: commit.authorEmail, date },
    committer: { name: commit.authorName, email: commit.authorEmail, date },
  };
}

/**
 * A commit as the REST API's "Commit" schema has it (`GET /commits`, the answer of `POST /merges`):
 * the git data under `commit` (its tree as `commit.tree.sha`), the parents beside it. Source: GitHub
 * REST docs, "List commits" and "Merge a branch" (201 response).
 */
export async function restCommitJson(hub: Hub, repo: Repo, sha: string) {
  const c = await commitJson(hub, repo, sha);
  return {
    sha,
    html_url: c.html_url,
    commit: { message: c.message, author: c.author, committer: c.committer, tree: c.tree },
    parents: c.parents,
  };
}

export async function pullJson(hub: Hub, repo: Repo, pull: Pull, detailed: boolean) {
  const baseSha = (await repo.git.ref(`refs/heads/${pull.baseRef}`)) ?? '';
  const json: Record<string, unknown> = {
    number: pull.number,
    id: pull.number * 7919,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    draft: pull.draft,
    locked: false,
    user: { login: pull.user.login, type: pull.user.type },
    labels: pull.labels.map(labelJson),
    head: {
      ref: pull.headRef,
      sha: pull.headSha,
      label: `${pull.headRepo.owner}:${pull.headRef}`,
      repo: repoJson(hub, pull.headRepo),
    },
    base: {
      ref: pull.baseRef,
      sha: baseSha,
      label: `${repo.owner}:${pull.baseRef}`,
      repo: repoJson(hub, repo),
    },
    html_url: `${hub.htmlUrl(repo)}/pull/${pull.number}`,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    author_association: hub.roleOf(repo, pull.user.login) === 'none' ? 'CONTRIBUTOR' : 'COLLABORATOR',
  };
  if (detailed) {
    json.merged = pull.mergedAt !== null;
    const state = await mergeableState(repo, pull, baseSha);
    json.mergeable = state === 'dirty' ? false : state === 'unknown' ? null : true;
    json.mergeable_state = state;
  }
  return json;
}

/** GitHub's `mergeable_state`, computed from git: dirty (conflict), behind, draft or clean. */
async function mergeableState(repo: Repo, pull: Pull, baseSha: string): Promise<string> {
  if (pull.state !== 'open') return 'unknown';
  const merged = await repo.git.mergeTrees(baseSha, pull.headSha);
  if ('conflicts' in merged) return 'dirty';
  if (pull.draft) return 'draft';
  if (!(await repo.git.isAncestor(baseSha, pull.headSha))) return 'behind';
  return 'clean';
}

export function issueJson(hub: Hub, repo: Repo, issue: Issue) {
  return {
    id: issue.number * 7907,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map(labelJson),
    user: { login: issue.user.login, type: issue.user.type },
    html_url: `${hub.htmlUrl(repo)}/issues/${issue.number}`,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    comments: repo.comments.filter((c) => c.issueNumber === issue.number).length,
  };
}

export function labelJson(name: string) {
  return { id: Math.abs(hash(name)), name, color: 'ededed', default: false };
}

export function commentJson(
  hub: Hub,
  repo: Repo,
  comment: { id: number; issueNumber: number; body: string; user: Actor; createdAt: string },
) {
  const kind = repo.pulls.has(comment.issueNumber) ? 'pull' : 'issues';
  return {
    id: comment.id,
    body: comment.body,
    html_url: `${hub.htmlUrl(repo)}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    user: { login: comment.user.login, type: comment.user.type },
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    performed_via_github_app: comment.user.appId ? { id: comment.user.appId } : null,
  };
}

export function checkRunJson(hub: Hub, repo: Repo, run: CheckRun) {
  return {
    id: run.id,
    name: run.name,
    head_sha: run.headSha,
    status: run.status,
    conclusion: run.conclusion,
    external_id: run.externalId,
    details_url: run.detailsUrl,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { title: run.output.title, summary: run.output.summary, annotations_count: 0 },
    app: { id: run.appId, slug: run.appId === hub.app.id ? hub.app.slug : `app-${run.appId}` },
    html_url: `${hub.htmlUrl(repo)}/runs/${run.id}`,
  };
}

export function reviewJson(hub: Hub, repo: Repo, review: Review) {
  return {
    id: review.id,
    node_id: `PRR_${review.id}`,
    user: { login: review.user, type: 'User' },
    body: review.body,
    state: review.state,
    commit_id: review.commitId,
    submitted_at: review.submittedAt,
    html_url: `${hub.htmlUrl(repo)}/pull/${review.pull}#pullrequestreview-${review.id}`,
    pull_request_url: `${hub.htmlUrl(repo)}/pull/${review.pull}`,
    author_association: hub.roleOf(repo, review.user) === 'none' ? 'CONTRIBUTOR' : 'COLLABORATOR',
    _links: {
      html: { href: `${hub.htmlUrl(repo)}/pull/${review.pull}#pullrequestreview-${review.id}` },
      pull_request: { href: `${hub.htmlUrl(repo)}/pull/${review.pull}` },
    },
  };
}

export function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** Owners of the repositories the app is installed on (forks excluded). */
export function owners(hub: Hub): string[] {
  return [...new Set([...hub.repos.values()].filter((r) => !r.forkOf).map((r) => r.owner))];
}
