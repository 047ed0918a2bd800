/**
 * Webhook deliveries the way GitHub makes them: JSON POSTs with `X-GitHub-Event`,
 * `X-GitHub-Delivery` and `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app's
 * secret). Payloads start from @octokit/webhooks-examples (so every field GitHub sends is there, with
 * its type) and carry the stand-in's repository, refs, PRs and check runs; a test validates them
 * against @octokit/webhooks-schemas. Deliveries can be dropped on purpose (fault injection): GitHub
 * never retries, so the app must recover through its resync.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Actor, Comment, Hub, HubEvent, Issue, Pull, Repo } from './hub.js';
import type { Review } from './reviews.js';
import { checkRunJson, commentJson, issueJson, reviewJson } from './routes.js';

const require = createRequire(import.meta.url);
type Payload = Record<string, unknown>;
const EXAMPLES = require('@octokit/webhooks-examples') as { name: string; examples: Payload[] }[];

/** A deep copy of an example of `event` (with `action`), preferring ones that carry an installation. */
function example(event: string, action?: string): Payload {
  const all = EXAMPLES.find((e) => e.name === event)?.examples ?? [];
  const candidates = all.filter((x) => action === undefined || x.action === action);
  // Prefer an example with an installation; else the most complete one (older examples lack fields).
  const found =
    candidates.find((x) => x.installation) ??
    [...candidates].sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length)[0];
  if (!found) throw new Error(`no webhook example for ${event}.${action ?? ''}`);
  return structuredClone(found);
}

export interface Delivery {
  readonly id: string;
  readonly event: string;
  readonly action: string | null;
  readonly payload: Payload;
  readonly atMs: number;
  /** HTTP status the app answered, 0 for a network error, null when dropped on purpose. */
  status: number | null;
}

/** Builds the payload of one hub event, or null for events GitHub would not send to the app. */
export function payloadOf(hub: Hub, event: HubEvent): { name: string; payload: Payload } | null {
  switch (event.kind) {
    case 'push':
      return { name: 'push', payload: pushPayload(hub, event) };
    case 'pull_request':
      return {
        name: 'pull_request',
        payload: pullPayload(hub, event.repo, event.pull, event.action, event.label),
      };
    case 'check_run': {
      if (event.action === 'created') return null;
      const payload = base(hub, event.repo, example('check_run', 'rerequested'));
      payload.action = event.action;
      const run = payload.check_run as Payload;
      const { app: _app, ...fields } = checkRunJson(hub, event.repo, event.run);
      Object.assign(run, fields, {
        details_url: `${hub.htmlUrl(event.repo)}/runs/${event.run.id}`,
        external_id: '',
        node_id: `CR_${event.run.id}`,
        url: `${hub.htmlUrl(event.repo)}/runs/${event.run.id}`,
        pull_requests: [],
      });
      const suite = run.check_suite as Payload;
      Object.assign(suite, {
        head_sha: event.run.headSha,
        status: 'completed',
        conclusion: event.run.conclusion,
        pull_requests: [],
      });
      (run.output as Payload).annotations_url = `${hub.htmlUrl(event.repo)}/runs/${event.run.id}/annotations`;
      (run.output as Payload).text = null;
      const app = { ...appTemplate(), id: event.run.appId };
      run.app = app;
      suite.app = app;
      return { name: 'check_run', payload };
    }
    case 'issue_comment':
      return { name: 'issue_comment', payload: commentPayload(hub, event.repo, event.comment, event.isPull) };
    case 'pull_request_review':
      return {
        name: 'pull_request_review',
        payload: reviewPayload(hub, event.repo, event.pull, event.review),
      };
    case 'issues':
      return {
        name: 'issues',
        payload: issuePayload(hub, event.repo, event.issue, event.action, event.sender, event.previousBody),
      };
  }
}

