/**
 * Staging protocol steps 1-3 for one batch (a car of the train). The batch is assembled on
 * `coordinator/build`: reset to what the batch is built on (the base head, or the car below), the
 * pending status edits (`coordinator/status`) and each PR head merged onto it, then one status
 * commit whose trailers describe the batch. Only then does the batch's staging branch move to it,
 * in one push, so CI runs once per batch.
 *
 * A PR that conflicts is reported when it was merged onto the base alone (the first PR of a batch
 * built on the base head). Otherwise it is left out of the batch, and once the batch is staged the
 * build branch probes it on the base alone: a conflict there is its own and is reported at once
 * (its agent can merge the base now, instead of after the train drained); a clean merge means it
 * conflicted with the batch ahead of it, so it is not reported, and its record says so (`held`):
 * it waits until that car has left the train, then goes first in the next batch.
 * A merge GitHub refuses (a workflow change without the `workflows` permission, a rule on the
 * branch) is reported on that PR, and the rest of the batch goes on without it.
 */

import { fileAt } from '../adapters/github/read-base.js';
import { STATUS_BRANCH } from '../adapters/github/read-staging.js';
import { batchStatusEdits } from '../domain/merge/batch-plan.js';
import { batchCommitMessage, mergeCommitMessage } from '../domain/merge/batch-trailers.js';
import { formatQueueRecord, recordOf } from '../domain/merge/queue-record.js';
import { conflictText } from '../domain/merge/reports.js';
import {
  type BatchEntry,
  BUILD_BRANCH,
  type CoordinatorEvent,
  type MergeAction,
} from '../domain/merge/types.js';
import { explainRefusal } from '../domain/rules/refusals.js';
import { applyEdit, type ExecuteInput, type ExecuteResult, refusalContext } from './execute-plan.js';
import { queueCheck, reportFailure } from './report-failure.js';

type StartBatch = Extract<MergeAction, { kind: 'start-batch' }>;

/** Builds and stages one batch. @throws octokit errors other than the conflicts and refusals handled here. */
export async function stageBatch(input: ExecuteInput, action: StartBatch): Promise<ExecuteResult> {
  const { writer, read } = input;
  const base = read.snapshot.baseBranch;
  const reset = await writer.reset(BUILD_BRANCH, action.baseSha);
  if (reset.kind === 'lost-race') return again(`${BUILD_BRANCH} moved while it was reset`);
  if (reset.kind === 'refused') return refusedStaging(input, action, reset, BUILD_BRANCH);
  let head = action.baseSha;
  // The tree of `head` when a merge's answer told it (the status commit then needs no read).
  let headTree: string | undefined;
  if (action.statusSha) {
    const merged = await writer.mergeInto(
      BUILD_BRANCH,
      action.statusSha,
      `Merge status edits waiting on ${STATUS_BRANCH}`,
    );
    if (merged.kind === 'merged') [head, headTree] = [merged.sha, merged.treeSha];
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
    } else if (merged.kind === 'refused') return refusedStaging(input, action, merged, BUILD_BRANCH);
  }

  const events: CoordinatorEvent[] = [];
  const staged: BatchEntry[] = [];
  const held: { entry: BatchEntry; at: string }[] = [];
  const failures: { entry: BatchEntry; failure: Failure }[] = [];
  for (const entry of action.entries) {
    const merged = await writer.mergeInto(BUILD_BRANCH, entry.headSha, mergeCommitMessage(entry));
    if (merged.kind === 'merged' || merged.kind === 'noop') {
      if (merged.kind === 'merged') [head, headTree] = [merged.sha, merged.treeSha];
      staged.push(entry);
      continue;
    }
    if (merged.kind === 'conflict' && !(action.onBase && staged.length === 0)) {
      held.push({ entry, at: head });
      continue;
    }
    if (merged.kind === 'conflict') {
      failures.push({ entry, failure: conflictFailure(entry, base) });
      continue;
    }
    const refusal = explainRefusal(merged, refusalContext(input, `\`${action.branch}\``));
    failures.push({ entry, failure: { kind: 'refused', title: refusal.title, text: refusal.text } });
  }
  // Reports (a check and a comment each; comments are throttled, about 3 s apart on GitHub) are
  // written once the batch is staged, so CI never waits for them.
  const report = async () => {
    for (const { entry, failure } of failures) events.push(await reportFailure(input, entry, failure));
  };
  const dropped = staged.length < action.entries.length;
  if (staged.length === 0 && action.entries.length > 0) {
    await report();
    const probed = await probeHeld(input, held);
    events.push(...probed.events);
    return {
      outcome: `no PR of the batch could be staged (${probed.held.length} held back, ${events.length} reported)`,
      reconcileAgain: events.length > 0,
      events,
    };
  }
  const edits = dropped ? recomputedEdits(input, action, staged) : action.statusEdits;
  const unchanged = unchangedTexts(input, action, staged);
  const files = await Promise.all(
    edits.map(async (edit) => ({
      path: edit.path,
      text: applyEdit(
        unchanged.get(edit.path) ?? (await fileAt(input.octokit, input.repo, edit.path, head)),
        edit,
      ),
    })),
  );
  const sha = await writer.commit({
    parentSha: head,
    files,
    message: batchCommitMessage(action.baseSha, staged, action.statusSha ?? null, edits),
    ...(headTree ? { parentTreeSha: headTree } : {}),
  });
  const exists = read.snapshot.staging.some((s) => s.branch === action.branch);
  const moved = await writer.reset(action.branch, sha, exists);
  if (moved.kind === 'lost-race') return again(`${action.branch} moved while the batch was built`);
  if (moved.kind === 'refused') return refusedStaging(input, action, moved, action.branch);
  await report();
  const probed = await probeHeld(input, held);
  events.push(...probed.events);
  const names = staged.map((e) => `#${e.number}`).join(', ');
  for (const entry of staged) {
    const pull = read.snapshot.pulls.find((p) => p.number === entry.number);
    const record = pull ? recordOf(pull) : null;
    await queueCheck(input, entry, {
      conclusion: null,
      title: `Testing the merge result on ${action.branch}`,
      summary: `${action.reason}.\n\nThe batch: ${names}${action.onBase ? '' : `, on top of the batches ahead of it (speculation: it is tested as ${base} will be once they merge)`}.`,
      ...(record?.held ? { externalId: formatQueueRecord({ ...record, held: null }) } : {}),
    });
  }
  const what = staged.length > 0 ? names : 'status edits';
  return {
    outcome: `started batch ${what} on ${action.branch}${probed.held.length > 0 ? ` (${probed.held.map((n) => `#${n}`).join(', ')} held back)` : ''}: ${action.reason}`,
    reconcileAgain: true,
    events,
    staged: staged.length,
  };
}

