/**
 * Runs the `/coordinator` commands of one new comment: authorize each (write permission for
 * mutating verbs, cached), carry it out where intent lives in GitHub (labels on the PR, status
 * commits on the base branch, the `Merge queue` check), then answer once: a 👍 reaction when any
 * command was accepted (👎 when none was), and one reply comment when something changed, was
 * refused or asked for text (`status`, `help`). The app's own comments never get here.
 */

import type { Logger } from 'probot';
import type { BlobCache } from '../../adapters/github/blob-cache.js';
import type { Octokit, RepoRef } from '../../adapters/github/octokit.js';
import type { PermissionCache } from '../../adapters/github/permissions.js';
import { readRepoConfig } from '../../adapters/github/read-config.js';
import { readBaseRules } from '../../adapters/github/read-rules.js';
import { type BaseState, readBase } from '../../adapters/github/read-snapshot.js';
import type { Fence } from '../../adapters/store/outbox-store.js';
import type { RepoConfig } from '../../config/repo-config.js';
import { authorize } from '../../domain/commands/authorize.js';
import { type Command, parseComment } from '../../domain/commands/parse-commands.js';
import type { CoordinatorEvent } from '../../domain/merge/types.js';
import { type BasePolicy, basePolicy, statusRoute } from '../../domain/rules/branch-rules.js';
import { contextOf, type Notifier } from '../notifier.js';
import { runVerb } from './verbs.js';

/** A new comment, as the handler saw it. */
export interface CommentEvent {
  readonly repo: RepoRef;
  readonly issueNumber: number;
  readonly isPull: boolean;
  /** The comment's id; 0 for a command ticked on the dashboard issue (nothing to react to). */
  readonly commentId: number;
  readonly commentUrl: string;
  readonly body: string;
  readonly author: string;
}

export interface CommandDeps {
  /** The app's id: its own check runs are found by it. */
  readonly appId: number;
  /** The app's slug (`GET /app`): bypass allowances name apps by slug. */
  readonly appSlug: () => Promise<string>;
  readonly blobs: BlobCache;
  readonly permissions: PermissionCache;
  readonly notifier: Notifier | null;
  /** The repository's lease: events are journaled only while it is held. */
  readonly fence?: Fence;
  readonly log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Reconcile the repository (after a change, or for `sync`). */
  readonly poke: () => void;
}

/** What one command did. */
export interface VerbOutcome {
  readonly accepted: boolean;
  /** Whether GitHub state changed (labels, a status commit, a check run, a notification). */
  readonly changed: boolean;
  /** Whether the repository needs a reconcile afterwards (default: when something changed). */
  readonly reconcile?: boolean;
  /** A line (or block) for the reply; null for nothing to say. */
  readonly text: string | null;
  readonly events?: readonly CoordinatorEvent[];
}

/** Lazily read, shared by the commands of one comment. */
export interface CommandScope {
  readonly octokit: Octokit;
  readonly comment: CommentEvent;
  readonly deps: CommandDeps;
  readonly config: () => Promise<RepoConfig>;
  readonly base: () => Promise<BaseState>;
  readonly pull: () => Promise<PullInfo>;
  /** The base branch's rules, and how a status commit may reach the base under them. */
  readonly rules: () => Promise<{ route: 'direct' | 'staging' | 'refused'; policy: BasePolicy }>;
}

export interface PullInfo {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly labels: readonly string[];
  readonly url: string;
  readonly state: string;
  /** Whether the head branch lives in another repository. */
  readonly fromFork: boolean;
}

/** Thrown inside a verb to refuse it with a reason (it becomes a line of the reply). */
export class CommandRefusal extends Error {
  override readonly name = 'CommandRefusal';
}

const REPLY_MARKER = '<!-- taskgraph-coordinator:reply -->';

/**
 * Runs every command of a comment.
 * @returns accepted and refused counts and the reply posted (null: none). @throws octokit errors
 *   other than refusals (the handler logs them; Probot's retry does not apply to comments).
 */
