/**
 * Input and output of the merge planner. A `RepoSnapshot` is everything one reconcile reads from
 * GitHub; a `Plan` is everything it may do. Both are plain data: no octokit, no clock, no env.
 */
import type { ConfigProblem, RepoConfig } from '../../config/repo-config.js';
import type { BaseRules, RequiredCheck } from '../rules/branch-rules.js';
import type { PullReview } from '../rules/review-gate.js';
import type { LoadedGraph } from '../tasks/load-graph.js';
import type { SourceFile, TaskStatus } from '../tasks/types.js';

/** Check run names the app owns. */
export const CHECK_NAMES = { graph: 'Task graph', order: 'Merge order', queue: 'Merge queue' } as const;

/** Labels the app reads (intent lives in GitHub). */
export const LABELS = { merge: 'coordinator: merge', hold: 'coordinator: hold' } as const;

/** The staging branch of the merge protocol: the first car of the merge train is tested here. */
export const STAGING_BRANCH = 'coordinator/staging';

/**
 * The staging branches of a train of `1 + parallel` cars: `coordinator/staging`, then
 * `coordinator/staging-2`, `coordinator/staging-3`, … (a branch cannot be both
 * `coordinator/staging` and a folder of it, so speculative cars sit beside it; a CI filter
 * `coordinator/staging*` matches them all). Which car is first is decided by the trailers, not the name.
 */
export function stagingBranches(parallel: number): string[] {
  return [STAGING_BRANCH, ...Array.from({ length: parallel }, (_, i) => `${STAGING_BRANCH}-${i + 2}`)];
}

/** Whether a branch is one of the train's staging branches (any `parallel`). */
export function isStagingBranch(name: string): boolean {
  return name === STAGING_BRANCH || /^coordinator\/staging-\d+$/.test(name);
}

/**
 * Where a batch is assembled before its staging branch moves to it in one push, so CI runs once
 * per batch rather than once per merge (bors's `staging.tmp`). CI must not run on it.
 */
export const BUILD_BRANCH = 'coordinator/build';

/** A check run or commit status reduced to what gating needs. */
export interface CheckResult {
  readonly name: string;
  readonly outcome: 'pending' | 'success' | 'failure';
  /** The app that posted a check run; null for a commit status. */
  readonly appId?: number | null;
  /** Where a person can read the run (its `details_url` or `html_url`, a status's `target_url`). */
  readonly url?: string | null;
}

/** A check run the app itself posted, as it stands (to write only when different). */
export interface OwnCheckRun {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  readonly status: 'queued' | 'in_progress' | 'completed';
  readonly conclusion: string | null;
  readonly title: string;
  readonly summary: string;
  /** The app's own record on the run (`external_id`; see `queue-record.ts`). */
  readonly externalId?: string | null;
}

/** A task file a PR changes, with its `status:` value at the base and at the PR head (null: no file or no value). */
export interface TaskFileChange {
  readonly path: string;
  readonly baseStatus: string | null;
  readonly headStatus: string | null;
}

/** An open PR into the base branch. */
export interface PullState {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly draft: boolean;
  readonly labels: readonly string[];
  /** ISO time the PR was opened (the "oldest ready PR" tie-break). */
  readonly createdAt: string;
  /** ISO time of the PR's last activity (GitHub's `updated_at`: pushes, comments, labels, reviews). */
  readonly updatedAt: string;
  readonly url: string;
  /** Paths changed by the PR (for overlap ordering). */
  readonly changedFiles: readonly string[];
  readonly taskFileChanges: readonly TaskFileChange[];
  /** Every check run and commit status on the head. */
  readonly checks: readonly CheckResult[];
  /** The app's own check runs on the head, by name. */
  readonly ownChecks: Readonly<Record<string, OwnCheckRun>>;
  /** GitHub's `mergeable_state` when known (`behind`, `dirty`, `clean`, ...). */
  readonly mergeableState: string | null;
  /** Login of the PR's author. */
  readonly author?: string;
  /**
   * The app's runs still in progress on the heads this head replaced (its parents, read when the
   * head is new to the app): completed as superseded, so nothing waits forever on an abandoned head.
   */
  readonly superseded?: readonly OwnCheckRun[];
  /** Whether the head branch lives in another repository (a fork, or a deleted one). */
  readonly fromFork?: boolean;
  /** Reviews of the PR (read only when the base branch requires reviews). */
  readonly reviews?: readonly PullReview[] | null;
  /** Code owners of each changed path (only when code owner reviews are required). */
  readonly owners?: readonly (readonly string[])[];
  /**
   * The task graph as it would be after this PR merges, when the PR changes task files or
   * `.github/coordinator.yml` (its `Task graph` check); undefined otherwise.
   */
  readonly proposed?: {
    /** The base's task files with this PR's versions of the ones it changes. */
    readonly loaded: LoadedGraph;
    /** Problems of `.github/coordinator.yml` at the head (empty: valid or unchanged). */
    readonly configProblems: readonly ConfigProblem[];
  };
}

