/**
 * Carries out a plan against GitHub with compare-and-swap on every write: check runs (only those the
 * planner found different), then the one merge-affecting action. A lost race (ref moved, head moved)
 * is not an error: the repo is reconciled again from fresh state. Outcomes that users must see
 * (conflicts, red checks on the merge result) go to the PR as a `Merge queue` check run plus one comment.
 */
import { classifyGitHubError } from '../adapters/github/errors.js';
import type { Octokit, RepoRef } from '../adapters/github/octokit.js';
import type { ReadSnapshot } from '../adapters/github/read-snapshot.js';
import { writeCheckRun } from '../adapters/github/write-check-run.js';
import { commitFiles, moveBranch, resetBranch } from '../adapters/github/write-git.js';
import { batchCommitMessage, mergeCommitMessage } from '../domain/merge/batch-trailers.js';
import {
  type BatchEntry,
  CHECK_NAMES,
  type CoordinatorEvent,
  type MergeAction,
  type Plan,
  STAGING_BRANCH,
  type StatusEdit,
} from '../domain/merge/types.js';
import { fillSummary, setStatus } from '../domain/tasks/status-edit.js';

export interface ExecuteInput {
  readonly octokit: Octokit;
  readonly repo: RepoRef;
  readonly read: ReadSnapshot;
  readonly plan: Plan;
}

/** What executing did: a line for the log, and whether the repo should be reconciled again now. */
export interface ExecuteResult {
  readonly outcome: string;
  readonly reconcileAgain: boolean;
  /** False when the action lost a race and did nothing (its `actionEvents` are not true). */
  readonly actionTookEffect?: boolean;
  /** Facts only execution can learn (a conflict found by the merge). */
  readonly events?: readonly CoordinatorEvent[];
}

/** Executes a plan. @throws octokit errors other than the races and conflicts handled here. */
export async function executePlan(input: ExecuteInput): Promise<ExecuteResult> {
  for (const run of input.plan.checkRuns) await writeCheckRun(input.octokit, input.repo, run);
  await openDraftPulls(input);
  const action = input.plan.action;
  if (action.kind === 'wait') return { outcome: `wait: ${action.reason}`, reconcileAgain: false };
  try {
    return await runAction(input, action);
  } catch (error) {
    const kind = classifyGitHubError(error);
    if (kind === 'not-fast-forward' || kind === 'not-found') {
      return {
        outcome: `${action.kind} lost a race (${kind}); reconciling again`,
        reconcileAgain: true,
        actionTookEffect: false,
      };
    }
    throw error;
  }
}

