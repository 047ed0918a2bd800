/**
 * Carries out a plan against GitHub with compare-and-swap on every write: the one merge-affecting
 * action (after the check runs it depends on), then the other check runs (only those the planner
 * found different) and draft PRs. A lost race (ref moved,
 * head moved) is not an error: the repo is reconciled again from fresh state. Outcomes users must see
 * (conflicts, red checks on the merge result, writes GitHub refuses) go to the PR as a failing
 * `Merge queue` check plus one comment, and the PR leaves the queue, so the next one goes ahead.
 */
import type { Logger } from 'probot';
import type { Octokit, RepoRef } from '../adapters/github/octokit.js';
import { fileAt } from '../adapters/github/read-base.js';
import type { ReadSnapshot } from '../adapters/github/read-snapshot.js';
import type { SettledSet } from '../adapters/github/read-staging.js';
import { branchSha, STATUS_BRANCH } from '../adapters/github/read-staging.js';
import { RepoWriter } from '../adapters/github/repo-writer.js';
import { writeCheckRun } from '../adapters/github/write-check-run.js';
import { LeaseLostError } from '../adapters/store/outbox-store.js';
import { mergeCommitMessage } from '../domain/merge/batch-trailers.js';
import { policyOf } from '../domain/merge/plan.js';
import { failureMarker } from '../domain/merge/reports.js';
import {
  CHECK_NAMES,
  type CoordinatorEvent,
  type MergeAction,
  type OwedComment,
  type Plan,
  type StatusEdit,
} from '../domain/merge/types.js';
import { explainRefusal } from '../domain/rules/refusals.js';
import { fillSummary, setStatus } from '../domain/tasks/status-edit.js';
import { queueCheck, reportFailure } from './report-failure.js';
import { stageBatch } from './stage-batch.js';

export interface ExecuteInput {
  readonly octokit: Octokit;
  readonly repo: RepoRef;
  readonly read: ReadSnapshot;
  readonly plan: Plan;
  /** Git writes with closed results (built from `octokit` when not given). */
  readonly writer: RepoWriter;
  readonly log?: Pick<Logger, 'warn' | 'info'>;
  /**
   * Draft PRs GitHub refused with 422 at a branch head (bounded, in memory): a branch already in the
   * base's history ("No commits between main and feat/x") is not asked again until it moves.
   */
  readonly refusedDrafts?: SettledSet;
  /**
   * Whether a newer event arrived and the reconcile may yield to it (the scheduler's
   * `Superseded`): asked after the action, it leaves the derived writes to the next reconcile.
   */
  readonly superseded?: () => boolean;
}

/** What executing did: a line for the log, and whether the repo should be reconciled again now. */
export interface ExecuteResult {
  readonly outcome: string;
  readonly reconcileAgain: boolean;
  /** Side effects that failed (a check, a comment, a branch deletion): reconcile again later. */
  readonly sideEffectsFailed?: readonly string[];
  /** False when the action lost a race and did nothing (its `actionEvents` are not true). */
  readonly actionTookEffect?: boolean;
  /** Facts only execution can learn (a conflict found by the merge, a refusal). */
  readonly events?: readonly CoordinatorEvent[];
  /** How many PRs a batch this execution staged holds (a `start-batch`, or a promotion's `then`). */
  readonly staged?: number;
  /**
   * The action changed state and the repository is reconciled again at once: the writes derived
   * from this snapshot (`Merge order`, `Task graph` and superseded runs, drafts, branch deletions,
   * owed comments, the dashboard) were left to the next reconcile, which derives them again.
   */
  readonly deferred?: boolean;
  /** The derived writes were left because a newer event arrived (`superseded`), not by the action. */
  readonly yielded?: boolean;
}

/**
 * Executes a plan. Check runs, drafts, branch deletions and owed comments are side effects: one
 * that fails is logged and left for the next reconcile, which derives it again, and never keeps the
 * merge action from running. Only the app's own checks on a staging head about to be promoted must
 * be written first (the promotion needs them); `Merge queue` runs go first too, the rest after, and
 * only when the action leaves the repository settled (`deferred` otherwise).
 * @throws octokit errors of the action other than the races, conflicts and refusals handled here.
 */