/** A PR that was merged recently (for drift repair of task status, and the follow-up of its merge). */
export interface MergedPull {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly headRef: string;
  readonly url: string;
  /** The head GitHub merged (undefined in older snapshots). */
  readonly headSha?: string;
  /** Whether the head branch lives in another repository (its branch is not the app's to delete). */
  readonly fromFork?: boolean;
}

/**
 * A PR of a batch that reached the base (found by its batch's trailers in the base's recent
 * history), with the app's `Merge queue` run on its head: the follow-up completes that run.
 */
export interface PromotedEntry {
  readonly entry: BatchEntry;
  /** The batch's status commit on the base. */
  readonly commitSha: string;
  readonly queueRun: OwnCheckRun | null;
  /**
   * The app's `Merge order` run on the head. A run still in progress (its last write was deferred
   * past the promotion, and a merged PR is no longer planned) is completed by the follow-up.
   */
  readonly orderRun: OwnCheckRun | null;
}

/** One PR of a batch, as recorded in the staging commit's trailers. */
export interface BatchEntry {
  readonly number: number;
  readonly headSha: string;
  readonly taskId: string;
}

/** What a batch commit's trailers say (see `batch-trailers.ts`). */
export interface BatchRecord {
  /** The commit the batch was built on: the base head, or the head of the car below. */
  readonly baseSha: string;
  readonly entries: readonly BatchEntry[];
  /** The `coordinator/status` head the batch merged (pending status edits), when it did. */
  readonly statusSha?: string | null;
  /** The status edits its status commit made (so the cars above do not make them again). */
  readonly edits?: readonly { readonly taskId: string; readonly status: TaskStatus }[];
}

/** What one staging branch holds. `batch` is null when its head is not a coordinator batch commit. */
export interface StagingState {
  /** `coordinator/staging` or `coordinator/staging-<n>` (see `stagingBranches`). */
  readonly branch: string;
  readonly sha: string;
  readonly batch: BatchRecord | null;
  /** When the staging head commit was written, ms since the epoch. */
  readonly committedAtMs: number;
  readonly checks: readonly CheckResult[];
  /** The app's own check runs on the staging head, by name. */
  readonly ownChecks?: Readonly<Record<string, OwnCheckRun>>;
}

/**
 * Status edits waiting on `coordinator/status` (commands under branch rules that forbid the app
 * straight pushes to the base): they reach the base with the next staging batch.
 */
export interface PendingStatus {
  readonly sha: string;
  readonly edits: readonly { readonly taskId: string; readonly status: TaskStatus }[];
}

/** A branch on a task prefix (for opening draft PRs). */
export interface BranchState {
  readonly name: string;
  readonly sha: string;
  /** When its head commit was committed, ms since the epoch; null when not read (it has a PR). */
  readonly committedAtMs: number | null;
}

