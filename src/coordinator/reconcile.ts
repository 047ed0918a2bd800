/**
 * One reconcile of one repository: read config -> read snapshot -> plan (pure) -> execute. A broken
 * `.github/coordinator.yml` fails the `Task graph` check with the key and reason, and nothing else
 * happens in that repo. A dry run plans and logs, and writes nothing.
 */

import type { Logger } from 'probot';
import type { BlobCache } from '../adapters/github/blob-cache.js';
import { dispatchTaskReady } from '../adapters/github/dispatch.js';
import { refusedWrite } from '../adapters/github/errors.js';
import type { Octokit, RepoRef } from '../adapters/github/octokit.js';
import type { PermissionCache } from '../adapters/github/permissions.js';
import { readRepoConfig } from '../adapters/github/read-config.js';
import {
  type FirstReads,
  firstReadsSettled,
  readSnapshot,
  startFirstReads,
} from '../adapters/github/read-snapshot.js';
import type { SettledSet } from '../adapters/github/read-staging.js';
import { writeCheckRun } from '../adapters/github/write-check-run.js';
import type { Fence, OutboxStore } from '../adapters/store/outbox-store.js';
import { CONFIG_FILE } from '../config/repo-config.js';
import { configCheck } from '../domain/merge/check-runs.js';
import { taskReadyPayload } from '../domain/merge/dispatch.js';
import { planReconcile } from '../domain/merge/plan.js';
import { type RefusedWrite, refusedWriteEvent } from '../domain/merge/reports.js';
import type { CoordinatorEvent, Plan, RepoSnapshot } from '../domain/merge/types.js';
import { ADOPTION_SCANNED, adoptOnFirstSight, cleanUpAfterAdoption } from './adoption.js';
import { syncDashboardIssue } from './dashboard-sync.js';
import { executePlan } from './execute-plan.js';
import { contextOf, type Notifier } from './notifier.js';
import type { EventMark, Superseded } from './scheduler.js';

export interface ReconcileDeps {
  readonly appId: number;
  /** The app's slug (`GET /app`): bypass allowances name apps by slug. */
  readonly appSlug: () => Promise<string>;
  readonly blobs: BlobCache;
  /** Reviewers' write access, cached (required reviews count only those). */
  readonly permissions: PermissionCache;
  /** Follow-ups known to be done (bounded, in memory). */
  readonly settled: SettledSet;
  /** Server-wide dry run (`DRY_RUN`); a repo can also ask with `dry_run: true`. */
  readonly dryRun: boolean;
  /** Scan a repository for adoption on its first reconcile (`ADOPT_ON_FIRST_SIGHT`; default true). */
  readonly adoptOnFirstSight?: boolean;
  readonly log: Logger;
  /** The clock, ms since the epoch (injected so tests control time). */
  readonly now: () => number;
  /** Where events go (null: logged only). */
  readonly notifier: Notifier | null;
  /** The event journal: which events were announced already (task-ready dispatches go out once). */
  readonly journal?: Pick<OutboxStore, 'unannounced' | 'events'> & Partial<Pick<OutboxStore, 'recordEvent'>>;
  /**
   * Whether a newer event for this repository arrived since the snapshot's listing of the open PRs
   * answered, and the reconcile may yield to it (the scheduler's `Superseded`, marked then; absent:
   * never). Asked once the plan is made (a `wait` or a `start-batch` is then planned again at
   * once, from fresher state) and after the action (the derived writes are left to the next
   * reconcile).
   */
  readonly superseded?: Superseded;
}

export interface ReconcileResult {
  readonly plan: Plan | null;
  readonly outcome: string;
  /** Whether to reconcile again right away (an action changed state). */
  readonly reconcileAgain: boolean;
  /** Whether the repo has open task PRs, a batch or PR-less task branches (the resync keeps polling it). */
  readonly active: boolean;
  /** Side effects that failed (the caller reconciles again after a backoff). */
  readonly sideEffectsFailed?: readonly string[];
  /** Whether the plan's merge-affecting action was carried out (false: it lost a race, or none). */
  readonly actionTookEffect?: boolean;
  /** A batch staged by this reconcile (its own `start-batch`, or a promotion's `then`): its PRs. */
  readonly staged?: number;
  /** The reconcile yielded to a newer event (`superseded`): it is run again at once. */
  readonly yielded?: boolean;
}

/**
 * Reconciles `repo`. With `fence` (the repository's lease), journal and outbox writes happen only
 * while the lease is held.
 * @throws GitHub errors that the caller classifies (retry later or give up), and LeaseLostError.
 */