type Failure = Parameters<typeof reportFailure>[2];

/**
 * The task files' texts at the batch's head when they are the ones the snapshot read at the base
 * head: the batch is built on that head, merges no `coordinator/status` edits, and none of its PRs
 * changes (or renames) a task file, which a PR that does shows by the graph it proposes. Otherwise
 * none: every file is read at the head (a PR or a car below may have changed it).
 */
function unchangedTexts(
  input: ExecuteInput,
  action: StartBatch,
  staged: readonly BatchEntry[],
): ReadonlyMap<string, string> {
  const { snapshot, taskTexts } = input.read;
  if (action.baseSha !== snapshot.baseSha || action.statusSha) return new Map();
  const pulls = staged.map((entry) => snapshot.pulls.find((p) => p.number === entry.number));
  return pulls.some((p) => p === undefined || p.proposed) ? new Map() : taskTexts;
}

/** What a PR that conflicts with the base is told. */
function conflictFailure(entry: BatchEntry, base: string): Failure {
  return {
    kind: 'conflict',
    title: `Conflict with ${base}`,
    text: conflictText(base),
    message: `#${entry.number} (${entry.taskId}) conflicts with ${base}; the agent must merge ${base} into its branch`,
  };
}

/** The status commit for the PRs that made it into the batch (some were left out). */
function recomputedEdits(input: ExecuteInput, action: StartBatch, staged: readonly BatchEntry[]) {
  const { snapshot } = input.read;
  const batch = staged.flatMap((entry) => {
    const pull = snapshot.pulls.find((p) => p.number === entry.number);
    return pull ? [{ entry, pull }] : [];
  });
  return batchStatusEdits(snapshot, batch, action.statusInputs.extra, {
    completed: action.statusInputs.lowerCompleted,
    edited: action.statusInputs.lowerEdited,
  });
}

/**
 * The PRs that conflicted with the batch ahead of them, each merged onto the base head alone on the
 * build branch (free again once the batch is staged): a conflict there is the PR's own and is
 * reported; otherwise it is held back. A probe GitHub refuses holds the PR back (the next batch
 * tries it again). @returns the events of the reported PRs and the numbers of the held ones.
 * @throws octokit errors other than a conflict or a refusal.
 */
async function probeHeld(
  input: ExecuteInput,
  held: readonly { entry: BatchEntry; at: string }[],
): Promise<{ events: CoordinatorEvent[]; held: number[] }> {
  const { writer } = input;
  const base = input.read.snapshot.baseBranch;
  const events: CoordinatorEvent[] = [];
  const kept: number[] = [];
  for (const { entry, at } of held) {
    const reset = await writer.reset(BUILD_BRANCH, input.read.snapshot.baseSha);
    const probe =
      reset.kind === 'moved'
        ? await writer.mergeInto(BUILD_BRANCH, entry.headSha, mergeCommitMessage(entry))
        : null;
    if (probe?.kind === 'conflict') {
      events.push(await reportFailure(input, entry, conflictFailure(entry, base)));
      continue;
    }
    await holdBack(input, entry, at);
    kept.push(entry.number);
  }
  return { events, held: kept };
}

/** Records that a PR conflicted with the batch ahead of it, and says so on its `Merge queue` check. */
async function holdBack(input: ExecuteInput, entry: BatchEntry, at: string): Promise<void> {
  const pull = input.read.snapshot.pulls.find((p) => p.number === entry.number);
  const record =
    pull && pull.headSha === entry.headSha
      ? recordOf(pull)
      : recordOf({ headSha: entry.headSha, ownChecks: {} });
  await queueCheck(input, entry, {
    conclusion: null,
    title: 'Waiting: conflicts with the batch ahead of it',
    summary:
      'Merging this PR onto the batch ahead of it conflicted; that is not necessarily a conflict with the base. It goes first in the next batch built on the base itself, where a conflict would be its own and is reported.',
    externalId: formatQueueRecord({ ...record, held: at }),
  });
}

/** GitHub refused a write to a staging branch or the build branch (a ruleset on every branch, a permission). */
async function refusedStaging(
  input: ExecuteInput,
  action: StartBatch,
  refused: { status: number; message: string },
  branch: string,
): Promise<ExecuteResult> {
  const refusal = explainRefusal(refused, refusalContext(input, `\`${branch}\``));
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
    outcome: `GitHub refused a write to ${branch} (${refusal.kind})`,
    reconcileAgain: action.entries.length > 0,
    events,
  };
}

function again(why: string): ExecuteResult {
  return { outcome: `${why}; reconciling again`, reconcileAgain: true, actionTookEffect: false };
}
