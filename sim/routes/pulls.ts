/**
 * Pull request routes: list, open, read, files, merge (`PUT .../merge`: 405 not mergeable or a rule
 * refuses, 409 head moved), update-branch (202), and reviews (`GET/POST .../reviews`).
 */
import { RefConflict } from '../git.js';
import { HttpError } from '../hub.js';
import {
  ok,
  paginate,
  pullJson,
  pullOf,
  type Route,
  repoOf,
  requirePermission,
  reviewJson,
} from './shared.js';

export const PULL_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const state = req.query.get('state') ?? 'open';
      const base = req.query.get('base');
      // docs "List pull requests": `head` is `user:ref-name` (the head repository's owner and branch).
      const head = req.query.get('head');
      const [headOwner, headRef] = head?.includes(':') ? head.split(/:(.*)/s) : [null, null];
      let pulls = [...repo.pulls.values()].filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (!base || p.baseRef === base) &&
          (!head || (p.headRepo.owner.toLowerCase() === headOwner?.toLowerCase() && p.headRef === headRef)),
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
      requirePermission(hub, req, 'contents', 'write');
      const baseSha = (await repo.git.ref(`refs/heads/${pull.baseRef}`)) as string;
      const merged = await repo.git.mergeTrees(baseSha, pull.headSha);
      if ('conflicts' in merged) throw new HttpError(405, 'Pull Request is not mergeable');
      const method = String(req.body.merge_method ?? 'merge');
      // squash and rebase write one commit on the base (rebase of several commits is simplified to one)
      const sha = await repo.git.commitTree({
        tree: merged.tree,
        parents: method === 'merge' ? [baseSha, pull.headSha] : [baseSha],
        message:
          // GitHub's default title names the head: "Merge pull request #N from owner/branch".
          `${req.body.commit_title ?? `Merge pull request #${pull.number} from ${pull.headRepo.owner}/${pull.headRef}`}\n\n${req.body.commit_message ?? ''}`.trim(),
        author: { name: req.actor.login, email: `${req.actor.login}@users.noreply.github.test` },
      });
      try {
        await hub.moveBranch(repo, pull.baseRef, sha, baseSha, req.actor, { via: 'merge-pull', pull });
      } catch (error) {
        if (error instanceof RefConflict)
          throw new HttpError(405, 'Base branch was modified. Try the merge again.');
        throw error;
      }
      if (pull.state === 'open') hub.closePull(repo, pull, sha, req.actor);
      return ok({ sha, merged: true, message: 'Pull Request successfully merged' });
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, req);
      if (pull.headRepo !== repo)
        throw new HttpError(422, 'This branch belongs to a fork and does not allow edits from maintainers.');
      if (req.body.expected_head_sha && req.body.expected_head_sha !== pull.headSha)
        throw new HttpError(422, 'expected_head_sha does not match the head of the pull request');
      const baseSha = (await repo.git.ref(`refs/heads/${pull.baseRef}`)) as string;
      const merged = await repo.git.mergeTrees(pull.headSha, baseSha);
      if ('conflicts' in merged) throw new HttpError(422, 'merge conflict between base and head');
      const sha = await repo.git.commitTree({
        tree: merged.tree,
        parents: [pull.headSha, baseSha],
        message: `Merge branch '${pull.baseRef}' into ${pull.headRef}`,
        author: { name: req.actor.login, email: `${req.actor.login}@users.noreply.github.test` },
      });
      await hub.moveBranch(repo, pull.headRef, sha, pull.headSha, req.actor);
      return ok(
        { message: 'Updating pull request branch.', url: `${hub.htmlUrl(repo)}/pull/${pull.number}` },
        202,
      );
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, req);
      const rows = repo.reviews.filter((r) => r.pull === pull.number).map((r) => reviewJson(hub, repo, r));
      return paginate(req, rows, (items) => items);
    },
  },
  {
    // docs "Create a review for a pull request": event APPROVE, REQUEST_CHANGES or COMMENT; an app
    // may not approve (GitHub refuses apps approving their own work; the stand-in refuses apps).
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const pull = pullOf(repo, req);
      const event = String(req.body.event ?? 'COMMENT');
      if (!['APPROVE', 'REQUEST_CHANGES', 'COMMENT'].includes(event))
        throw new HttpError(422, 'Unprocessable Entity: event must be APPROVE, REQUEST_CHANGES or COMMENT');
      if (req.actor.appId !== undefined && event !== 'COMMENT')
        throw new HttpError(422, 'Unprocessable Entity: an app cannot approve or request changes here');
      if (pull.user.login === req.actor.login && event !== 'COMMENT')
        throw new HttpError(422, 'Unprocessable Entity: Can not approve your own pull request');
      const review = hub.submitReview(
        repo,
        pull,
        {
          event: event as 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT',
          body: String(req.body.body ?? ''),
          ...(typeof req.body.commit_id === 'string' ? { commitId: req.body.commit_id } : {}),
        },
        req.actor,
      );
      return ok(reviewJson(hub, repo, review));
    },
  },
];