async function runAction(input: ExecuteInput, action: MergeAction): Promise<ExecuteResult> {
  const { octokit, repo, read } = input;
  const { snapshot } = read;
  switch (action.kind) {
    case 'commit-status': {
      const files = action.edits.map((edit) => ({
        path: edit.path,
        text: applyEdit(read.taskTexts.get(edit.path), edit),
      }));
      const sha = await commitFiles(octokit, repo, {
        parentSha: action.baseSha,
        files,
        message: statusMessage(action.edits),
      });
      await moveBranch(octokit, repo, snapshot.baseBranch, sha, false);
      return {
        outcome: `committed status on ${snapshot.baseBranch}: ${action.reason}`,
        reconcileAgain: true,
      };
    }
    case 'start-batch':
      return startBatch(input, action);
    case 'promote': {
      await moveBranch(octokit, repo, snapshot.baseBranch, action.stagingSha, false);
      for (const entry of action.entries) {
        await queueCheck(input, entry, {
          conclusion: 'success',
          title: 'Merged',
          summary: `Merged into \`${snapshot.baseBranch}\`.`,
        });
        const pull = snapshot.pulls.find((p) => p.number === entry.number);
        if (snapshot.config.merge.delete_branch && pull) await deleteBranch(octokit, repo, pull.headRef);
      }
      return {
        outcome: `promoted ${STAGING_BRANCH} to ${snapshot.baseBranch}: ${action.reason}`,
        reconcileAgain: true,
      };
    }
    case 'fail-batch': {
      const title =
        action.cause === 'checks-failed'
          ? `Checks failed on the merge result: ${action.checks.join(', ')}`
          : 'Required checks never ran on the merge result';
      for (const entry of action.entries)
        await reportFailure(input, entry, title, `${capitalize(action.reason)}.`);
      return { outcome: `failed batch: ${action.reason}`, reconcileAgain: true };
    }
    case 'update-branch': {
      await octokit.rest.pulls.updateBranch({
        ...repo,
        pull_number: action.entry.number,
        expected_head_sha: action.entry.headSha,
      });
      return {
        outcome: `updated #${action.entry.number} from ${snapshot.baseBranch}`,
        reconcileAgain: false,
      };
    }
    case 'merge-pull': {
      try {
        await octokit.rest.pulls.merge({
          ...repo,
          pull_number: action.entry.number,
          sha: action.entry.headSha,
          merge_method: action.method,
          commit_title: mergeCommitMessage(action.entry),
          request: { retries: 0 }, // 405 (not mergeable) and 409 (head moved) are answers, not glitches
        });
      } catch (error) {
        if ((error as { status?: number }).status === 405) {
          const text = 'GitHub refused to merge this PR (405). Update the branch and resolve any conflict.';
          await reportFailure(input, action.entry, 'Not mergeable', text);
          return {
            outcome: `#${action.entry.number} is not mergeable`,
            reconcileAgain: false,
            events: [
              conflictEvent(
                action.entry,
                read.snapshot.baseBranch,
                `#${action.entry.number} (${action.entry.taskId}) cannot be merged (GitHub answered 405)`,
              ),
            ],
          };
        }
        if (classifyGitHubError(error) === 'conflict')
          return { outcome: `#${action.entry.number} head moved`, reconcileAgain: true };
        throw error;
      }
      const pull = snapshot.pulls.find((p) => p.number === action.entry.number);
      if (snapshot.config.merge.delete_branch && pull) await deleteBranch(octokit, repo, pull.headRef);
      return { outcome: `merged #${action.entry.number}: ${action.reason}`, reconcileAgain: true };
    }
  }
}

/** Staging protocol steps 1-3: reset staging to the base, merge each PR head, add one status commit. */
async function startBatch(
  input: ExecuteInput,
  action: Extract<MergeAction, { kind: 'start-batch' }>,
): Promise<ExecuteResult> {
  const { octokit, repo, read } = input;
  await resetBranch(octokit, repo, STAGING_BRANCH, action.baseSha);
  let head = action.baseSha;
  for (const entry of action.entries) {
    try {
      const merged = await octokit.rest.repos.merge({
        ...repo,
        base: STAGING_BRANCH,
        head: entry.headSha,
        commit_message: mergeCommitMessage(entry),
        // A 409 is a real conflict, not a transient error: @octokit/plugin-retry would retry it
        // three times (~14 s), since 409 is not in its doNotRetry list.
        request: { retries: 0 },
      });
      if (merged.status === 201) head = merged.data.sha;
    } catch (error) {
      if (classifyGitHubError(error) !== 'conflict') throw error;
      const base = read.snapshot.baseBranch;
      await reportFailure(
        input,
        entry,
        `Conflict with ${base}`,
        `This branch conflicts with \`${base}\`. Merge \`${base}\` into the branch (\`git fetch origin && git merge origin/${base}\`), resolve the conflict and push: the PR rejoins the queue when its head changes.`,
      );
      return {
        outcome: `conflict merging #${entry.number}`,
        reconcileAgain: true,
        events: [conflictEvent(entry, base, `#${entry.number} (${entry.taskId}) conflicts with ${base}`)],
      };
    }
  }
  const files = await Promise.all(
    action.statusEdits.map(async (edit) => ({
      path: edit.path,
      text: applyEdit(await fileAt(input, edit.path, head), edit),
    })),
  );
  const sha = await commitFiles(octokit, repo, {
    parentSha: head,
    files,
    message: batchCommitMessage(action.baseSha, action.entries),
  });
  await moveBranch(octokit, repo, STAGING_BRANCH, sha, false);
  for (const entry of action.entries) {
    await queueCheck(input, entry, {
      conclusion: null,
      title: `Testing the merge result on ${STAGING_BRANCH}`,
      summary: action.reason,
    });
  }
  return {
    outcome: `started batch ${action.entries.map((e) => `#${e.number}`).join(', ')}: ${action.reason}`,
    reconcileAgain: true,
  };
}