/** Everything one reconcile of one repository reads. */
export interface RepoSnapshot {
  readonly owner: string;
  readonly repo: string;
  /** The repository's web address, e.g. `https://github.com/o/r` (for links in PR bodies). */
  readonly repoUrl: string;
  /** Branches on the task prefixes (empty when `pull_requests.open_draft` is off). */
  readonly taskBranches: readonly BranchState[];
  readonly baseBranch: string;
  readonly baseSha: string;
  readonly config: RepoConfig;
  readonly loaded: LoadedGraph;
  /** Blob path of every task, by id (for status edits). */
  readonly taskPaths: ReadonlyMap<string, string>;
  /**
   * Required check names: `merge.required_checks` plus every check branch protection and rulesets
   * require on the base branch (the app waits for all of them on the merge result).
   */
  readonly requiredChecks: readonly string[];
  /** The rules in force on the base branch: classic protection and rulesets (default: none). */
  readonly rules?: BaseRules;
  /** The app's id and slug (its own checks are required by id; bypass lists name the slug). */
  readonly app?: { readonly id: number; readonly slug: string };
  /** Edits waiting on `coordinator/status`, or null. */
  readonly pendingStatus?: PendingStatus | null;
  /** PRs of recent batches on the base whose follow-up is not known to be done. */
  readonly promoted?: readonly PromotedEntry[];
  readonly pulls: readonly PullState[];
  readonly recentlyMerged: readonly MergedPull[];
  /** Every staging branch of the train that exists (any order; the trailers chain them). */
  readonly staging: readonly StagingState[];
  /** The app's check runs on the base head, by name. */
  readonly baseChecks: Readonly<Record<string, OwnCheckRun>>;
  /** The reconcile's clock, ms since the epoch. */
  readonly nowMs: number;
  /**
   * The open adoption PR (`coordinator/adopt`): `loaded` already reads its tasks as completed, but
   * nothing that depends on them only (aggregates) is written to the base until it merges.
   */
  readonly adoption?: AdoptionInFlight | null;
}

/** An open adoption PR and the tasks it sets to `completed`. */
export interface AdoptionInFlight {
  readonly number: number;
  readonly url: string;
  readonly taskIds: readonly string[];
}

export interface Annotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly title: string;
  readonly message: string;
}

/** A check run as it should be. */
export interface DesiredCheckRun {
  readonly name: string;
  readonly headSha: string;
  readonly status: 'in_progress' | 'completed';
  readonly conclusion: 'success' | 'failure' | 'neutral' | null;
  readonly title: string;
  readonly summary: string;
  readonly annotations: readonly Annotation[];
  /** Id of the run to update, when one exists on this head. */
  readonly existingId: number | null;
  /** The app's record on the run (`external_id`); undefined leaves it as it is. */
  readonly externalId?: string;
}

/** A `status:` line to write on a branch, with an optional `## Summary` text. */
export interface StatusEdit {
  readonly taskId: string;
  readonly path: string;
  readonly status: TaskStatus;
  readonly summary: string | null;
  readonly reason: string;
}

export type { RequiredCheck, SourceFile };

/** A PR the planner acts on, with its task. */
export interface TaskPull {
  readonly pull: PullState;
  readonly taskId: string;
}

/** The one merge-affecting action of a reconcile (Tide: exactly one per repo per sync). */
export type MergeAction =
  | {
      readonly kind: 'promote';
      /** The staging branch of the first car. */
      readonly branch: string;
      readonly stagingSha: string;
      readonly entries: readonly BatchEntry[];
      readonly reason: string;
      /** No check tested the merge result (none required, none on the PRs): the `Merge queue` check says so. */
      readonly untested?: boolean;
      /** The `coordinator/status` head this batch merged (deleted after the promotion). */
      readonly statusSha?: string | null;
      /**
       * The batch to stage once the promotion took effect, planned as the next reconcile would
       * plan it with this car gone (its branch free, its files no longer a reason to wait): a
       * promotion and the next car's start cost one reconcile, not two. Skipped when the promotion
       * loses its race or is refused.
       */
      readonly then?: StartBatchAction;
    }
  | {
      readonly kind: 'fail-batch';
      /** The staging branch of the red car (deleted once every PR has its verdict). */
      readonly branch: string;
      readonly stagingSha: string;
      readonly entries: readonly BatchEntry[];
      readonly cause: 'checks-failed' | 'checks-timeout';
      readonly checks: readonly string[];
      readonly reason: string;
      /**
       * What each PR gets: `eject` (a failing `Merge queue` check, one comment, `merge.failed`), or
       * `requeue` (bisection or a retry: an in-progress `Merge queue` check with its new record).
       */
      readonly verdicts: readonly BatchVerdict[];
    }
  | {
      readonly kind: 'start-batch';
      /** The staging branch the batch goes to. */
      readonly branch: string;
      /** What the batch is built on: the base head, or the head of the car below (speculation). */
      readonly baseSha: string;
      /** Whether `baseSha` is the base head (a conflict of the first PR is then a conflict with the base). */
      readonly onBase: boolean;
      readonly entries: readonly BatchEntry[];
      /**
       * Tasks the cars below complete, and edits the base owes that ride with this batch: what the
       * status commit is computed from again when a PR is left out (it conflicts with the batch).
       */
      readonly statusInputs: {
        readonly lowerCompleted: readonly string[];
        readonly lowerEdited: readonly string[];
        readonly extra: readonly StatusEdit[];
      };
      /** Status edits of the batch's status commit: its tasks, plus aggregates they complete. */
      readonly statusEdits: readonly StatusEdit[];
      readonly reason: string;
      /** A `coordinator/status` head to merge first (status edits waiting for a staging run). */
      readonly statusSha?: string | null;
    }
  | {
      readonly kind: 'commit-status';
      readonly baseSha: string;
      readonly edits: readonly StatusEdit[];
      readonly reason: string;
      /**
       * Edits waiting on `coordinator/status` (a command's, made while a batch was under test) to
       * commit too: each file as that branch has it, in a commit that also merges the branch's
       * head, so the base then contains it and a later edit on top of it stays waiting.
       */
      readonly pending?: {
        readonly sha: string;
        readonly edits: readonly (PendingStatus['edits'][number] & { readonly path: string })[];
      };
    }
  | { readonly kind: 'update-branch'; readonly entry: BatchEntry; readonly reason: string }
  | {
      readonly kind: 'merge-pull';
      readonly entry: BatchEntry;
      readonly method: RepoConfig['merge']['method'];
      readonly reason: string;
    };

