/**
 * Git Data routes: refs (compare-and-swap updates, 422 "Update is not a fast forward"), trees,
 * commits, blobs, and server-side merges (`POST /merges`: 201 merged, 204 nothing to merge, 409
 * conflict). Every ref move goes through the hub, so GitHub's branch rules apply to each.
 */
import { RefConflict } from '../git.js';
import { HttpError } from '../hub.js';
import {
  commitJson,
  headsBranch,
  ok,
  paginate,
  type Route,
  refJson,
  repoOf,
  requirePermission,
  restCommitJson,
} from './shared.js';

export const GIT_ROUTES: readonly Route[] = [
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
      requirePermission(hub, req, 'contents', 'write');
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
      requirePermission(hub, req, 'contents', 'write');
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
      requirePermission(hub, req, 'contents', 'write');
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
      requirePermission(hub, req, 'contents', 'write');
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
        author: { name: req.actor.login, email: `${req.actor.login}@users.noreply.github.test` },
      });
      try {
        await hub.moveBranch(repo, base, sha, baseSha, req.actor);
      } catch (error) {
        if (error instanceof RefConflict) throw new HttpError(409, 'Base moved during the merge');
        throw error;
      }
      // GitHub answers with the merge commit in the REST "Commit" shape (docs, "Merge a branch").
      return ok(await restCommitJson(hub, repo, sha), 201);
    },
  },
];