function reviewPayload(hub: Hub, repo: Repo, pull: Pull, review: Review): Payload {
  const payload = base(hub, repo, example('pull_request_review', 'submitted'));
  const pr = pullPayload(hub, repo, pull, 'opened').pull_request as Payload;
  const json = payload.review as Payload;
  const rendered = reviewJson(hub, repo, review);
  Object.assign(json, {
    id: review.id,
    body: review.body,
    state: review.state.toLowerCase(),
    commit_id: review.commitId,
    submitted_at: review.submittedAt,
    html_url: rendered.html_url,
    user: userOf({ login: review.user, type: 'User' }, json.user as Payload),
  });
  // The review payload's pull_request is the "simple" shape: drop fields it does not carry.
  const simple = payload.pull_request as Payload;
  for (const key of Object.keys(simple)) if (key in pr) simple[key] = pr[key];
  payload.action = 'submitted';
  payload.sender = userOf({ login: review.user, type: 'User' }, payload.sender as Payload);
  return payload;
}

function issuePayload(
  hub: Hub,
  repo: Repo,
  issue: Issue,
  action: string,
  sender: Actor,
  previousBody: string | undefined,
): Payload {
  const payload = base(hub, repo, example('issues', action));
  const json = payload.issue as Payload;
  const rendered = issueJson(hub, repo, issue);
  Object.assign(json, {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    html_url: rendered.html_url,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.state === 'closed' ? issue.updatedAt : null,
    labels: issue.labels.map((name, i) => ({ ...labelTemplate(), id: i + 1, name })),
    user: userOf(issue.user, json.user as Payload),
  });
  // docs "Webhook events and payloads", issues.edited: `changes.body.from` is the previous body;
  // `sender` is who edited it (not the issue's author).
  if (action === 'edited') payload.changes = { body: { from: previousBody ?? '' } };
  payload.action = action;
  payload.sender = userOf(sender, payload.sender as Payload);
  return payload;
}

function base(hub: Hub, repo: Repo, payload: Payload): Payload {
  const repository = payload.repository as Payload;
  const owner = repository.owner as Payload;
  Object.assign(owner, { login: repo.owner, ...(owner.name !== undefined ? { name: repo.owner } : {}) });
  Object.assign(repository, {
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    html_url: hub.htmlUrl(repo),
    default_branch: repo.defaultBranch,
    ...(repository.master_branch !== undefined ? { master_branch: repo.defaultBranch } : {}),
  });
  payload.installation = { id: hub.app.installationId, node_id: `INST_${hub.app.installationId}` };
  if (payload.organization) (payload.organization as Payload).login = repo.owner;
  return payload;
}

function userOf(actor: { login: string; type: 'User' | 'Bot' }, template: Payload): Payload {
  return { ...template, login: actor.login, type: actor.type };
}

function pushPayload(hub: Hub, event: Extract<HubEvent, { kind: 'push' }>): Payload {
  const payload = base(hub, event.repo, example('push'));
  const zero = '0'.repeat(40);
  Object.assign(payload, {
    ref: event.ref,
    before: event.before,
    after: event.after,
    created: event.before === zero,
    deleted: event.after === zero,
    forced: false,
    base_ref: null,
    compare: `${hub.htmlUrl(event.repo)}/compare/${event.before.slice(0, 12)}...${event.after.slice(0, 12)}`,
    commits: [],
    head_commit: null,
    pusher: { name: event.sender.login, email: null },
  });
  payload.sender = userOf(event.sender, payload.sender as Payload);
  return payload;
}