export async function runComment(
  deps: CommandDeps,
  octokit: Octokit,
  comment: CommentEvent,
): Promise<{ accepted: number; refused: number; reply: string | null }> {
  const parsed = parseComment(comment.body);
  if (parsed.commands.length === 0 && parsed.errors.length === 0)
    return { accepted: 0, refused: 0, reply: null };
  const { repo } = comment;

  const scope: CommandScope = {
    octokit,
    comment,
    deps,
    config: once(async () => {
      const result = await readRepoConfig(octokit, repo);
      if (result.ok) return result.config;
      const keys = result.problems.map((p) => `\`${p.key}\` ${p.message}`).join('; ');
      throw new CommandRefusal(`\`.github/coordinator.yml\` is invalid (${keys}); fix it first`);
    }),
    base: once(async () => readBase({ octokit, repo, config: await scope.config(), blobs: deps.blobs })),
    pull: once(async () => {
      if (!comment.isPull) throw new CommandRefusal('this works only in a task PR, not in an issue');
      const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: comment.issueNumber });
      return {
        number: data.number,
        title: data.title,
        body: data.body ?? '',
        headRef: data.head.ref,
        headSha: data.head.sha,
        labels: data.labels.map((l) => l.name),
        url: data.html_url,
        state: data.state,
        fromFork:
          (data.head.repo?.full_name ?? '').toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase(),
      };
    }),
    rules: once(async () => {
      const base = await scope.base();
      const rules = await readBaseRules(octokit, repo, base.baseBranch);
      const policy = basePolicy(rules, { slug: await deps.appSlug(), branch: base.baseBranch });
      return { route: statusRoute(policy), policy };
    }),
  };

  const lines: string[] = parsed.errors.map((e) => `❌ \`${e.text}\`: ${e.message}`);
  let accepted = 0;
  let changed = false;
  let reconcile = false;
  const events: CoordinatorEvent[] = [];
  const mutating = parsed.commands.some((c) => c.verb !== 'status' && c.verb !== 'help');
  const permission = mutating
    ? await deps.permissions.permission(octokit, repo, comment.author)
    : ('read' as const);

  for (const command of parsed.commands) {
    const verdict = authorize({ verb: command.verb, permission, isSelf: false });
    if (!verdict.allowed) {
      lines.push(`❌ \`${command.verb}\`: ${verdict.reason}`);
      continue;
    }
    const outcome = await runOne(scope, command);
    if (outcome.accepted) accepted++;
    if (outcome.changed) changed = true;
    if (outcome.reconcile ?? outcome.changed) reconcile = true;
    if (outcome.text !== null) lines.push(outcome.text);
    events.push(...(outcome.events ?? []));
  }
  const refused = parsed.commands.length + parsed.errors.length - accepted;

  if (events.length > 0 && deps.notifier) await publish(scope, deps.notifier, events);
  // A dashboard checkbox has no comment to react to (commentId 0); its reply says what happened.
  if (comment.commentId > 0) await react(octokit, repo, comment.commentId, accepted > 0 ? '+1' : '-1');
  // `adopt` answers what the scan found even when nothing changed (which PR, or nothing to adopt).
  const wantsText = parsed.commands.some(
    (c) => c.verb === 'status' || c.verb === 'help' || c.verb === 'adopt',
  );
  const reply =
    lines.length > 0 && (changed || refused > 0 || wantsText || comment.commentId === 0)
      ? `${lines.join('\n\n')}\n\n${REPLY_MARKER}`
      : null;
  if (reply !== null)
    await octokit.rest.issues.createComment({ ...repo, issue_number: comment.issueNumber, body: reply });
  if (reconcile) deps.poke();
  deps.log.info(
    { repo: `${repo.owner}/${repo.repo}`, comment: comment.commentId, accepted, refused },
    'comment commands',
  );
  return { accepted, refused, reply };
}

async function runOne(scope: CommandScope, command: Command): Promise<VerbOutcome> {
  try {
    return await runVerb(scope, command);
  } catch (error) {
    if (error instanceof CommandRefusal)
      return { accepted: false, changed: false, text: `❌ \`${command.verb}\`: ${error.message}` };
    throw error;
  }
}

async function publish(scope: CommandScope, notifier: Notifier, events: readonly CoordinatorEvent[]) {
  const { owner, repo } = scope.comment.repo;
  const base = await scope.base();
  const config = await scope.config();
  const pulls = scope.comment.isPull
    ? [await scope.pull().then((p) => ({ number: p.number, labels: p.labels, url: p.url }))]
    : [];
  await notifier.publish(
    contextOf({ owner, repo, config, pulls, ...base }, notifier.knownChannels(owner)),
    events,
    scope.deps.fence,
  );
}

/** Reactions: docs "Create reaction for an issue comment" (201 new, 200 already there). */
async function react(
  octokit: Octokit,
  repo: RepoRef,
  commentId: number,
  content: '+1' | '-1',
): Promise<void> {
  await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content });
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load();
    return value;
  };
}