export async function reconcileRepo(
  deps: ReconcileDeps,
  octokit: Octokit,
  repo: RepoRef,
  fence?: Fence,
): Promise<ReconcileResult> {
  // The snapshot's first reads go out with the config read (they need nothing from it). None
  // outlives the reconcile, whichever way it ends.
  // An event that arrived before the open PRs' listing answered is in the snapshot, not newer.
  let mark: EventMark | undefined;
  const first = startFirstReads(octokit, repo, () => {
    mark = deps.superseded?.mark();
  });
  const { superseded } = deps;
  const newer = superseded ? () => superseded(mark) : undefined;
  try {
    return await reconcileWith(deps, octokit, repo, first, fence, newer);
  } finally {
    await firstReadsSettled(first);
  }
}

async function reconcileWith(
  deps: ReconcileDeps,
  octokit: Octokit,
  repo: RepoRef,
  first: FirstReads,
  fence: Fence | undefined,
  newer: (() => boolean) | undefined,
): Promise<ReconcileResult> {
  const configResult = await readRepoConfig(octokit, repo);
  if (!configResult.ok) {
    // The check goes on the default branch's head (the config names no other base it could read).
    const headSha = await (await first.forBranch).headSha;
    const run = configCheck({ problems: configResult.problems, headSha });
    if (!deps.dryRun) await writeCheckRun(octokit, repo, run);
    return {
      plan: null,
      outcome: `invalid ${CONFIG_FILE}: ${configResult.problems.map((p) => p.key).join(', ')}`,
      reconcileAgain: false,
      active: false,
    };
  }
  const config = configResult.config;
  const snapshotInput = {
    octokit,
    repo,
    config,
    app: { id: deps.appId, slug: await deps.appSlug() },
    blobs: deps.blobs,
    permissions: deps.permissions,
    settled: deps.settled,
    nowMs: deps.now(),
  };
  let read = await readSnapshot({ ...snapshotInput, first });
  // On the first sight of a repository with a task graph, what git says was merged is proposed as
  // one adoption PR before anything is announced, so tasks merged long ago are never called ready.
  const adoption =
    deps.dryRun ||
    config.dry_run ||
    deps.adoptOnFirstSight === false ||
    read.snapshot.loaded.graph.ids.length === 0
      ? null
      : await adoptOnFirstSight(deps, octokit, repo, config, read);
  if (adoption?.kind === 'opened' || adoption?.kind === 'updated') read = await readSnapshot(snapshotInput);
  const plan = planReconcile(read.snapshot);
  // Open task PRs, a batch, or a task branch still without a PR (its draft may be due later).
  const active =
    read.snapshot.pulls.length > 0 ||
    read.snapshot.staging.some((s) => s.batch !== null && s.sha !== read.snapshot.baseSha) ||
    read.snapshot.taskBranches.some((b) => b.committedAtMs !== null);
  if (deps.dryRun || config.dry_run) {
    deps.log.info({ repo: `${repo.owner}/${repo.repo}`, plan }, 'dry run: plan not executed');
    return { plan, outcome: `dry run: ${plan.action.kind}`, reconcileAgain: false, active };
  }
  // A newer event arrived while this snapshot was read (an agent's push is followed by its PR a
  // moment later): waiting, or starting a batch without the PR that just opened, is planned again
  // from fresher state at once. A promotion and the other actions go ahead (their CI is done), and
  // so does a first sight that scanned for adoption (the scan is recorded at the end, and a yield
  // would make the next reconcile scan the history again).
  if ((plan.action.kind === 'wait' || plan.action.kind === 'start-batch') && adoption === null && newer?.())
    return {
      plan,
      outcome: `yielded to a newer event before ${plan.action.kind}`,
      reconcileAgain: true,
      active,
      yielded: true,
    };
  // Facts true whatever happens next are announced before the action, so a failed write or a crash
  // during it cannot lose them; each is announced once by its key (the journal de-duplicates).
  const publish = async (events: readonly CoordinatorEvent[]) => {
    if (!deps.notifier || events.length === 0) return;
    await deps.notifier.publish(
      contextOf(read.snapshot, deps.notifier.knownChannels(repo.owner)),
      events,
      fence,
    );
  };
  // Ready signals for agents go out before their task.ready is journaled: a dispatch that fails is
  // not journaled, so the next reconcile (after a backoff) sends it again.
  // Until the adoption scan succeeded, no task is called ready (it may have been merged long ago).
  const adoptionFailed = adoption?.kind === 'failed';
  const refusals: RefusedWrite[] = [];
  if (adoption?.kind === 'failed')
    refusals.push(
      ...orNone(
        refusedWrite(
          'the adoption PR (coordinator/adopt)',
          'the app needs contents: write and pull_requests: write',
          adoption.error,
        ),
      ),
    );
  const undelivered = adoptionFailed
    ? new Set(plan.events.filter((e) => e.type === 'task.ready').map((e) => e.key))
    : await dispatchReady(deps, octokit, repo, read.snapshot, plan.events, refusals);
  // graph.completed waits for the after-action review on the dashboard (below).
  const reviewed = (e: CoordinatorEvent) => e.type === 'graph.completed';
  await publish(plan.events.filter((e) => !undelivered.has(e.key) && !reviewed(e)));
  const result = await executePlan({
    octokit,
    repo,
    read,
    plan,
    log: deps.log,
    refusedDrafts: deps.settled,
    ...(newer ? { superseded: newer } : {}),
  });
  await publish([...(result.actionTookEffect === false ? [] : plan.actionEvents), ...(result.events ?? [])]);
  // The dashboard (the state this reconcile read) is written after the action, so its edit (a
  // throttled write, about 1 s apart on GitHub) never delays a merge; the review goes out before
  // graph.completed is journaled.
  // After an action that changed state the next reconcile (at once) writes it from fresher state.
  const dashboard = result.deferred
    ? { held: new Set(plan.events.filter(reviewed).map((e) => e.key)), failed: false }
    : await syncDashboardIssue(deps, octokit, repo, read.snapshot, plan.events);
  if (dashboard.error !== undefined)
    refusals.push(
      ...orNone(refusedWrite('the dashboard issue', 'the app needs issues: write', dashboard.error)),
    );
  await publish(
    plan.events.filter((e) => reviewed(e) && !undelivered.has(e.key) && !dashboard.held.has(e.key)),
  );
  if (adoption && !adoptionFailed && deps.journal?.recordEvent)
    await deps.journal.recordEvent({
      repo: `${repo.owner}/${repo.repo}`,
      type: ADOPTION_SCANNED,
      key: ADOPTION_SCANNED,
      taskId: null,
      atMs: deps.now(),
    });
  const cleanup = await cleanUpAfterAdoption(deps, octokit, repo, read.snapshot);
  if (cleanup.error !== undefined)
    refusals.push(
      ...orNone(
        refusedWrite(
          'deleting the merged task branches the adoption PR listed',
          'the app needs contents: write, and no rule may protect those branches',
          cleanup.error,
        ),
      ),
    );
  // What GitHub refused (not a glitch) also reaches a person: one alert per kind and status.
  await publish(refusals.map(refusedWriteEvent));
  const failed = [
    ...(adoptionFailed ? ['adoption scan'] : []),
    ...(cleanup.error === undefined ? [] : ['deleting merged task branches after the adoption PR']),
    ...(result.sideEffectsFailed ?? []),
    ...(undelivered.size > 0 ? ['repository_dispatch task-ready'] : []),
    ...(dashboard.failed ? ['dashboard issue'] : []),
  ];
  return {
    plan,
    outcome: result.outcome,
    reconcileAgain: result.reconcileAgain,
    active,
    actionTookEffect: plan.action.kind !== 'wait' && result.actionTookEffect !== false,
    ...(result.staged !== undefined ? { staged: result.staged } : {}),
    ...(result.yielded ? { yielded: true } : {}),
    ...(failed.length > 0 ? { sideEffectsFailed: failed } : {}),
  };
}