export async function executePlan(
  args: Omit<ExecuteInput, 'writer'> & { writer?: RepoWriter },
): Promise<ExecuteResult> {
  const input: ExecuteInput = { ...args, writer: args.writer ?? new RepoWriter(args.octokit, args.repo) };
  const failed: string[] = [];
  const sideEffect = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      failed.push(what);
      input.log?.warn({ err: error, what }, 'a side effect failed; the next reconcile tries again');
    }
  };
  const action = input.plan.action;
  // The checks a promotion needs on the staging head go first, and so do `Merge queue` runs (the
  // action may write the same run, and must have the last word). `Merge order`, `Task graph` and
  // superseded runs are written after the action, so a merge never waits behind throttled writes
  // it does not need (about 1 s apart on GitHub); they are written even when the action throws.
  // The runs on a PR head that a direct merge closes go first too: a merged PR is not planned
  // again, so a `Merge order` run left for later would stay "waiting" on it for good.
  const prerequisite = action.kind === 'promote' ? action.stagingSha : null;
  const closing = action.kind === 'merge-pull' ? action.entry.headSha : null;
  const first = (run: Plan['checkRuns'][number]) =>
    run.headSha === prerequisite || run.headSha === closing || run.name === CHECK_NAMES.queue;
  const write = (run: Plan['checkRuns'][number]) =>
    sideEffect(`check ${run.name} on ${run.headSha.slice(0, 7)}`, () =>
      writeCheckRun(input.octokit, input.repo, run),
    );
  for (const run of input.plan.checkRuns.filter(first)) {
    if (run.headSha === prerequisite) await writeCheckRun(input.octokit, input.repo, run);
    else await write(run);
  }
  let result: ExecuteResult | undefined;
  try {
    result =
      action.kind === 'wait'
        ? { outcome: `wait: ${action.reason}`, reconcileAgain: false }
        : await runAction(input, action);
    // A newer event arrived: the next reconcile, at once, derives the rest from fresher state.
    if (!defers(result) && input.superseded?.())
      result = {
        ...result,
        outcome: `${result.outcome}; yielded to a newer event`,
        reconcileAgain: true,
        yielded: true,
      };
  } finally {
    if (!result || !defers(result)) {
      for (const run of input.plan.checkRuns.filter((r) => !first(r))) await write(run);
      await sideEffect('draft PRs', () => openDraftPulls(input));
    }
  }
  // An action that changed state is followed by another reconcile at once, which derives the rest
  // again from fresher state: writing it now would only delay the next merge (writes are about
  // 1 s apart on GitHub). It is written by the first reconcile that has no action to take.
  if (defers(result)) {
    const deferred = { ...result, deferred: true };
    return failed.length > 0 ? { ...deferred, sideEffectsFailed: failed } : deferred;
  }
  for (const branch of input.plan.deleteBranches ?? [])
    await sideEffect(`delete ${branch.name}`, () => deleteMerged(input, branch));
  for (const comment of input.plan.comments ?? [])
    await sideEffect(`comment on #${comment.pull}`, () => resumeComment(input, comment));
  return failed.length > 0 ? { ...result, sideEffectsFailed: failed } : result;
}

/** Whether an action's result leaves the derived writes to the next reconcile (see `deferred`). */
function defers(result: ExecuteResult): boolean {
  return result.yielded === true || (result.reconcileAgain && result.actionTookEffect !== false);
}

/**
 * Deletes a merged task branch if it still points at the merged head (read again just before:
 * `DELETE .../git/refs` has no compare-and-swap, and an agent may have pushed new work since).
 */
async function deleteMerged(input: ExecuteInput, branch: { name: string; sha: string }): Promise<void> {
  if ((await branchSha(input.octokit, input.repo, branch.name)) !== branch.sha) return;
  await input.writer.deleteBranch(branch.name);
}

/**
 * Writes a failure comment the report owes (a failed or interrupted report), unless the PR already
 * has it (the comment's marker names the head), then records on the head's `Merge queue` run that
 * it is there.
 */
