/** Issue routes: comments, labels, reactions, and issues themselves (the dashboard issue). */
import { HttpError, type Pull, type Repo } from '../hub.js';
import {
  commentJson,
  issueJson,
  labelJson,
  ok,
  paginate,
  pullOf,
  type Request,
  type Route,
  repoOf,
  requirePermission,
} from './shared.js';

export const ISSUE_ROUTES: readonly Route[] = [
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
      const labels = (Array.isArray(req.body.labels) ? req.body.labels : []) as string[];
      const target = labelled(repo, req);
      if (target.kind === 'pull') hub.setLabels(repo, target.pull, labels, [], req.actor);
      else
        hub.editIssue(
          repo,
          target.issue,
          { labels: [...new Set([...target.issue.labels, ...labels])] },
          req.actor,
        );
      return ok(currentLabels(target).map(labelJson));
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const name = req.params.name as string;
      const target = labelled(repo, req);
      if (!currentLabels(target).includes(name)) throw new HttpError(404, 'Label does not exist');
      if (target.kind === 'pull') hub.setLabels(repo, target.pull, [], [name], req.actor);
      else
        hub.editIssue(
          repo,
          target.issue,
          { labels: target.issue.labels.filter((l) => l !== name) },
          req.actor,
        );
      return ok(currentLabels(target).map(labelJson));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      // docs "Create an issue": an app needs the Issues repository permission (write).
      requirePermission(hub, req, 'issues', 'write');
      if (typeof req.body.title !== 'string' || req.body.title === '')
        throw new HttpError(422, 'Validation Failed: title is missing');
      const issue = hub.openIssue(
        repo,
        {
          title: req.body.title,
          body: String(req.body.body ?? ''),
          labels: (Array.isArray(req.body.labels) ? req.body.labels : []).map(String),
        },
        req.actor,
      );
      return ok(issueJson(hub, repo, issue), 201);
    },
  },
  {
    // docs "List repository issues": PRs are issues too (they carry `pull_request`).
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const state = req.query.get('state') ?? 'open';
      const labels = (req.query.get('labels') ?? '').split(',').filter(Boolean);
      const creator = req.query.get('creator');
      const rows = [
        ...[...repo.issues.values()].map((i) => ({
          number: i.number,
          state: i.state,
          labels: i.labels,
          user: i.user.login,
          json: issueJson(hub, repo, i),
        })),
        ...[...repo.pulls.values()].map((p) => ({
          number: p.number,
          state: p.state,
          labels: p.labels,
          user: p.user.login,
          json: {
            number: p.number,
            title: p.title,
            state: p.state,
            labels: p.labels.map(labelJson),
            user: { login: p.user.login, type: p.user.type },
            pull_request: { url: `${hub.htmlUrl(repo)}/pull/${p.number}` },
          },
        })),
      ]
        .filter((r) => (state === 'all' || r.state === state) && labels.every((l) => r.labels.includes(l)))
        .filter((r) => !creator || r.user === creator)
        .sort((a, b) => b.number - a.number)
        .map((r) => r.json);
      return paginate(req, rows, (items) => items);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const issue = repo.issues.get(Number(req.params.issue_number));
      if (!issue) throw new HttpError(404, 'Not Found');
      return ok(issueJson(hub, repo, issue));
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const issue = repo.issues.get(Number(req.params.issue_number));
      if (!issue) throw new HttpError(404, 'Not Found');
      // docs "Update an issue": Issues (write); the Issues API edits issues only, not PRs, here.
      requirePermission(hub, req, 'issues', 'write');
      const state = req.body.state === 'closed' || req.body.state === 'open' ? req.body.state : undefined;
      hub.editIssue(
        repo,
        issue,
        {
          ...(typeof req.body.title === 'string' ? { title: req.body.title } : {}),
          ...(typeof req.body.body === 'string' ? { body: req.body.body } : {}),
          ...(state ? { state } : {}),
          ...(Array.isArray(req.body.labels) ? { labels: req.body.labels.map(String) } : {}),
        },
        req.actor,
      );
      return ok(issueJson(hub, repo, issue));
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
];

type Labelled =
  | { kind: 'pull'; pull: Pull }
  | { kind: 'issue'; issue: NonNullable<ReturnType<Repo['issues']['get']>> };

function labelled(repo: Repo, req: Request): Labelled {
  const number = Number(req.params.issue_number);
  const issue = repo.issues.get(number);
  if (issue) return { kind: 'issue', issue };
  return {
    kind: 'pull',
    pull: pullOf(repo, { ...req, params: { ...req.params, pull_number: String(number) } }),
  };
}

function currentLabels(target: Labelled): string[] {
  return target.kind === 'pull' ? target.pull.labels : target.issue.labels;
}