/**
 * With `agents.dispatch: true`, sends `task-ready` for each ready task whose `task.ready` was not
 * announced yet. @returns the keys of the events whose dispatch failed (logged with the fix).
 */
export async function dispatchReady(
  deps: ReconcileDeps,
  octokit: Octokit,
  repo: RepoRef,
  snapshot: RepoSnapshot,
  events: readonly CoordinatorEvent[],
  refusals?: RefusedWrite[],
): Promise<Set<string>> {
  const failed = new Set<string>();
  if (!snapshot.config.agents.dispatch || !deps.journal) return failed;
  const ready = events.filter((e) => e.type === 'task.ready' && e.taskId !== null);
  const fresh = new Set(
    await deps.journal.unannounced(
      `${repo.owner}/${repo.repo}`,
      ready.map((e) => e.key),
    ),
  );
  const prefix = snapshot.config.branches.prefixes[0] ?? '';
  for (const event of ready) {
    if (!fresh.has(event.key)) continue;
    const payload = taskReadyPayload(
      snapshot.loaded.graph,
      snapshot.taskPaths,
      event.taskId as string,
      prefix,
    );
    if (!payload) continue;
    try {
      await dispatchTaskReady(octokit, repo, payload);
      deps.log.info({ repo: `${repo.owner}/${repo.repo}`, task: payload.task }, 'dispatched task-ready');
    } catch (error) {
      failed.add(event.key);
      refusals?.push(
        ...orNone(refusedWrite('repository_dispatch task-ready', 'the app needs contents: write', error)),
      );
      deps.log.error(
        { repo: `${repo.owner}/${repo.repo}`, task: payload.task, err: error },
        'repository_dispatch task-ready failed; retried after a backoff (the app needs contents: write)',
      );
    }
  }
  return failed;
}

function orNone<T>(value: T | null): T[] {
  return value === null ? [] : [value];
}