async function fileAt(input: ExecuteInput, path: string, ref: string): Promise<string> {
  const { data } = await input.octokit.rest.repos.getContent({ ...input.repo, path, ref });
  if (Array.isArray(data) || data.type !== 'file') throw new Error(`${path} is not a file at ${ref}`);
  return Buffer.from(data.content, 'base64').toString('utf8');
}

function applyEdit(text: string | undefined, edit: StatusEdit): string {
  if (text === undefined) throw new Error(`no text for ${edit.path}`);
  const withStatus = setStatus(text, edit.status);
  return edit.summary === null ? withStatus : fillSummary(withStatus, edit.summary);
}

function statusMessage(edits: readonly StatusEdit[]): string {
  const ids = edits.map((e) => e.taskId);
  const subject = ids.length === 1 ? `Complete task ${ids[0]}` : `Complete tasks ${ids.join(', ')}`;
  return `${subject}\n\n${edits.map((e) => `- ${e.taskId}: ${e.reason}`).join('\n')}\n`;
}

/** Sets the `Merge queue` check on a PR head. */
async function queueCheck(
  input: ExecuteInput,
  entry: BatchEntry,
  state: { conclusion: 'success' | 'failure' | null; title: string; summary: string },
): Promise<void> {
  const pull = input.read.snapshot.pulls.find((p) => p.number === entry.number);
  const existing = pull?.ownChecks[CHECK_NAMES.queue];
  await writeCheckRun(input.octokit, input.repo, {
    name: CHECK_NAMES.queue,
    headSha: entry.headSha,
    status: state.conclusion === null ? 'in_progress' : 'completed',
    conclusion: state.conclusion,
    title: state.title,
    summary: state.summary,
    annotations: [],
    existingId: existing?.headSha === entry.headSha ? existing.id : null,
  });
}

/** A failing `Merge queue` check on the head (the PR leaves the queue until its head changes) and one comment. */
async function reportFailure(
  input: ExecuteInput,
  entry: BatchEntry,
  title: string,
  text: string,
): Promise<void> {
  await queueCheck(input, entry, { conclusion: 'failure', title, summary: text });
  await input.octokit.rest.issues.createComment({
    ...input.repo,
    issue_number: entry.number,
    body: `**${title}** (task \`${entry.taskId}\`, head ${entry.headSha.slice(0, 7)})\n\n${text}\n\n<!-- taskgraph-coordinator:failure:${entry.headSha} -->`,
  });
}

async function deleteBranch(octokit: Octokit, repo: RepoRef, branch: string): Promise<void> {
  try {
    await octokit.rest.git.deleteRef({ ...repo, ref: `heads/${branch}` });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 404 && status !== 422) throw error;
  }
}

/** `merge.conflict`, once per PR head. */
function conflictEvent(entry: BatchEntry, base: string, message: string): CoordinatorEvent {
  return {
    type: 'merge.conflict',
    key: `merge.conflict:#${entry.number}:${entry.headSha}`,
    taskId: entry.taskId,
    pull: entry.number,
    message: `${message}; the agent must merge ${base} into its branch`,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Opens the planned draft PRs; a 422 (a PR appeared meanwhile, or nothing to compare) is not an error. */
async function openDraftPulls(input: ExecuteInput): Promise<void> {
  const base = input.read.snapshot.baseBranch;
  for (const draft of input.plan.draftPulls) {
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
    }
  }
}
