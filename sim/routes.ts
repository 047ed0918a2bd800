/**
 * The REST routes the stand-in serves, each under its template from GitHub's OpenAPI description
 * (a test checks every template exists there), with GitHub's status codes (see
 * ../shared/PLATFORM-NOTES.md: 409/405 on merges, 422 on non-fast-forward ref updates, 202 on
 * update-branch, 204 on ref deletion).
 */
import { RefConflict } from './git.js';
import { type Actor, type CheckRun, HttpError, type Hub, type Pull, type Repo } from './hub.js';

export interface Request {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Who is calling: the app (JWT or installation token). */
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

const ok = (body: unknown, status = 200): Response => ({ status, body });
const repoOf = (hub: Hub, req: Request) => hub.repo(req.params.owner as string, req.params.repo as string);

/** Every route, in match order (literal paths before parameterised ones). */
export const ROUTES: readonly Route[] = [
  // --- the app and its installations ---
  {
    method: 'GET',
    template: '/app',
    handle: async (hub) =>
      ok({ id: hub.app.id, slug: hub.app.slug, name: 'Taskgraph Coordinator', owner: { login: 'stand-in' } }),
  },
  {
    method: 'GET',
    template: '/app/installations',
    handle: async (hub) =>
      ok([
        { id: hub.app.installationId, account: { login: owners(hub)[0] ?? 'stand-in' }, app_id: hub.app.id },
      ]),
  },
  {
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    handle: async () =>
      ok(
        { token: `ghs_standin${Date.now()}`, expires_at: new Date(Date.now() + 3_600_000).toISOString() },
        201,
      ),
  },
  {
    method: 'GET',
    template: '/installation/repositories',
    handle: async (hub, req) => {
      const all = [...hub.repos.values()].map((r) => repoJson(hub, r));
      return paginate(req, all, (items) => ({ total_count: all.length, repositories: items }));
    },
  },
  // --- repositories ---
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    handle: async (hub, req) => ok(repoJson(hub, repoOf(hub, req))),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const login = req.params.username as string;
      const role = repo.collaborators.get(login.toLowerCase()) ?? 'read';
      const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
      return ok({ permission, role_name: role, user: { login } });
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/branches/{branch}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = await repo.git.ref(`refs/heads/${req.params.branch}`);
      if (!sha) throw new HttpError(404, 'Branch not found');
      return ok({
        name: req.params.branch,
        commit: { sha },
        protected: false,
        protection: { enabled: false, required_status_checks: { contexts: [], checks: [] } },
      });
    },
  },
  { method: 'GET', template: '/repos/{owner}/{repo}/rules/branches/{branch}', handle: async () => ok([]) },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/contents/{path}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const ref = req.query.get('ref') ?? repo.defaultBranch;
      const sha = await repo.git.blobAt(ref, req.params.path as string);
      if (!sha) throw new HttpError(404, 'Not Found');
      const content = await repo.git.readBlob(sha);
      const accept = String(req.headers.accept ?? '');
      if (accept.includes('raw')) return { status: 200, text: content.toString('utf8') };
      return ok({
        type: 'file',
        encoding: 'base64',
        content: content.toString('base64'),
        sha,
        path: req.params.path,
        name: String(req.params.path).split('/').pop(),
        size: content.length,
      });
    },
  },
  // --- git data ---
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/ref/{ref}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = await repo.git.ref(`refs/${req.params.ref}`);
      if (!sha) throw new HttpError(404, 'Not Found');
      return ok(refJson(`refs/${req.params.ref}`, sha));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/matching-refs/{ref}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const prefix = `refs/${req.params.ref}`;
      const refs = [...(await repo.git.refs('refs/'))].filter(([name]) => name.startsWith(prefix));
      return paginate(
        req,
        refs.map(([name, sha]) => refJson(name, sha)),
        (items) => items,
      );
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/refs',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const name = String(req.body.ref ?? '');
      const sha = String(req.body.sha ?? '');
      if (!name.startsWith('refs/heads/'))
        throw new HttpError(422, 'Reference name must start with refs/heads/');
      if (!(await repo.git.commit(sha))) throw new HttpError(422, 'Object does not exist');
      try {
        await hub.moveBranch(repo, name.slice('refs/heads/'.length), sha, null, req.actor);
      } catch (error) {
        if (error instanceof RefConflict) throw new HttpError(422, 'Reference already exists');
        throw error;
      }
      return ok(refJson(name, sha), 201);
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const branch = headsBranch(req.params.ref as string);
      const sha = String(req.body.sha ?? '');
      const current = await repo.git.ref(`refs/heads/${branch}`);
      if (!current) throw new HttpError(422, 'Reference does not exist');
      if (!(await repo.git.commit(sha))) throw new HttpError(422, 'Object does not exist');
      if (req.body.force !== true && !(await repo.git.isAncestor(current, sha)))
        throw new HttpError(422, 'Update is not a fast forward');
      try {
        if (current !== sha) await hub.moveBranch(repo, branch, sha, current, req.actor);
      } catch (error) {
        if (error instanceof RefConflict) throw new HttpError(422, 'Update is not a fast forward');
        throw error;
      }
      return ok(refJson(`refs/heads/${branch}`, sha));
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const branch = headsBranch(req.params.ref as string);
      if (branch === repo.defaultBranch) throw new HttpError(422, 'Cannot delete the default branch');
      const current = await repo.git.ref(`refs/heads/${branch}`);
      if (!current) throw new HttpError(422, 'Reference does not exist');
      await hub.moveBranch(repo, branch, null, current, req.actor);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/trees/{tree_sha}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = req.params.tree_sha as string;
      if (!(await repo.git.objectType(sha))) throw new HttpError(404, 'Not Found');
      const recursive = req.query.has('recursive');
      const entries = await repo.git.listTree(sha, recursive);
      return ok({
        sha,
        truncated: false,
        tree: entries.map((e) => ({
          path: e.path,
          mode: e.mode,
          type: e.type,
          sha: e.sha,
          ...(e.size !== undefined ? { size: e.size } : {}),
        })),
      });
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/trees',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const entries = (req.body.tree ?? []) as {
        path: string;
        mode: string;
        content?: string;
        sha?: string | null;
      }[];
      const changes = await Promise.all(
        entries.map(async (e) => ({
          path: e.path,
          mode: e.mode,
          sha: e.content !== undefined ? await repo.git.writeBlob(e.content) : (e.sha ?? null),
        })),
      );
      const base = typeof req.body.base_tree === 'string' ? req.body.base_tree : null;
      const sha = await repo.git.createTree(base, changes);
      return ok({ sha, truncated: false, tree: [] }, 201);
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/commits',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = await repo.git.commitTree({
        tree: String(req.body.tree),
        parents: (req.body.parents ?? []) as string[],
        message: String(req.body.message ?? ''),
        author: { name: req.actor.login, email: `${req.actor.login}@users.noreply.github.test` },
      });
      return ok(await commitJson(hub, repo, sha), 201);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    handle: async (hub, req) => ok(await commitJson(hub, repoOf(hub, req), req.params.commit_sha as string)),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/blobs/{file_sha}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = req.params.file_sha as string;
      if ((await repo.git.objectType(sha)) !== 'blob') throw new HttpError(404, 'Not Found');
      const content = await repo.git.readBlob(sha);
      return ok({ sha, size: content.length, encoding: 'base64', content: content.toString('base64') });
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/merges',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const base = String(req.body.base);
      const baseSha = await repo.git.ref(`refs/heads/${base}`);
      const headSha =
        (await repo.git.ref(`refs/heads/${req.body.head}`)) ??
        (await repo.git.commit(String(req.body.head)))?.sha;
      if (!baseSha || !headSha) throw new HttpError(404, 'Base or head does not exist');
      if (await repo.git.isAncestor(headSha, baseSha)) return { status: 204 };
      const merged = await repo.git.mergeTrees(baseSha, headSha);
      if ('conflicts' in merged) throw new HttpError(409, 'Merge conflict');
      const sha = await repo.git.commitTree({
        tree: merged.tree,
        parents: [baseSha, headSha],
        message: String(req.body.commit_message ?? `Merge ${req.body.head} into ${base}`),
      });
      try {
        await hub.moveBranch(repo, base, sha, baseSha, req.actor);
      } catch (error) {
        if (error instanceof RefConflict) throw new HttpError(409, 'Base moved during the merge');
        throw error;
      }
      return ok(await commitJson(hub, repo, sha), 201);
    },
  },
  // --- pull requests ---
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const state = req.query.get('state') ?? 'open';
      const base = req.query.get('base');
      let pulls = [...repo.pulls.values()].filter(
        (p) => (state === 'all' || p.state === state) && (!base || p.baseRef === base),
      );
      pulls =
        req.query.get('sort') === 'updated'
          ? pulls.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.number - a.number)
          : pulls.sort((a, b) => b.number - a.number);
      if (req.query.get('direction') === 'asc') pulls.reverse();
      return paginate(
        req,
        await Promise.all(pulls.map((p) => pullJson(hub, repo, p, false))),
        (items) => items,
      );
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = await hub.openPull(repo, {
        head: String(req.body.head),
        base: String(req.body.base),
        title: String(req.body.title ?? req.body.head),
        body: String(req.body.body ?? ''),
        draft: req.body.draft === true,
        user: req.actor,
      });
      return ok(await pullJson(hub, repo, pull, false), 201);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      return ok(await pullJson(hub, repo, pullOf(repo, req), true));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, req);
      const base = pull.mergeCommitSha
        ? ((await repo.git.commit(pull.mergeCommitSha))?.parents[0] ?? pull.mergeCommitSha)
        : ((await repo.git.ref(`refs/heads/${pull.baseRef}`)) as string);
      const files = await repo.git.changedFiles(base, pull.headSha);
      const rows = await Promise.all(
        files.map(async (f) => ({
          filename: f.filename,
          status: f.status,
          sha: (await repo.git.blobAt(pull.headSha, f.filename)) ?? '0'.repeat(40),
          ...(f.previous ? { previous_filename: f.previous } : {}),
        })),
      );
      return paginate(req, rows, (items) => items);
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, req);
      if (pull.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
      if (req.body.sha && req.body.sha !== pull.headSha)
        throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
      const baseSha = (await repo.git.ref(`refs/heads/${pull.baseRef}`)) as string;
      const merged = await repo.git.mergeTrees(baseSha, pull.headSha);
      if ('conflicts' in merged) throw new HttpError(405, 'Pull Request is not mergeable');
      const sha = await repo.git.commitTree({
        tree: merged.tree,
        parents: [baseSha, pull.headSha],
        message:
          `${req.body.commit_title ?? `Merge pull request #${pull.number}`}\n\n${req.body.commit_message ?? ''}`.trim(),
      });
      try {
        await hub.moveBranch(repo, pull.baseRef, sha, baseSha, req.actor);
      } catch (error) {
        if (error instanceof RefConflict)
          throw new HttpError(405, 'Base branch was modified. Try the merge again.');
        throw error;
      }
      return ok({ sha, merged: true, message: 'Pull Request successfully merged' });
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, req);
      if (req.body.expected_head_sha && req.body.expected_head_sha !== pull.headSha)
        throw new HttpError(422, 'expected_head_sha does not match the head of the pull request');
      const baseSha = (await repo.git.ref(`refs/heads/${pull.baseRef}`)) as string;
      const merged = await repo.git.mergeTrees(pull.headSha, baseSha);
      if ('conflicts' in merged) throw new HttpError(422, 'merge conflict between base and head');
      const sha = await repo.git.commitTree({
        tree: merged.tree,
        parents: [pull.headSha, baseSha],
        message: `Merge branch '${pull.baseRef}' into ${pull.headRef}`,
      });
      await hub.moveBranch(repo, pull.headRef, sha, pull.headSha, req.actor);
      return ok(
        { message: 'Updating pull request branch.', url: `${hub.htmlUrl(repo)}/pull/${pull.number}` },
        202,
      );
    },
  },
  // --- issues: comments, labels, reactions ---
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const number = Number(req.params.issue_number);
      if (!repo.pulls.has(number) && number >= repo.nextIssue) throw new HttpError(404, 'Not Found');
      const comment = hub.addComment(repo, number, String(req.body.body ?? ''), req.actor);
      return ok(commentJson(hub, repo, comment), 201);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const number = Number(req.params.issue_number);
      const rows = repo.comments
        .filter((c) => c.issueNumber === number)
        .map((c) => commentJson(hub, repo, c));
      return paginate(req, rows, (items) => items);
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, {
        ...req,
        params: { ...req.params, pull_number: req.params.issue_number as string },
      });
      const labels = (Array.isArray(req.body.labels) ? req.body.labels : []) as string[];
      hub.setLabels(repo, pull, labels, [], req.actor);
      return ok(pull.labels.map(labelJson));
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, {
        ...req,
        params: { ...req.params, pull_number: req.params.issue_number as string },
      });
      const name = req.params.name as string;
      if (!pull.labels.includes(name)) throw new HttpError(404, 'Label does not exist');
      hub.setLabels(repo, pull, [], [name], req.actor);
      return ok(pull.labels.map(labelJson));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const commentId = Number(req.params.comment_id);
      if (!repo.comments.some((c) => c.id === commentId)) throw new HttpError(404, 'Not Found');
      const content = String(req.body.content);
      const exists = repo.reactions.some(
        (r) => r.commentId === commentId && r.content === content && r.user === req.actor.login,
      );
      if (!exists) repo.reactions.push({ commentId, content, user: req.actor.login });
      return ok({ id: hub.nextId(), content, user: { login: req.actor.login } }, exists ? 200 : 201);
    },
  },
  // --- checks and statuses ---
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/check-runs',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const output = (req.body.output ?? {}) as { title?: string; summary?: string };
      const run = hub.createCheckRun(
        repo,
        {
          name: String(req.body.name),
          headSha: String(req.body.head_sha),
          status: req.body.status as CheckRun['status'] | undefined,
          conclusion: (req.body.conclusion as string | undefined) ?? null,
          output,
          appId: req.actor.appId ?? 0,
        },
        req.actor,
      );
      return ok(checkRunJson(hub, repo, run), 201);
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const run = repo.checkRuns.find((r) => r.id === Number(req.params.check_run_id));
      if (!run || run.appId !== req.actor.appId) throw new HttpError(404, 'Not Found');
      hub.updateCheckRun(
        repo,
        run,
        {
          status: req.body.status as CheckRun['status'] | undefined,
          conclusion: (req.body.conclusion as string | undefined) ?? null,
          output: req.body.output as { title?: string; summary?: string } | undefined,
        },
        req.actor,
      );
      return ok(checkRunJson(hub, repo, run));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = (await repo.git.ref(req.params.ref as string)) ?? req.params.ref;
      const appId = req.query.get('app_id');
      const name = req.query.get('check_name');
      let runs = repo.checkRuns.filter(
        (r) => r.headSha === sha && (!appId || r.appId === Number(appId)) && (!name || r.name === name),
      );
      if (req.query.get('filter') !== 'all') {
        const latest = new Map<string, CheckRun>();
        for (const run of runs) latest.set(`${run.appId}:${run.name}`, run);
        runs = [...latest.values()];
      }
      const rows = runs.sort((a, b) => b.id - a.id).map((r) => checkRunJson(hub, repo, r));
      return paginate(req, rows, (items) => ({ total_count: rows.length, check_runs: items }));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/status',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = (await repo.git.ref(req.params.ref as string)) ?? req.params.ref;
      // The latest status per context; the combined state is failure if any failed or errored,
      // pending if any is pending (or there are none), else success (docs: "Get the combined status").
      const latest = new Map<string, Repo['statuses'][number]>();
      for (const status of repo.statuses) if (status.sha === sha) latest.set(status.context, status);
      const statuses = [...latest.values()];
      const state = statuses.some((st) => st.state === 'failure' || st.state === 'error')
        ? 'failure'
        : statuses.length === 0 || statuses.some((st) => st.state === 'pending')
          ? 'pending'
          : 'success';
      return ok({
        state,
        sha,
        total_count: statuses.length,
        statuses: statuses.map((st) => ({
          context: st.context,
          state: st.state,
          description: st.description,
          created_at: st.at,
          updated_at: st.at,
        })),
      });
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/statuses/{sha}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = req.params.sha as string;
      if (!(await repo.git.commit(sha))) throw new HttpError(422, 'No commit found for SHA');
      const state = String(req.body.state);
      if (!['error', 'failure', 'pending', 'success'].includes(state))
        throw new HttpError(422, 'state is not valid');
      const status = {
        sha,
        context: String(req.body.context ?? 'default'),
        state,
        description: typeof req.body.description === 'string' ? req.body.description : null,
        at: hub.nowIso(),
      };
      repo.statuses.push(status);
      return ok({ id: hub.nextId(), ...status, created_at: status.at, updated_at: status.at }, 201);
    },
  },
];