/** A `start-batch` action (also the follow-on of a promotion). */
export type StartBatchAction = Extract<MergeAction, { kind: 'start-batch' }>;

/** What a red batch means for one of its PRs. */
export type BatchVerdict =
  | { readonly kind: 'eject'; readonly entry: BatchEntry }
  | {
      readonly kind: 'requeue';
      readonly entry: BatchEntry;
      readonly title: string;
      readonly summary: string;
      /** The head's new record (bisection limit, retries, the car that was counted). */
      readonly externalId: string;
    };

/** Why nothing merge-affecting happens now (for logs and dry runs). */
export interface Wait {
  readonly kind: 'wait';
  readonly reason: string;
}

/** Every event type (see `domain/notify/route.ts` for their severities). */
export const EVENT_TYPES = [
  'task.ready',
  'generation.completed',
  'task.merged',
  'merge.conflict',
  'merge.failed',
  'merge.refused',
  'merge.blocked',
  'task.blocked',
  'task.unblocked',
  'task.stalled',
  'graph.invalid',
  'ordering.violation',
  'graph.completed',
  'custom',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A typed fact for humans, routed to channels by the notifier. */
export interface CoordinatorEvent {
  readonly type: EventType;
  readonly taskId: string | null;
  readonly pull: number | null;
  readonly message: string;
  /** Stable key: the same fact always has the same key (de-duplication). */
  readonly key: string;
  /** Who caused it (a GitHub login), when a person did. */
  readonly actor?: string;
}

/** A draft PR to open for a task branch pushed without one. */
export interface DraftPull {
  readonly branch: string;
  readonly taskId: string;
  readonly title: string;
  readonly body: string;
}

/** The one failure comment a failed head is owed (resumed after a failed or interrupted report). */
export interface OwedComment {
  readonly pull: number;
  readonly headSha: string;
  readonly body: string;
  /** The head's `Merge queue` run, whose record says `commented` once the comment is there. */
  readonly runId: number;
  readonly externalId: string;
}

/** What one reconcile will do. */
export interface Plan {
  readonly checkRuns: readonly DesiredCheckRun[];
  readonly draftPulls: readonly DraftPull[];
  /** Merged task branches to delete (`merge.delete_branch`), each at the head GitHub merged. */
  readonly deleteBranches?: readonly { readonly name: string; readonly sha: string }[];
  /** Failure comments to write (each checked against the PR's comments first). */
  readonly comments?: readonly OwedComment[];
  readonly action: MergeAction | Wait;
  /** Facts true whatever happens next (invalid graph, ordering violations, stalls). */
  readonly events: readonly CoordinatorEvent[];
  /** Facts that become true only if the action succeeds (merged, ready, failed, completed). */
  readonly actionEvents: readonly CoordinatorEvent[];
}
