/**
 * Reads one `RepoSnapshot` from GitHub: everything the planner needs, read once per reconcile.
 *
 * Requests: the base state (`read-base.ts`), the rules of the base branch (`read-rules.ts`), the
 * open PRs the planner cares about (`read-pulls.ts`), recently closed PRs, the app's checks on the
 * base head, the staging branches and `coordinator/status` (`read-staging.ts`), and, when drafts are
 * on, the task branches (with the head commit time of those without a PR).
 */
import type { RepoConfig } from '../../config/repo-config.js';
import { ADOPT_BRANCH, parseAdoptionRecord } from '../../domain/adopt/adoption-pull.js';
import { withAdoption } from '../../domain/adopt/overlay.js';
import { policyOf } from '../../domain/merge/plan.js';
import type { AdoptionInFlight, BranchState, PullState, RepoSnapshot } from '../../domain/merge/types.js';
import { BranchIndex } from '../../domain/tasks/branch-names.js';
import type { BlobCache } from './blob-cache.js';
import type { Octokit, RepoRef } from './octokit.js';
import type { PermissionCache } from './permissions.js';
import { baseBranchOf, readBase, readRepository } from './read-base.js';
import { listOpenPulls, ownChecks, readPulls } from './read-pulls.js';
import { readBaseRules } from './read-rules.js';
import {
  readAppBranches,
  readPendingStatus,
  readPromoted,
  readRecentlyMerged,
  readStaging,
  type SettledSet,
} from './read-staging.js';

export type { BaseState } from './read-base.js';
export { readBase } from './read-base.js';
export { PULL_READ_CONCURRENCY } from './read-pulls.js';

export interface SnapshotInput {
  readonly octokit: Octokit;
  readonly repo: RepoRef;
  readonly config: RepoConfig;
  /** The app's id and slug: check runs it owns are recognised by `app.id`; bypass lists name the slug. */
  readonly app: { readonly id: number; readonly slug: string };
  readonly blobs: BlobCache;
  /** Reviewers' write access (required reviews count only those). */
  readonly permissions: PermissionCache;
  /** Follow-ups known to be done (see `readPromoted`). */
  readonly settled: SettledSet;
  readonly nowMs: number;
}

/** A snapshot plus the base texts of task files (the executor edits them). */
export interface ReadSnapshot {
  readonly snapshot: RepoSnapshot;
  /** Text of every task file at the base head, by path. */
  readonly taskTexts: ReadonlyMap<string, string>;
}

/** Reads the snapshot. @throws octokit errors (the reconcile classifies and retries them). */
export async function readSnapshot(input: SnapshotInput): Promise<ReadSnapshot> {
  const { octokit, repo, config } = input;
  const wantBranches = config.pull_requests.open_draft || config.merge.delete_branch;
  // Reads that need nothing from the base start at once (each is one request, usually a 304);
  // marked handled so that a failing base read never leaves them unhandled.
  const appBranchesRead = readAppBranches(octokit, repo);
  const taskBranchesRead = wantBranches
    ? readTaskBranches(octokit, repo, config.branches.prefixes)
    : Promise.resolve([]);
  // So do the reads that need only the base branch's name: its rules, the open and the recently
  // merged PRs' listings. Only what needs the base head (its tree, its checks) waits for it.
  const repositoryRead = readRepository(octokit, repo);
  const baseBranchRead = repositoryRead.then((r) => baseBranchOf(config, r));
  const rulesRead = baseBranchRead.then((b) => readBaseRules(octokit, repo, b));
  const openRead = baseBranchRead.then((b) => listOpenPulls(octokit, repo, b));
  const mergedRead = baseBranchRead.then((b) => readRecentlyMerged(octokit, repo, b));
  for (const read of [appBranchesRead, taskBranchesRead, rulesRead, openRead, mergedRead])
    read.catch(() => undefined);
  const base = await readBase({ ...input, repository: repositoryRead });
  const { repoUrl, baseBranch, baseSha, loaded, taskTexts, taskPaths } = base;
  const index = new BranchIndex(loaded.graph.ids, config.branches.prefixes);
  const [rules, appBranches] = await Promise.all([rulesRead, appBranchesRead]);
  const policy = policyOf({ rules, app: input.app, baseBranch });
  const context = { octokit, repo, appId: input.app.id, blobs: input.blobs };

  const [pulls, recentlyMerged, baseChecks, staging, pendingStatus, taskBranches, promoted] =
    await Promise.all([
      readPulls({
        ...context,
        config,
        permissions: input.permissions,
        base,
        index,
        reviews: policy.reviews,
        open: openRead,
      }),
      mergedRead,
      ownChecks(context, baseSha),
      readStaging({ ...context, branches: appBranches }),
      readPendingStatus({ ...context, baseSha, branches: appBranches }),
      taskBranchesRead,
      readPromoted({ ...context, baseSha, settled: input.settled }),
    ]);

  // Only branches without an open or merged PR can get a draft: their head commit's time decides
  // the grace period.
  const withPull = new Set([...pulls, ...recentlyMerged].map((p) => p.headRef));
  const branches = await Promise.all(
    taskBranches.map(async (b) =>
      withPull.has(b.name) || b.sha === baseSha || !config.pull_requests.open_draft
        ? b
        : { ...b, committedAtMs: await input.blobs.commitTimeMs(octokit, repo, b.sha) },
    ),
  );
  const required = new Set([
    ...(config.merge.required_checks ?? []),
    ...policy.requiredChecks.map((c) => c.context),
  ]);

  // While the adoption PR is open, its tasks are not pending (their files change once it merges).
  const adoption = adoptionInFlight(pulls, `${input.app.slug}[bot]`);
  const loadedNow = adoption
    ? withAdoption({
        texts: taskTexts,
        paths: taskPaths,
        taskIds: adoption.taskIds,
        prefixes: config.branches.prefixes,
      })
    : loaded;

  const snapshot: RepoSnapshot = {
    owner: repo.owner,
    repo: repo.repo,
    repoUrl,
    taskBranches: branches,
    baseBranch,
    baseSha,
    config,
    loaded: loadedNow,
    taskPaths,
    requiredChecks: [...required].sort(),
    rules,
    app: input.app,
    pendingStatus,
    promoted,
    pulls,
    recentlyMerged,
    staging,
    baseChecks,
    nowMs: input.nowMs,
    adoption,
  };
  return { snapshot, taskTexts };
}

/** The app's open adoption PR among the open PRs (its own, same repository, with its marker), or null. */
function adoptionInFlight(pulls: readonly PullState[], appLogin: string): AdoptionInFlight | null {
  const pull = pulls.find((p) => p.headRef === ADOPT_BRANCH && !p.fromFork && p.author === appLogin);
  const record = pull ? parseAdoptionRecord(pull.body) : null;
  if (!pull || !record || record.tasks.length === 0) return null;
  return { number: pull.number, url: pull.url, taskIds: record.tasks };
}

/** Branches under each task prefix (`GET /git/matching-refs/heads/<prefix>`, every page). @throws octokit errors. */
export async function readTaskBranches(
  octokit: Octokit,
  repo: RepoRef,
  prefixes: readonly string[],
): Promise<BranchState[]> {
  const lists = await Promise.all(
    prefixes.map((prefix) =>
      octokit.paginate(octokit.rest.git.listMatchingRefs, { ...repo, ref: `heads/${prefix}`, per_page: 100 }),
    ),
  );
  return lists.flat().map((ref) => ({
    name: ref.ref.replace(/^refs\/heads\//, ''),
    sha: ref.object.sha,
    committedAtMs: null,
  }));
}
