/**
 * Repository routes: the repository, collaborator permissions, branches (with their protection
 * summary), contents (read, and write with GitHub's rules enforced), and the commit list.
 */
import { RefConflict } from '../git.js';
import { HttpError } from '../hub.js';
import { rulesetsFor } from '../rules.js';
import {
  commitJson,
  ok,
  paginate,
  type Route,
  repoJson,
  repoOf,
  requirePermission,
  restCommitJson,
} from './shared.js';

export const REPO_ROUTES: readonly Route[] = [
  {
    // docs "Create a repository dispatch event": contents write; `event_type` 1..100 characters;
    // `client_payload` an object of at most 10 top-level properties; 204 No Content.
    method: 'POST',
    template: '/repos/{owner}/{repo}/dispatches',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      requirePermission(hub, req, 'contents', 'write');
      const eventType = req.body.event_type;
      if (typeof eventType !== 'string' || eventType.length === 0 || eventType.length > 100)
        throw new HttpError(422, 'Invalid request.\n\nNo subschema in "anyOf" matched.');
      const payload = req.body.client_payload ?? {};
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
        throw new HttpError(422, "Invalid request.\n\nFor 'properties/client_payload', is not an object.");
      if (Object.keys(payload).length > 10)
        throw new HttpError(
          422,
          `Invalid request.\n\nNo more than 10 properties are allowed; ${Object.keys(payload).length} were supplied.`,
        );
      repo.dispatches.push({ eventType, clientPayload: payload, at: hub.nowIso(), by: req.actor.login });
      return { status: 204 };
    },
  },
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
      const known = hub.roleOf(repo, login);
      const role = known === 'none' ? 'read' : known;
      const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
      return ok({ permission, role_name: role, user: { login } });
    },
  },
  {
    // docs "Get a branch": `protected` and a `protection` summary (required status checks only).
    method: 'GET',
    template: '/repos/{owner}/{repo}/branches/{branch}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const branch = req.params.branch as string;
      const sha = await repo.git.ref(`refs/heads/${branch}`);
      if (!sha) throw new HttpError(404, 'Branch not found');
      const protection = repo.protection.get(branch);
      const checks = protection?.requiredStatusChecks?.checks ?? [];
      return ok({
        name: branch,
        commit: { sha },
        protected:
          protection !== undefined || rulesetsFor(repo.rulesets, branch, repo.defaultBranch).length > 0,
        protection: {
          enabled: protection !== undefined,
          required_status_checks: {
            enforcement_level: protection?.requiredStatusChecks ? 'non_admins' : 'off',
            contexts: checks.map((c) => c.context),
            checks: checks.map((c) => ({ context: c.context, app_id: c.appId })),
          },
        },
        protection_url: `${hub.htmlUrl(repo)}/branches/${branch}/protection`,
      });
    },
  },
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
  {
    // docs "Create or update file contents": `sha` of the blob replaced (409 when stale); the
    // branch's rules apply like any push ("Could not update file: <reason>").
    method: 'PUT',
    template: '/repos/{owner}/{repo}/contents/{path}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      requirePermission(hub, req, 'contents', 'write');
      const path = req.params.path as string;
      const branch = typeof req.body.branch === 'string' ? req.body.branch : repo.defaultBranch;
      const head = await repo.git.ref(`refs/heads/${branch}`);
      if (!head) throw new HttpError(404, `Branch ${branch} not found`);
      const current = await repo.git.blobAt(head, path);
      if ((current ?? null) !== ((req.body.sha as string | undefined) ?? null))
        throw new HttpError(409, `${path} does not match ${String(req.body.sha ?? '(none)')}`);
      const blob = await repo.git.writeBlob(Buffer.from(String(req.body.content ?? ''), 'base64'));
      const tree = await repo.git.createTree(head, [{ path, mode: '100644', sha: blob }]);
      const sha = await repo.git.commitTree({
        tree,
        parents: [head],
        message: String(req.body.message ?? `Update ${path}`),
        author: { name: req.actor.login, email: `${req.actor.login}@users.noreply.github.test` },
      });
      try {
        await hub.moveBranch(repo, branch, sha, head, req.actor);
      } catch (error) {
        if (error instanceof RefConflict) throw new HttpError(409, `${branch} moved; read ${path} again`);
        if (error instanceof HttpError && error.status === 422)
          throw new HttpError(409, `Could not update file: ${error.message}`);
        throw error;
      }
      return ok(
        { content: { path, sha: blob, type: 'file' }, commit: await commitJson(hub, repo, sha) },
        current ? 200 : 201,
      );
    },
  },
  {
    // docs "List commits": newest first from `sha` (a branch or SHA), every parent followed.
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const start = (await repo.git.ref(req.query.get('sha') ?? `refs/heads/${repo.defaultBranch}`)) ?? null;
      if (!start) throw new HttpError(404, 'Not Found');
      const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30) || 30);
      const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
      const shas = await repo.git.revList(start, page * perPage + 1);
      const rows = await Promise.all(
        shas.slice(0, page * perPage + 1).map((sha) => restCommitJson(hub, repo, sha)),
      );
      return paginate(req, rows, (items) => items);
    },
  },
  {
    // docs "Compare two commits": `base...head`; status ahead, behind, identical or diverged.
    method: 'GET',
    template: '/repos/{owner}/{repo}/compare/{basehead}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const [baseRef, headRef] = String(req.params.basehead).split('...');
      const base = baseRef ? await repo.git.ref(baseRef) : null;
      const head = headRef ? await repo.git.ref(headRef) : null;
      if (!base || !head) throw new HttpError(404, 'Not Found');
      const mergeBase = await repo.git.mergeBase(base, head);
      const count = async (from: string | null, to: string) =>
        from === to
          ? 0
          : Number((await repo.git.git(['rev-list', '--count', from ? `${from}..${to}` : to])).stdout.trim());
      const aheadBy = await count(mergeBase, head);
      const behindBy = await count(mergeBase, base);
      const status =
        aheadBy === 0 && behindBy === 0
          ? 'identical'
          : aheadBy === 0
            ? 'behind'
            : behindBy === 0
              ? 'ahead'
              : 'diverged';
      return ok({
        status,
        ahead_by: aheadBy,
        behind_by: behindBy,
        total_commits: aheadBy,
        merge_base_commit: mergeBase ? await commitJson(hub, repo, mergeBase) : null,
        base_commit: await commitJson(hub, repo, base),
        commits: [],
        files: [],
      });
    },
  },
];
