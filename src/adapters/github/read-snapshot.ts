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
import type { BaseRules } from '../../domain/rules/branch-rules.js';
import { BranchIndex } from '../../domain/tasks/branch-names.js';
import type { BlobCache } from './blob-cache.js';
import type { Octokit, RepoRef } from './octokit.js';
import type { PermissionCache } from './permissions.js';
import { baseBranchOf, branchHead, type RepositoryData, readBase, readRepository } from './read-base.js';
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
  /** The first reads, when the caller started them already (with the config read). */
  readonly first?: FirstReads;
}

/** A snapshot plus the base texts of task files (the executor edits them). */
export interface ReadSnapshot {
  readonly snapshot: RepoSnapshot;
  /** Text of every task file at the base head, by path. */
  readonly taskTexts: ReadonlyMap<string, string>;
}

/** The reads that need only the base branch's name, under way for `branch`. */
interface BranchReads {
  readonly branch: string;
  readonly headSha: Promise<string>;
  readonly rules: Promise<BaseRules>;
  readonly open: ReturnType<typeof listOpenPulls>;
  readonly merged: ReturnType<typeof readRecentlyMerged>;
}

/**
 * A snapshot's first reads, started before the config is read (a reconcile starts them with it):
 * the repository, the app's branches, and the reads that need only the base branch's name (its
 * head, its rules, the open and the recently merged PRs' listings), for the repository's default
 * branch, which is the base unless the config's `branches.base` names another (then the snapshot
 * reads those again for it). This takes the config read off the chain of dependent round trips.
 * Every promise keeps its rejection for the snapshot (none is left unhandled).
 */
export interface FirstReads {
  readonly repository: Promise<RepositoryData>;
  readonly appBranches: Promise<Map<string, string>>;
  readonly forBranch: Promise<BranchReads>;
}

/**
 * Starts the first reads (see `FirstReads`); each is one request, usually answered 304.
 * `onPullsListed` is called when the open PRs' listing answered: an agent's push and its new PR
 * show there first, so a reconcile marks which events its snapshot already reflects (a webhook
 * comes after the change it reports, so one received before the listing answered is in it, but
 * for a change made while GitHub answered, a race of milliseconds).
 */
export function startFirstReads(octokit: Octokit, repo: RepoRef, onPullsListed?: () => void): FirstReads {
  const repository = quiet(readRepository(octokit, repo));
  return {
    repository,
    appBranches: quiet(readAppBranches(octokit, repo)),
    forBranch: quiet(
      repository.then((r) => {
        const reads = readsFor(octokit, repo, r.default_branch);
        const open = reads.open.then((pulls) => {
          onPullsListed?.();
          return pulls;
        });
        return { ...reads, open: quiet(open) };
      }),
    ),
  };
}

/** Resolves once every first read has ended (answered or failed), so that none outlives a reconcile. */
export async function firstReadsSettled(first: FirstReads): Promise<void> {
  const branch = await first.forBranch.catch(() => null);
  await Promise.allSettled([
    first.repository,
    first.appBranches,
    ...(branch ? [branch.headSha, branch.rules, branch.open, branch.merged] : []),
  ]);
}

function readsFor(octokit: Octokit, repo: RepoRef, branch: string): BranchReads {
  return {
    branch,
    headSha: quiet(branchHead(octokit, repo, branch)),
    rules: quiet(readBaseRules(octokit, repo, branch)),
    open: quiet(listOpenPulls(octokit, repo, branch)),
    merged: quiet(readRecentlyMerged(octokit, repo, branch)),
  };
}

/** The promise, with a no-op handler attached, so that a read nobody awaits is not "unhandled". */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Reads the snapshot. @throws octokit errors (the reconcile classifies and retries them). */
export async function readSnapshot(input: SnapshotInput): Promise<ReadSnapshot> {
  const { octokit, repo, config } = input;
  const wantBranches = config.pull_requests.open_draft || config.merge.delete_branch;
  // The first reads (the caller may have started them with the config read), and the task
  // branches, start at once; only what needs the base head (its tree, its checks) waits for it.
  const first = input.first ?? startFirstReads(octokit, repo);
  const appBranchesRead = first.appBranches;
  const taskBranchesRead = quiet(
    wantBranches ? readTaskBranches(octokit, repo, config.branches.prefixes) : Promise.resolve([]),
  );
  const repositoryRead = first.repository;
  const branchReads = quiet(
    Promise.all([repositoryRead, first.forBranch]).then(([r, started]) => {
      const branch = baseBranchOf(config, r);
      return started.branch === branch ? started : readsFor(octokit, repo, branch);
    }),
  );
  const rulesRead = quiet(branchReads.then((b) => b.rules));
  const openRead = quiet(branchReads.then((b) => b.open));
  const mergedRead = quiet(branchReads.then((b) => b.merged));
  const base = await readBase({
    ...input,
    repository: repositoryRead,
    headSha: quiet(branchReads.then((b) => b.headSha)),
  });
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
