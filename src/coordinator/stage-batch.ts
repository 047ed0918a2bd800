/**
 * Staging protocol steps 1-3 for one batch: point `coordinator/staging` at the base head, merge the
 * pending status edits (`coordinator/status`) and each PR head onto it, then add one status commit
 * whose trailers describe the batch. A PR that conflicts, or whose merge GitHub refuses (a workflow
 * change without the `workflows` permission, a rule on the staging branch), is reported on that PR
 * and the repository is reconciled again at once, so the next candidate goes ahead.
 */

import { fileAt } from '../adapters/github/read-base.js';
import { STATUS_BRANCH } from '../adapters/github/read-staging.js';
import { batchCommitMessage, mergeCommitMessage } from '../domain/merge/batch-trailers.js';
import { conflictText } from '../domain/merge/reports.js';
import { type MergeAction, STAGING_BRANCH } from '../domain/merge/types.js';
import { explainRefusal } from '../domain/rules/refusals.js';
import { applyEdit, type ExecuteInput, type ExecuteResult, refusalContext } from './execute-plan.js';
import { queueCheck, reportFailure } from './report-failure.js';

export async function stageBatch(
  input: ExecuteInput,
  action: Extract<MergeAction, { kind: 'start-batch' }>,
): Promise<ExecuteResult> {
  const { writer, read } = input;
  const base = read.snapshot.baseBranch;
  const reset = await writer.reset(STAGING_BRANCH, action.baseSha);
  if (reset.kind === 'lost-race') return again(`${STAGING_BRANCH} moved while it was reset`);
  if (reset.kind === 'refused') return refusedStaging(input, action, reset);
  let head = action.baseSha;
  if (action.statusSha) {
    const merged = await writer.mergeInto(
      STAGING_BRANCH,
      action.statusSha,
      `Merge status edits waiting on ${STATUS_BRANCH}`,
    );
    if (merged.kind === 'merged') head = merged.sha;
    else if (merged.kind === 'conflict') {
      return {
        outcome: `the edits on ${STATUS_BRANCH} conflict with ${base}`,
        reconcileAgain: false,
        events: [
          {
            type: 'merge.blocked',
            key: `merge.blocked:status-conflict:${action.statusSha}`,
            taskId: null,
            pull: null,
            message: `The status edits waiting on ${STATUS_BRANCH} conflict with ${base}: delete that branch and give the commands again.`,
          },
        ],
      };
    } else if (merged.kind === 'refused') return refusedStaging(input, action, merged);
  }
  for (const entry of action.entries) {
    const merged = await writer.mergeInto(STAGING_BRANCH, entry.headSha, mergeCommitMessage(entry));
    if (merged.kind === 'merged') {
      head = merged.sha;
      continue;
    }
    if (merged.kind === 'noop') continue;
    if (merged.kind === 'conflict') {
      const event = await reportFailure(input, entry, {
        kind: 'conflict',
        title: `Conflict with ${base}`,
        text: conflictText(base),
        message: `#${entry.number} (${entry.taskId}) conflicts with ${base}; the agent must merge ${base} into its branch`,
      });
      return { outcome: `conflict merging #${entry.number}`, reconcileAgain: true, events: [event] };
    }
    const refusal = explainRefusal(merged, refusalContext(input, `\`${STAGING_BRANCH}\``));
    const event = await reportFailure(input, entry, {
      kind: 'refused',
      title: refusal.title,
      text: refusal.text,
    });
    return {
      outcome: `GitHub refused to merge #${entry.number} onto ${STAGING_BRANCH} (${refusal.kind})`,
      reconcileAgain: true,
      events: [event],
    };
  }
  const files = await Promise.all(
    action.statusEdits.map(async (edit) => ({
      path: edit.path,
      text: applyEdit(await fileAt(input.octokit, input.repo, edit.path, head), edit),
    })),
  );
  const sha = await writer.commit({
    parentSha: head,
    files,
    message: batchCommitMessage(
      action.baseSha,
      action.entries,
      action.statusSha ?? null,
      action.statusEdits.map((e) => e.taskId),
    ),
  });
  const moved = await writer.move(STAGING_BRANCH, sha, false);
  if (moved.kind === 'lost-race') return again(`${STAGING_BRANCH} moved while the batch was built`);
  if (moved.kind === 'refused') return refusedStaging(input, action, moved);
  for (const entry of action.entries) {
    await queueCheck(input, entry, {
      conclusion: null,
      title: `Testing the merge result on ${STAGING_BRANCH}`,
      summary: action.reason,
    });
  }
  const what =
    action.entries.length > 0 ? action.entries.map((e) => `#${e.number}`).join(', ') : 'status edits';
  return { outcome: `started batch ${what}: ${action.reason}`, reconcileAgain: true };
}

/** GitHub refused a write to the staging branch itself (a ruleset on every branch, a permission). */
async function refusedStaging(
  input: ExecuteInput,
  action: Extract<MergeAction, { kind: 'start-batch' }>,
  refused: { status: number; message: string },
): Promise<ExecuteResult> {
  const refusal = explainRefusal(refused, refusalContext(input, `\`${STAGING_BRANCH}\``));
  const events = [];
  for (const entry of action.entries)
    events.push(
      await reportFailure(input, entry, { kind: 'refused', title: refusal.title, text: refusal.text }),
    );
  if (action.entries.length === 0)
    events.push({
      type: 'merge.blocked' as const,
      key: `merge.blocked:staging:${refusal.kind}:${action.baseSha}`,
      taskId: null,
      pull: null,
      message: `${refusal.title}. ${refusal.text.split('\n')[0]}`,
    });
  return {
    outcome: `GitHub refused a write to ${STAGING_BRANCH} (${refusal.kind})`,
    reconcileAgain: action.entries.length > 0,
    events,
  };
}

function again(why: string): ExecuteResult {
  return { outcome: `${why}; reconciling again`, reconcileAgain: true, actionTookEffect: false };
}