async function resumeComment(input: ExecuteInput, comment: OwedComment): Promise<void> {
  const { octokit, repo } = input;
  const existing = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: comment.pull,
    per_page: 100,
  });
  const marker = failureMarker(comment.headSha);
  if (!existing.some((c) => (c.body ?? '').includes(marker)))
    await octokit.rest.issues.createComment({ ...repo, issue_number: comment.pull, body: comment.body });
  await octokit.rest.checks.update({ ...repo, check_run_id: comment.runId, external_id: comment.externalId });
}

async function runAction(input: ExecuteInput, action: MergeAction): Promise<ExecuteResult> {
  const { writer, read } = input;
  const { snapshot } = read;
  switch (action.kind) {
    case 'commit-status': {
      const files = action.edits.map((edit) => ({
        path: edit.path,
        text: applyEdit(read.taskTexts.get(edit.path), edit),
      }));
      const pending = action.pending;
      for (const { path } of pending?.edits ?? [])
        files.push({ path, text: await fileAt(input.octokit, input.repo, path, pending?.sha as string) });
      const sha = await writer.commit({
        parentSha: action.baseSha,
        files,
        message: statusMessage(action.edits, pending?.edits ?? []),
        ...(pending ? { mergedSha: pending.sha } : {}),
      });
      const moved = await writer.move(snapshot.baseBranch, sha, false);
      if (moved.kind === 'lost-race') return lostRace(action.kind);
      if (moved.kind === 'refused') {
        const refusal = explainRefusal(moved, refusalContext(input, `\`${snapshot.baseBranch}\``));
        return {
          outcome: `GitHub refused the status commit on ${snapshot.baseBranch} (${refusal.kind})`,
          reconcileAgain: false,
          events: [
            {
              type: 'merge.blocked',
              key: `merge.blocked:status:${refusal.kind}:${action.baseSha}`,
              taskId: null,
              pull: null,
              message: `The status commit for ${action.edits.map((e) => e.taskId).join(', ')} was refused: ${refusal.title}. ${refusal.text.split('\n')[0]}`,
            },
          ],
        };
      }
      return {
        outcome: `committed status on ${snapshot.baseBranch}: ${action.reason}`,
        reconcileAgain: true,
      };
    }
    case 'start-batch':
      return stageBatch(input, action);
    case 'promote':
      return promote(input, action);
    case 'fail-batch':
      return failBatch(input, action);
    case 'update-branch': {
      const updated = await writer.updateBranch(action.entry.number, action.entry.headSha);
      if (updated.kind === 'lost-race') return lostRace(action.kind);
      if (updated.kind === 'refused') {
        const refusal = explainRefusal(
          updated,
          refusalContext(input, `the branch of #${action.entry.number}`),
        );
        const event = await reportFailure(input, action.entry, {
          kind: 'refused',
          title: refusal.title,
          text: refusal.text,
        });
        return {
          outcome: `GitHub refused to update #${action.entry.number}`,
          reconcileAgain: true,
          events: [event],
        };
      }
      return {
        outcome: `updated #${action.entry.number} from ${snapshot.baseBranch}`,
        reconcileAgain: false,
      };
    }
    case 'merge-pull': {
      const merged = await writer.mergePull({
        number: action.entry.number,
        sha: action.entry.headSha,
        method: action.method,
        title: mergeCommitMessage(action.entry),
      });
      if (merged.kind === 'head-moved')
        return { outcome: `#${action.entry.number} head moved`, reconcileAgain: true };
      if (merged.kind === 'not-mergeable' || merged.kind === 'refused') {
        const refusal =
          merged.kind === 'refused'
            ? explainRefusal(merged, refusalContext(input, `\`${snapshot.baseBranch}\``))
            : {
                title: 'Not mergeable',
                text: `GitHub refused to merge this PR (405: ${merged.message}). Update the branch and resolve any conflict, or meet the branch rules it names.`,
              };
        const event = await reportFailure(input, action.entry, {
          kind: merged.kind === 'refused' ? 'refused' : 'not-mergeable',
          title: refusal.title,
          text: refusal.text,
        });
        return { outcome: `#${action.entry.number} is not mergeable`, reconcileAgain: true, events: [event] };
      }
      const pull = snapshot.pulls.find((p) => p.number === action.entry.number);
      if (snapshot.config.merge.delete_branch && pull && !pull.fromFork)
        await writer.deleteBranch(pull.headRef);
      return { outcome: `merged #${action.entry.number}: ${action.reason}`, reconcileAgain: true };
    }
  }
}

