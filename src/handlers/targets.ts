/**
 * Webhook handlers only pick targets (Bulldozer's habit): each maps an event to the repositories to
 * reconcile and pokes them. No decisions are made here; the reconcile reads state and decides.
 */

import type { Probot } from 'probot';
import type { CommentEvent } from '../coordinator/commands/run-comment.js';
import { DASHBOARD_LABEL, DASHBOARD_MARKER, newlyTicked } from '../domain/merge/dashboard.js';

/** A repository to reconcile and the installation that reaches it. */
export interface Target {
  readonly owner: string;
  readonly repo: string;
  readonly installationId: number;
}

export type Poke = (target: Target, reason: { event: string; delivery: string }) => void;

/** A person pressed "Re-run" on one of the app's `Merge queue` runs (`check_run.rerequested`). */
export interface Rerequest {
  readonly target: Target;
  readonly run: {
    readonly id: number;
    readonly headSha: string;
    readonly conclusion: string | null;
    readonly title: string | null;
    readonly externalId: string | null;
  };
  readonly sender: string;
  readonly delivery: string;
}

/** A new comment that may hold `/coordinator` commands (never one of the app's own). */
export type NewComment = Omit<CommentEvent, 'repo'> & { readonly target: Target; readonly delivery: string };

interface RepoPayload {
  repository?: { name: string; owner: { login: string } };
  installation?: { id: number };
}

/** The repository of a repo-scoped payload, or null (no installation: not for this app). */
export function targetOf(payload: RepoPayload): Target | null {
  if (!payload.repository || !payload.installation) return null;
  return {
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    installationId: payload.installation.id,
  };
}

/**
 * Registers every handler.
 *
 * @param appId the app's id: check runs and suites the app itself wrote do not poke (no loops).
 */
export function registerHandlers(
  app: Probot,
  poke: Poke,
  appId: number,
  selfLogin: () => Promise<string | null>,
  onComment: (comment: NewComment) => Promise<void> = async () => {},
  onRerequest: (rerequest: Rerequest) => Promise<void> = async () => {},
): void {
  const repoEvent = (event: string, delivery: string, payload: RepoPayload) => {
    const target = targetOf(payload);
    if (target) poke(target, { event, delivery });
  };

  app.on(
    [
      'pull_request.opened',
      'pull_request.reopened',
      'pull_request.synchronize',
      'pull_request.ready_for_review',
      'pull_request.converted_to_draft',
      'pull_request.labeled',
      'pull_request.unlabeled',
      'pull_request.edited',
      'pull_request.closed',
      'pull_request_review.submitted',
      'pull_request_review.dismissed',
      'status',
    ],
    async (context) => repoEvent(context.name, context.id, context.payload as RepoPayload),
  );

  // The app's own pushes (status commits, promotions, staging) are followed by a reconcile of their
  // own, so their webhooks are skipped. Only Bot senders cost the one-time bot login lookup.
  app.on('push', async (context) => {
    const sender = (context.payload as { sender?: { type?: string; login?: string } }).sender;
    if (sender?.type === 'Bot' && sender.login === (await selfLogin())) return;
    repoEvent(context.name, context.id, context.payload as RepoPayload);
  });

  app.on(['check_run.completed', 'check_suite.completed'], async (context) => {
    const payload = context.payload as RepoPayload & {
      check_run?: { app?: { id: number } | null };
      check_suite?: { app?: { id: number } | null };
    };
    const author = payload.check_run?.app?.id ?? payload.check_suite?.app?.id;
    if (author === appId) return;
    repoEvent(context.name, context.id, payload);
  });

  // "Re-run" on one of the app's runs: on a failed `Merge queue` run it is a retry of that head;
  // on any other run of the app, a fresh reconcile judges it again. Other apps' runs are theirs.
  app.on('check_run.rerequested', async (context) => {
    const payload = context.payload as RepoPayload & {
      check_run: {
        id: number;
        name: string;
        head_sha: string;
        conclusion: string | null;
        external_id?: string | null;
        output?: { title?: string | null };
        app?: { id: number } | null;
      };
      sender?: { login?: string };
    };
    const target = targetOf(payload);
    const run = payload.check_run;
    if (!target || run.app?.id !== appId) return;
    if (run.name !== 'Merge queue' || !payload.sender?.login) {
      poke(target, { event: context.name, delivery: context.id });
      return;
    }
    await onRerequest({
      target,
      run: {
        id: run.id,
        headSha: run.head_sha,
        conclusion: run.conclusion,
        title: run.output?.title ?? null,
        externalId: run.external_id ?? null,
      },
      sender: payload.sender.login,
      delivery: context.id,
    });
  });

  app.on(['installation.created', 'installation_repositories.added'], async (context) => {
    const payload = context.payload as {
      installation: { id: number; account?: { login?: string } | null };
      repositories?: { name: string; full_name: string }[];
      repositories_added?: { name: string; full_name: string }[];
    };
    for (const repository of payload.repositories ?? payload.repositories_added ?? []) {
      const [owner] = repository.full_name.split('/');
      poke(
        { owner: owner as string, repo: repository.name, installationId: payload.installation.id },
        { event: context.name, delivery: context.id },
      );
    }
  });

  // Only new comments: edits and deletions never run commands (an edit must not replay them).
  // A ticked checkbox on the dashboard issue runs its command on that PR as the person who ticked
  // it (their permission decides); the next reconcile rewrites the body, which unticks it.
  app.on('issues.edited', async (context) => {
    const payload = context.payload as RepoPayload & {
      issue: { number: number; body?: string | null; html_url: string; labels?: { name: string }[] };
      changes?: { body?: { from?: string } };
      sender?: { login?: string; type?: string };
    };
    const target = targetOf(payload);
    const { issue, sender } = payload;
    const body = issue.body ?? '';
    if (!target || !sender?.login || !body.includes(DASHBOARD_MARKER)) return;
    if (!(issue.labels ?? []).some((l) => l.name === DASHBOARD_LABEL)) return;
    if (sender.type === 'Bot' && sender.login === (await selfLogin())) return;
    const actions = newlyTicked(payload.changes?.body?.from ?? '', body);
    for (const action of actions)
      await onComment({
        target,
        issueNumber: action.pull,
        isPull: true,
        commentId: 0,
        commentUrl: issue.html_url,
        body: `/coordinator ${action.verb}`,
        author: sender.login,
        delivery: context.id,
      });
    if (actions.length > 0) poke(target, { event: context.name, delivery: context.id });
  });

  app.on('issue_comment.created', async (context) => {
    const payload = context.payload as RepoPayload & {
      issue: { number: number; pull_request?: unknown };
      comment: {
        id: number;
        html_url: string;
        body?: string | null;
        user: { login: string; type?: string } | null;
        performed_via_github_app?: { id: number } | null;
      };
    };
    const target = targetOf(payload);
    const { comment } = payload;
    const body = comment.body ?? '';
    if (!target || !comment.user || !/\/coordinator/i.test(body)) return;
    if (comment.performed_via_github_app?.id === appId) return;
    if (comment.user.type === 'Bot' && comment.user.login === (await selfLogin())) return;
    await onComment({
      target,
      issueNumber: payload.issue.number,
      isPull: payload.issue.pull_request != null,
      commentId: comment.id,
      commentUrl: comment.html_url,
      body,
      author: comment.user.login,
      delivery: context.id,
    });
  });
}