function pullPayload(hub: Hub, repo: Repo, pull: Pull, action: string, label?: string): Payload {
  const payload = base(hub, repo, example('pull_request', action));
  const json = payload.pull_request as Payload;
  const head = json.head as Payload;
  const baseRef = json.base as Payload;
  Object.assign(head, {
    ref: pull.headRef,
    sha: pull.headSha,
    label: `${pull.headRepo.owner}:${pull.headRef}`,
  });
  Object.assign(baseRef, { ref: pull.baseRef, label: `${repo.owner}:${pull.baseRef}` });
  if (baseRef.repo) base(hub, repo, { repository: baseRef.repo, installation: null });
  if (head.repo) {
    base(hub, pull.headRepo, { repository: head.repo, installation: null });
    (head.repo as Payload).fork = pull.headRepo.forkOf !== null;
  }
  Object.assign(json, {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    draft: pull.draft,
    html_url: `${hub.htmlUrl(repo)}/pull/${pull.number}`,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merged: pull.mergedAt !== null,
    merge_commit_sha: pull.mergeCommitSha,
    labels: pull.labels.map((name, i) => ({
      ...((json.labels as Payload[])[0] ?? labelTemplate()),
      id: i + 1,
      name,
    })),
  });
  payload.number = pull.number;
  payload.action = action;
  if (label !== undefined)
    payload.label = { ...((payload.label as Payload) ?? labelTemplate()), name: label };
  return payload;
}

function labelTemplate(): Payload {
  return { id: 1, node_id: 'LA_1', url: '', name: '', color: 'ededed', default: false, description: null };
}

function commentPayload(hub: Hub, repo: Repo, comment: Comment, isPull: boolean): Payload {
  const payload = base(hub, repo, example('issue_comment', 'created'));
  const issue = payload.issue as Payload;
  issue.number = comment.issueNumber;
  issue.html_url = `${hub.htmlUrl(repo)}/${isPull ? 'pull' : 'issues'}/${comment.issueNumber}`;
  if (isPull) {
    const url = String(issue.html_url);
    issue.pull_request = {
      url,
      html_url: url,
      diff_url: `${url}.diff`,
      patch_url: `${url}.patch`,
      merged_at: null,
    };
  } else delete issue.pull_request;
  const json = payload.comment as Payload;
  const rendered = commentJson(hub, repo, comment);
  Object.assign(json, {
    id: comment.id,
    body: comment.body,
    html_url: rendered.html_url,
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    user: userOf(comment.user, json.user as Payload),
    performed_via_github_app: comment.user.appId ? { ...appTemplate(), id: comment.user.appId } : null,
  });
  payload.sender = userOf(comment.user, payload.sender as Payload);
  return payload;
}

function appTemplate(): Payload {
  const run = example('check_run', 'rerequested').check_run as Payload;
  return { ...(run.app as Payload), created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
}

/** Sends hub events to a webhook URL, signed, recording every delivery. */
export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  /** Share of deliveries dropped on purpose (0..1). */
  dropRate = 0;
  readonly #hub: Hub;
  readonly #url: () => string | null;
  readonly #secret: string;
  readonly #random: () => number;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: { hub: Hub; url: () => string | null; secret: string; random?: () => number }) {
    this.#hub = options.hub;
    this.#url = options.url;
    this.#secret = options.secret;
    this.#random = options.random ?? Math.random;
    options.hub.on('event', (event) => this.#enqueue(event));
  }

  /** Resolves when every delivery so far has been attempted. */
  settled(): Promise<void> {
    return this.#chain;
  }

  #enqueue(event: HubEvent): void {
    const built = payloadOf(this.#hub, event);
    if (!built) return;
    const delivery: Delivery = {
      id: randomUUID(),
      event: built.name,
      action: typeof built.payload.action === 'string' ? built.payload.action : null,
      payload: built.payload,
      atMs: Date.now(),
      status: null,
    };
    this.deliveries.push(delivery);
    if (this.#random() < this.dropRate) return;
    // In order, one at a time, like GitHub's per-hook queue (and never blocking the API response).
    this.#chain = this.#chain.then(() => this.#send(delivery));
  }

  async #send(delivery: Delivery): Promise<void> {
    const url = this.#url();
    if (!url) return;
    const body = JSON.stringify(delivery.payload);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/stand-in',
          'x-github-event': delivery.event,
          'x-github-delivery': delivery.id,
          'x-hub-signature-256': sign(this.#secret, body),
          'x-github-hook-installation-target-type': 'integration',
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      delivery.status = response.status;
    } catch {
      delivery.status = 0;
    }
  }
}

/** `sha256=<hex HMAC-SHA256(secret, body)>` (docs: "Validating webhook deliveries"). */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