/** Staging protocol step 5: fast-forward the base to the tested staging head, then the follow-up. */
async function promote(
  input: ExecuteInput,
  action: Extract<MergeAction, { kind: 'promote' }>,
): Promise<ExecuteResult> {
  const { writer, read } = input;
  const { snapshot } = read;
  const moved = await writer.move(snapshot.baseBranch, action.stagingSha, false);
  if (moved.kind === 'lost-race') return lostRace(action.kind);
  if (moved.kind === 'refused') {
    const refusal = explainRefusal(moved, refusalContext(input, `\`${snapshot.baseBranch}\``));
    const events: CoordinatorEvent[] = [];
    for (const entry of action.entries)
      events.push(
        await reportFailure(input, entry, { kind: 'refused', title: refusal.title, text: refusal.text }),
      );
    if (action.entries.length === 0)
      events.push({
        type: 'merge.blocked',
        key: `merge.blocked:promote:${refusal.kind}:${action.stagingSha}`,
        taskId: null,
        pull: null,
        message: `GitHub refused to move ${snapshot.baseBranch} to the tested status commit: ${refusal.title}. ${refusal.text.split('\n')[0]}`,
      });
    return {
      outcome: `GitHub refused the promotion (${refusal.kind})`,
      reconcileAgain: false,
      actionTookEffect: false,
      events,
    };
  }
  if (action.untested)
    for (const entry of action.entries)
      await queueCheck(input, entry, {
        conclusion: 'success',
        title: 'Merged (not tested)',
        summary: `Merged into \`${snapshot.baseBranch}\` **without tests**: no check is required on \`${snapshot.baseBranch}\` and none ran on this PR. Require a check (branch protection, a ruleset, or \`merge.required_checks\`) so the merge result is tested first.`,
      });
  if (action.statusSha && snapshot.pendingStatus?.sha === action.statusSha)
    await writer.deleteBranch(STATUS_BRANCH);
  const outcome = `promoted ${action.branch} to ${snapshot.baseBranch}: ${action.reason}`;
  if (!action.then) return { outcome, reconcileAgain: true };
  // The next car starts in the same reconcile, on the base as the promotion left it (a probe of a
  // held PR merges onto that base; task files are read there, not taken from the old base). Its
  // failure is not the promotion's: it is logged, and the next reconcile plans it again.
  const promoted: ExecuteInput = {
    ...input,
    read: { snapshot: { ...snapshot, baseSha: action.stagingSha }, taskTexts: new Map() },
  };
  try {
    const next = await stageBatch(promoted, action.then);
    return {
      ...next,
      outcome: `${outcome}; then ${next.outcome}`,
      reconcileAgain: true,
      actionTookEffect: true,
    };
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    input.log?.warn(
      { err: error },
      'staging the next batch after a promotion failed; the next reconcile plans it again',
    );
    return { outcome, reconcileAgain: true };
  }
}

/**
 * A red car: each PR gets its verdict (ejected: failing `Merge queue` check and one comment;
 * requeued for bisection or a retry: an in-progress check with its new record), then the car's
 * staging branch is deleted, which also ends every car built on it (they are rebuilt). A failed
 * deletion is harmless: the records already say the car was judged.
 */
