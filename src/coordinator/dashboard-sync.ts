/**
 * The dashboard issue and the after-action review, as a reconcile's side effects: the body is
 * rewritten when it changed, and when the graph completes (whoever completed the last task) the
 * review is posted there once, before `graph.completed` is journaled, so a failed post is retried.
 */
import { postReview, syncDashboard } from '../adapters/github/dashboard-issue.js';
import { isRefusal } from '../adapters/github/errors.js';
import type { Octokit, RepoRef } from '../adapters/github/octokit.js';
import type { SettledSet } from '../adapters/github/read-staging.js';
import type { OutboxStore } from '../adapters/store/outbox-store.js';
import { dashboardBody } from '../domain/merge/dashboard.js';
import type { CoordinatorEvent, RepoSnapshot } from '../domain/merge/types.js';
import { afterActionReview, reviewMarkdown } from '../domain/notify/aar.js';
import { BranchIndex } from '../domain/tasks/branch-names.js';

export interface DashboardDeps {
  readonly log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  readonly now: () => number;
  readonly journal?: Pick<OutboxStore, 'unannounced' | 'events'>;
  /** Remembers refusals (bounded): a dashboard GitHub refused is tried again only after `REFUSAL_COOL_OFF_MS`. */
  readonly settled?: SettledSet;
}

/** How long a refused (4xx) dashboard write is not tried again, ms: the fix needs a person. */
export const REFUSAL_COOL_OFF_MS = 10 * 60_000;

/**
 * Brings the dashboard up to date (`dashboard.enabled`, repositories with a task graph) and posts
 * the review when `events` complete the graph for the first time.
 * @returns the keys of events not to journal yet (their side effect failed), and whether anything
 *   failed (the reconcile retries after a backoff).
 */
export async function syncDashboardIssue(
  deps: DashboardDeps,
  octokit: Octokit,
  repo: RepoRef,
  snapshot: RepoSnapshot,
  events: readonly CoordinatorEvent[],
): Promise<{ held: Set<string>; failed: boolean; error?: unknown }> {
  const held = new Set<string>();
  const { dashboard, branches } = snapshot.config;
  if (!dashboard.enabled || snapshot.loaded.graph.ids.length === 0) return { held, failed: false };
  const name = `${repo.owner}/${repo.repo}`;
  const completed = events.find((e) => e.type === 'graph.completed');
  const coolOff = `dashboard-refused:${name}:${Math.floor(deps.now() / REFUSAL_COOL_OFF_MS)}`;
  // Cooling off after a refusal: graph.completed still waits for its review.
  if (deps.settled?.has(coolOff)) return { held: new Set(completed ? [completed.key] : []), failed: false };
  try {
    const index = new BranchIndex(snapshot.loaded.graph.ids, branches.prefixes);
    const { done, number } = await syncDashboard(octokit, repo, {
      title: dashboard.title,
      body: dashboardBody(snapshot, index, dashboard.title),
    });
    if (done !== 'unchanged') deps.log.info({ repo: name, done, issue: number }, 'dashboard issue');
    if (completed && deps.journal && (await deps.journal.unannounced(name, [completed.key])).length > 0) {
      held.add(completed.key);
      const history = await deps.journal.events(name);
      const review = afterActionReview({ name, history, loaded: snapshot.loaded, nowMs: deps.now() });
      if (await postReview(octokit, repo, number, reviewMarkdown(review)))
        deps.log.info({ repo: name, issue: number }, 'after-action review posted');
      held.delete(completed.key);
    }
    return { held, failed: false };
  } catch (error) {
    deps.log.error(
      { repo: name, err: error },
      'cannot write the dashboard issue or its review (the app needs issues: write)',
    );
    // A refusal (a permission, a rule) is not retried on every reconcile; it is alerted once.
    if (isRefusal(error)) deps.settled?.add(coolOff);
    return { held, failed: true, error };
  }
}