function owners(hub: Hub): string[] {
  return [...new Set([...hub.repos.values()].map((r) => r.owner))];
}

function headsBranch(ref: string): string {
  if (!ref.startsWith('heads/')) throw new HttpError(422, 'Only branch refs (heads/...) are supported');
  return ref.slice('heads/'.length);
}

function pullOf(repo: Repo, req: Request): Pull {
  const pull = repo.pulls.get(Number(req.params.pull_number));
  if (!pull) throw new HttpError(404, 'Not Found');
  return pull;
}

/** `?per_page=&page=` with a GitHub-style `Link` header. */
function paginate<T>(req: Request, all: readonly T[], wrap: (items: T[]) => unknown): Response {
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

function refJson(name: string, sha: string) {
  return { ref: name, node_id: `REF_${sha.slice(0, 8)}`, url: '', object: { type: 'commit', sha, url: '' } };
}

function repoJson(hub: Hub, repo: Repo) {
  return {
    id: Math.abs(hash(`${repo.owner}/${repo.name}`)),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: { login: repo.owner, type: 'Organization' },
    private: false,
    html_url: hub.htmlUrl(repo),
    default_branch: repo.defaultBranch,
  };
}

async function commitJson(hub: Hub, repo: Repo, sha: string) {
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

async function pullJson(hub: Hub, repo: Repo, pull: Pull, detailed: boolean, knownBaseSha?: string) {
  const baseSha = knownBaseSha ?? (await repo.git.ref(`refs/heads/${pull.baseRef}`)) ?? '';
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
    head: { ref: pull.headRef, sha: pull.headSha, label: `${repo.owner}:${pull.headRef}` },
    base: { ref: pull.baseRef, sha: baseSha, label: `${repo.owner}:${pull.baseRef}` },
    html_url: `${hub.htmlUrl(repo)}/pull/${pull.number}`,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
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

function labelJson(name: string) {
  return { id: Math.abs(hash(name)), name, color: 'ededed', default: false };
}

export function commentJson(
  hub: Hub,
  repo: Repo,
  comment: { id: number; issueNumber: number; body: string; user: Actor; createdAt: string },
) {
  return {
    id: comment.id,
    body: comment.body,
    html_url: `${hub.htmlUrl(repo)}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
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
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { title: run.output.title, summary: run.output.summary, annotations_count: 0 },
    app: { id: run.appId, slug: run.appId === hub.app.id ? hub.app.slug : `app-${run.appId}` },
    html_url: `${hub.htmlUrl(repo)}/runs/${run.id}`,
  };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}