async function failBatch(
  input: ExecuteInput,
  action: Extract<MergeAction, { kind: 'fail-batch' }>,
): Promise<ExecuteResult> {
  const title =
    action.cause === 'checks-failed'
      ? `Checks failed on the merge result: ${action.checks.join(', ')}`
      : 'Required checks never ran on the merge result';
  for (const verdict of action.verdicts) {
    if (verdict.kind === 'eject')
      await reportFailure(input, verdict.entry, {
        kind: action.cause,
        title,
        text: `${capitalize(action.reason)}.`,
      });
    else
      await queueCheck(input, verdict.entry, {
        conclusion: null,
        title: verdict.title,
        summary: verdict.summary,
        externalId: verdict.externalId,
      });
  }
  const ejected = action.verdicts.filter((v) => v.kind === 'eject').map((v) => `#${v.entry.number}`);
  const requeued = action.verdicts.filter((v) => v.kind === 'requeue').map((v) => `#${v.entry.number}`);
  try {
    await input.writer.deleteBranch(action.branch);
  } catch (error) {
    input.log?.warn(
      { err: error, branch: action.branch },
      'could not delete the red batch; its records already say it was judged',
    );
  }
  const parts = [
    ...(ejected.length > 0 ? [`ejected ${ejected.join(', ')}`] : []),
    ...(requeued.length > 0 ? [`requeued ${requeued.join(', ')}`] : []),
  ];
  return {
    outcome: `failed batch on ${action.branch} (${parts.join('; ') || 'no PRs'}): ${action.reason}`,
    reconcileAgain: true,
  };
}

/** What `explainRefusal` needs about the repository. */
export function refusalContext(input: ExecuteInput, where: string) {
  const { snapshot } = input.read;
  const policy = policyOf(snapshot);
  return { policy, slug: snapshot.app?.slug ?? 'taskgraph-coordinator', where };
}

/** A task file's text with its status (and `## Summary`) edited. @throws when the text is missing. */
export function applyEdit(text: string | undefined, edit: StatusEdit): string {
  if (text === undefined) throw new Error(`no text for ${edit.path}`);
  const withStatus = setStatus(text, edit.status);
  return edit.summary === null ? withStatus : fillSummary(withStatus, edit.summary);
}

/** The status commit's message; `waiting` are the tasks whose edits a command left on `coordinator/status`. */
function statusMessage(
  edits: readonly StatusEdit[],
  waiting: readonly { taskId: string; status: string }[] = [],
): string {
  const ids = [...waiting.map((e) => e.taskId), ...edits.map((e) => e.taskId)];
  const verb = waiting.every((e) => e.status === 'completed') ? 'Complete' : 'Set the status of';
  const subject = ids.length === 1 ? `${verb} task ${ids[0]}` : `${verb} tasks ${ids.join(', ')}`;
  const lines = [
    ...waiting.map(
      (e) =>
        `- ${e.taskId}: ${e.status}, by a command (it waited on ${STATUS_BRANCH} while a batch was under test)`,
    ),
    ...edits.map((e) => `- ${e.taskId}: ${e.reason}`),
  ];
  return `${subject}\n\n${lines.join('\n')}\n`;
}

function lostRace(kind: string): ExecuteResult {
  return { outcome: `${kind} lost a race; reconciling again`, reconcileAgain: true, actionTookEffect: false };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Opens the planned draft PRs; a 422 (a PR appeared meanwhile, or nothing to compare: docs "Create
 * a pull request" answers 422 "No commits between …" for a head already in the base) is not an
 * error, and that head is not asked again.
 */
async function openDraftPulls(input: ExecuteInput): Promise<void> {
  const { snapshot } = input.read;
  const base = snapshot.baseBranch;
  const heads = new Map(snapshot.taskBranches.map((b) => [b.name, b.sha]));
  for (const draft of input.plan.draftPulls) {
    const key = `draft:${input.repo.owner}/${input.repo.repo}:${draft.branch}@${heads.get(draft.branch) ?? ''}`;
    if (input.refusedDrafts?.has(key)) continue;
    try {
      await input.octokit.rest.pulls.create({
        ...input.repo,
        head: draft.branch,
        base,
        title: draft.title,
        body: draft.body,
        draft: true,
      });
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error;
      input.refusedDrafts?.add(key);
      input.log?.info(
        {
          repo: `${input.repo.owner}/${input.repo.repo}`,
          branch: draft.branch,
          reason: (error as Error).message,
        },
        'draft PR refused (422); not asked again until the branch moves',
      );
    }
  }
}
