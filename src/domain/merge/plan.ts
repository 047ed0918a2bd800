/**
 * The merge planner: one pure function from a repository snapshot to a plan.
 *
 * Draft PRs: a pushed task branch without a PR gets one (see `draft-pulls.ts`).
 *
 * Follow-up (see `follow-up.ts`): derived every time from what GitHub shows, never remembered: the
 * `Merge queue` runs of promoted PRs, deletion of merged task branches, the events of merges, ready
 * tasks, completed generations and graphs, and the resumption of failure reports.
 *
 * Check runs (written only when they differ from what GitHub shows):
 * - `Task graph` on the base head: success with a summary, or failure with one annotation per error;
 *   warnings (status inversions are ordering violations) are annotated without failing. It lists what
 *   the base branch's rules mean for the app, and fails when status commits cannot reach the base
 *   (the branch rules refuse the app's pushes), naming the settings to change.
 * - `Task graph` on the head of any PR that changes the tasks directory or `.github/coordinator.yml`:
 *   the graph as it would be after the merge, failing with annotations on errors, so a broken graph
 *   is found before it lands (make it required like any check).
 * - `Merge order` on every task PR head (see `merge-order.ts`: dependencies, status edits, blocks,
 *   the fork trust gate, required reviews). A PR on a task prefix whose branch names no task gets a
 *   failing check, never silence. While the graph has errors every task PR waits.
 * - `Merge queue` on complete candidates while branch rules refuse every merge of the app: failing,
 *   naming the settings (rewritten as queued once the rules allow merging).
 * - The app's runs left in progress on a head a PR replaced (its parent): completed as neutral,
 *   "Superseded by <new head>".
 *
 * Gates: a task PR is a *candidate* when its `Merge order` verdict is ready (which needs, beyond
 * dependencies: no fork unless a maintainer took in this head, the required reviews met on the
 * head) and it is complete (`candidates.ts`). Code of a PR that fails a gate never reaches staging.
 *
 * Exactly one merge-affecting action per reconcile (a promotion's follow-on batch aside), by
 * straight-line precedence (after Tide):
 * 1. The graph has errors -> wait (nothing merges on a broken graph).
 * 2. staging: the merge train (`train.ts`): the batches on the staging branches, chained by their
 *    trailers from the base head (`coordinator/staging`, `coordinator/staging-2`, …; at most
 *    1 + `merge.parallel`). A car stands while every PR it holds is still queued at the staged head,
 *    it is no bigger than any member's bisection limit, and its failure was not already counted.
 *    The first car (built on the base head) is judged (`batch-plan.ts`):
 *    - a check it waits for failed -> fail it (`bisect.ts`): a batch of several PRs requeues each
 *      with half the size (bisection), a single PR is re-run `merge.retries` times, then ejected
 *      (failing `Merge queue` check linking the red run, one comment, `merge.failed`); the staging
 *      branch is deleted, so every car above it is rebuilt;
 *    - every check passed -> promote (fast-forward the base), after writing the app's own checks the
 *      base requires (`Merge order`, `Task graph`) on the staging head; the car above becomes first.
 *      The promotion carries the batch rule 4 would start next with this car gone (`then`: its
 *      branch free, its files and head no longer hold a candidate back, its status edits count as
 *      done), staged once the fast-forward took effect; none when the base owes edits that land on
 *      their own once the train is empty (rule 3), or when no PR would be in it;
 *    - a check has not appeared within `merge.checks_timeout` of the staging commit -> eject its PRs,
 *      saying CI does not run on the staging branches;
 *    - otherwise it waits; cars above it are never promoted or judged before it.
 *    A batch waits for every check required by `merge.required_checks`, branch protection and
 *    rulesets; with no external check required, for the checks that reported on its PR heads
 *    (and says "merged without tests" when there were none).
 * 3. Status the base branch owes (aggregates whose dependencies completed; tasks whose PR merged but
 *    whose file says otherwise), and edits waiting on `coordinator/status`:
 *    - the app may push to the base without checks and no batch is under test -> one status commit
 *      on the base (with a batch under test, the edits ride with the next batch instead: a commit on
 *      the base would leave every car on an old base);
 *    - checks are required -> they ride with the next batch, or a batch of their own on an empty
 *      train (a status commit tested on staging like any batch; a red one is not tested again with
 *      the same edits: they wait for the next batch of PRs, and `merge.blocked` says why);
 *    - the rules refuse the app's pushes -> nothing; the `Task graph` check names the settings.
 * 4. A free staging branch and candidates not in a car (a `coordinator: priority <p>` label
 *    overrides the task's priority) -> staging: start a batch (`form-batch.ts`: merge order
 *    (`candidates.ts`: generation, files that overlap no other first, priority, critical path), at
 *    most `merge.batch_size` and every member's limit, no two PRs changing one file, nothing that
 *    changes a file a car under test changes; a PR that conflicted with a car but merges cleanly
 *    onto the base alone is held back while that car is in the train, then goes first) on top of
 *    the last car, or on the base head when the train is empty. A PR that conflicts with the base
 *    alone (the executor probes each conflict there) is reported at once. Its status commit completes its tasks and the aggregates
 *    that completes, minus what the cars below did. Unless the rules refuse the promotion that would
 *    follow (a required pull request or push restriction without a bypass for the app, linear
 *    history) -> wait, with the failing `Merge queue` checks and one `merge.blocked` event.
 *    direct: the base owes status -> commit it; else update the first candidate's branch when it
 *    is behind, else merge it with its head SHA.
 * 5. Otherwise wait.
 *
 * Candidates (`candidates.ts`) need their own required checks passed, or with
 * `merge.wait_for_pr_checks: false` (and some external check required) only none failed: the
 * staging run is then their test, and a PR in a car stays there whatever its own checks say.
 */
import { type BasePolicy, basePolicy, NO_RULES, statusRoute } from '../rules/branch-rules.js';
import { reviewVerdict } from '../rules/review-gate.js';
import { BranchIndex } from '../tasks/branch-names.js';
import type { TaskStatus } from '../tasks/types.js';
import { isOwnCheck } from './batch-checks.js';
import { batchStatusEdits, type Decision, judgeFirstCar, wait } from './batch-plan.js';
import {
  type Candidate,
  candidateOf,
  completeness,
  orderCandidates,
  type PrChecks,
  queuePositions,
} from './candidates.js';
import { checkRunDiffers, graphCheck } from './check-runs.js';
import { draftPulls } from './draft-pulls.js';
import { event } from './events.js';
import { followUp } from './follow-up.js';
import { formBatch } from './form-batch.js';
import { mergeOrder, type OrderVerdict } from './merge-order.js';
import { EMPTY_RECORD, formatQueueRecord, recordOf } from './queue-record.js';
import { autoCompletions, driftRepairs } from './status-plan.js';
import { hasTaskPrefix, type PullTask, taskOfPull } from './task-pulls.js';
import { type Car, carName, carsEdits, readTrain } from './train.js';
import {
  type BatchEntry,
  CHECK_NAMES,
  type CoordinatorEvent,
  type DesiredCheckRun,
  type Plan,
  type PullState,
  type RepoSnapshot,
  type StatusEdit,
} from './types.js';

/** Plans one reconcile of one repository. Pure: same snapshot, same plan. */
export function planReconcile(snapshot: RepoSnapshot): Plan {
  const { loaded, config } = snapshot;
  const index = new BranchIndex(loaded.graph.ids, config.branches.prefixes);
  const policy = policyOf(snapshot);
  const pending = new Map<string, TaskStatus>(
    (snapshot.pendingStatus?.edits ?? []).map((e) => [e.taskId, e.status]),
  );
  const checkRuns: DesiredCheckRun[] = [];
  const events: CoordinatorEvent[] = [];
  const want = (run: DesiredCheckRun, existing: RepoSnapshot['baseChecks'][string] | undefined) => {
    if (checkRunDiffers(run, existing)) checkRuns.push(run);
  };
  const prefix = config.branches.prefixes[0] ?? '';
  const graphBroken = loaded.errors.length > 0;

  const statusBlocked = statusBlock(snapshot, index, policy);
  const graphRun = graphCheck({
    loaded,
    headSha: snapshot.baseSha,
    prefix,
    rules: rulesLines(snapshot, policy),
    blocked: statusBlocked,
  });
  // A repository without task files (and no broken ones) is not using the app: no check at all,
  // unless an earlier graph left one on this head to correct.
  const noGraph = loaded.graph.ids.length === 0 && graphBroken === false;
  if (!noGraph || snapshot.baseChecks[CHECK_NAMES.graph])
    want(
      { ...graphRun, existingId: existingId(snapshot.baseChecks[CHECK_NAMES.graph], snapshot.baseSha) },
      snapshot.baseChecks[CHECK_NAMES.graph],
    );
  if (graphBroken)
    events.push(
      event('graph.invalid', { key: `graph.invalid:${snapshot.baseSha}`, message: graphRun.title }),
    );
  for (const warning of loaded.warnings) {
    if (warning.code !== 'status-inversion') continue;
    const key = `ordering.violation:${warning.taskId}:${snapshot.baseSha}`;
    events.push(event('ordering.violation', { key, taskId: warning.taskId, message: warning.message }));
  }

  const ready: { pull: PullState; taskId: string }[] = [];
  const readyVerdicts = new Map<number, OrderVerdict>();
  for (const pull of snapshot.pulls) {
    for (const run of pull.superseded ?? []) {
      checkRuns.push({
        name: run.name,
        headSha: run.headSha,
        status: 'completed',
        conclusion: 'neutral',
        title: `Superseded by ${pull.headSha.slice(0, 7)}`,
        summary: `#${pull.number} has a new head (${pull.headSha.slice(0, 7)}); the coordinator judges that one now.`,
        annotations: [],
        existingId: run.id,
      });
    }
    if (pull.proposed) {
      const run = graphCheck({
        loaded: pull.proposed.loaded,
        configProblems: pull.proposed.configProblems,
        headSha: pull.headSha,
        prefix,
        existing: pull.ownChecks[CHECK_NAMES.graph],
        intro: `The task graph as it would be on \`${snapshot.baseBranch}\` after this PR merges.`,
      });
      want(run, pull.ownChecks[CHECK_NAMES.graph]);
    }
    const task = classify(pull, snapshot, index);
    if (task === null) continue;
    const verdict: OrderVerdict = graphBroken
      ? {
          state: 'waiting',
          title: `Waiting: the task graph on ${snapshot.baseBranch} has errors`,
          summary: 'See the `Task graph` check on the base branch.',
          waitingFor: [],
        }
      : mergeOrder({
          pull,
          task,
          graph: loaded.graph,
          baseBranch: snapshot.baseBranch,
          trust: { fromFork: pull.fromFork === true, trustedBy: recordOf(pull).trustedBy },
          reviews:
            policy.reviews && pull.reviews
              ? reviewVerdict({
                  reviews: pull.reviews,
                  headSha: pull.headSha,
                  rule: policy.reviews,
                  ...(pull.owners ? { owners: pull.owners } : {}),
                })
              : null,
          pending,
        });
    // A ready task PR's run says its queue position, known once every PR was judged (below).
    if (task.kind === 'task' && verdict.state === 'ready') {
      ready.push({ pull, taskId: task.taskId });
      readyVerdicts.set(pull.number, verdict);
    } else want(orderRun(pull, verdict), pull.ownChecks[CHECK_NAMES.order]);
    if (task.kind === 'task') {
      const stalled = stallEvent(pull, task.taskId, snapshot.nowMs, config.notifications.stall_after);
      if (stalled) events.push(stalled);
    }
  }

  const positions = queuePositions(snapshot, ready);
  for (const { pull } of ready) {
    const verdict = readyVerdicts.get(pull.number) as OrderVerdict;
    want(
      orderRun(pull, withPosition(verdict, positions.get(pull.number))),
      pull.ownChecks[CHECK_NAMES.order],
    );
  }

  const drafts = draftPulls(snapshot, index);
  const after = followUp(snapshot, index);
  checkRuns.push(...after.checkRuns);
  events.push(...after.events);
  let decision: Decision;
  if (graphBroken) {
    decision = {
      action: wait('the task graph has errors; nothing merges until they are fixed'),
      actionEvents: [],
    };
  } else {
    decision = chooseAction(snapshot, index, ready, policy);
  }
  checkRuns.push(...(decision.checkRuns ?? []));
  events.push(...(decision.events ?? []));
  if (statusBlocked && !events.some((e) => e.type === 'merge.blocked'))
    events.push(blockedEvent(snapshot, policy));

  return {
    checkRuns,
    draftPulls: drafts,
    deleteBranches: after.deleteBranches,
    comments: after.comments,
    events,
    actionEvents: [...decision.actionEvents],
    action: decision.action,
  };
}

/** What the base branch's rules mean for the app (no rules when the snapshot has none). */
export function policyOf(snapshot: Pick<RepoSnapshot, 'rules' | 'app' | 'baseBranch'>): BasePolicy {
  return basePolicy(snapshot.rules ?? NO_RULES, {
    slug: snapshot.app?.slug ?? DEFAULT_SLUG,
    branch: snapshot.baseBranch,
  });
}

/** The slug the app is registered with from `app.yml` (used until `GET /app` says otherwise). */
export const DEFAULT_SLUG = 'taskgraph-coordinator';

/** Task of a PR, `unknown` for a task-prefixed branch naming no task, null when it is not a task PR. */
function classify(pull: PullState, snapshot: RepoSnapshot, index: BranchIndex): PullTask | null {
  const task = taskOfPull(pull, snapshot.loaded.graph, index);
  if (task.kind !== 'not-a-task') return task;
  if (!hasTaskPrefix(pull.headRef, snapshot.config.branches.prefixes)) return null;
  return {
    kind: 'unknown',
    reason: `branch ${pull.headRef} has a task prefix, but no task id normalizes to it`,
  };
}

/** Edits the base owes now: aggregates whose dependencies completed, and drift repairs. */
function owedEdits(snapshot: RepoSnapshot, index: BranchIndex): StatusEdit[] {
  const { loaded, config } = snapshot;
  const owed = [
    ...autoCompletions({
      graph: loaded.graph,
      generations: loaded.generations,
      levels: config.status.auto_complete_levels,
      paths: snapshot.taskPaths,
      provisional: new Set(snapshot.adoption?.taskIds ?? []),
    }),
    ...driftRepairs({
      graph: loaded.graph,
      index,
      merged: snapshot.recentlyMerged,
      paths: snapshot.taskPaths,
    }),
  ];
  const seen = new Set<string>();
  return owed.filter((e) => !seen.has(e.taskId) && seen.add(e.taskId));
}

function chooseAction(
  snapshot: RepoSnapshot,
  index: BranchIndex,
  ready: readonly { pull: PullState; taskId: string }[],
  policy: BasePolicy,
): Decision {
  const { loaded, config } = snapshot;
  const staging = config.merge.strategy === 'staging';
  // Optimistic entry needs a check the merge result must pass; without one, PRs wait for their own.
  const optimistic =
    staging && !config.merge.wait_for_pr_checks && snapshot.requiredChecks.some((n) => !isOwnCheck(n));
  const merged = mergedHeads(snapshot);
  const queued = ready.filter(({ pull }) => !merged.has(`${pull.number}@${pull.headSha}`));
  const toCandidate = ({ pull, taskId }: { pull: PullState; taskId: string }) =>
    candidateOf(loaded, pull, taskId);
  const isComplete = (pull: PullState, mode: PrChecks) =>
    completeness(pull, config, snapshot.requiredChecks, mode).complete;
  const candidates = orderCandidates(
    queued.filter(({ pull }) => isComplete(pull, optimistic ? 'not-failed' : 'passed')).map(toCandidate),
  );
  const queueChecks = staging ? queueChecksUnderRules(snapshot, candidates, policy) : [];
  if (!staging) return directAction(snapshot, index, candidates, ready);

  // The train: a PR stays in its car while it is queued at the staged head.
  const inQueue = new Map(
    queued
      .filter(({ pull }) => isComplete(pull, optimistic ? 'ignored' : 'passed'))
      .map((q) => [q.pull.number, q.pull]),
  );
  const queuedRecord = (entry: BatchEntry) => {
    const pull = inQueue.get(entry.number);
    return pull && pull.headSha === entry.headSha ? recordOf(pull) : null;
  };
  const train = readTrain(snapshot, queuedRecord);
  const first = train.cars[0];
  let waiting: string | null = null;
  if (first) {
    const judged = judgeFirstCar(snapshot, first, (entry) => queuedRecord(entry) ?? EMPTY_RECORD);
    if ('decision' in judged) {
      const decision = {
        ...judged.decision,
        checkRuns: [...(judged.decision.checkRuns ?? []), ...queueChecks],
      };
      if (decision.action.kind !== 'promote') return decision;
      // The batch the next reconcile would start once this car is on the base rides along.
      const then = next(first).action;
      return then.kind === 'start-batch' && then.entries.length > 0
        ? { ...decision, action: { ...decision.action, then } }
        : decision;
    }
    waiting = judged.waiting;
  }
  return next(null);

  /**
   * The action after the judgement of the first car: a status commit, or the next batch. With
   * `leaving` (the first car, about to be promoted) it plans the batch to stage right after the
   * promotion: the car's PRs and status edits count as done, its branch is free, and its files and
   * head no longer hold a candidate back (they are the base's now). Anything but a batch of PRs is
   * left to the next reconcile.
   */
  function next(leaving: Car | null): Decision {
    const ahead = leaving ? train.cars.slice(1) : train.cars;
    const owed = owedEdits(snapshot, index);
    const path = statusRoute(policy);
    // Edits a command left on coordinator/status while a batch was under test land directly once
    // the train is empty (when the rules let the app push without checks).
    const pendingStatus = path === 'direct' ? snapshot.pendingStatus : null;
    const waitingEdits = (pendingStatus?.edits ?? []).flatMap((e) => {
      const file = snapshot.taskPaths.get(e.taskId);
      return file ? [{ ...e, path: file }] : [];
    });
    if (leaving) {
      // Edits that land on their own once the train is empty go first: no follow-on then.
      const done = carsEdits([leaving]).edited;
      const owes =
        owed.some((e) => !done.has(e.taskId)) ||
        (waitingEdits.length > 0 && leaving.batch.statusSha !== pendingStatus?.sha);
      if (ahead.length === 0 && owes && path === 'direct')
        return { action: wait('the base owes status edits of its own'), actionEvents: [] };
    }
    if (train.cars.length === 0 && (owed.length > 0 || waitingEdits.length > 0) && path === 'direct') {
      const ids = [...waitingEdits.map((e) => e.taskId), ...owed.map((e) => e.taskId)];
      const reason = `the base branch owes ${ids.length} status edit${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}`;
      return {
        action: {
          kind: 'commit-status',
          baseSha: snapshot.baseSha,
          edits: owed.filter((e) => !waitingEdits.some((w) => w.path === e.path)),
          reason,
          ...(pendingStatus && waitingEdits.length > 0
            ? { pending: { sha: pendingStatus.sha, edits: waitingEdits } }
            : {}),
        },
        actionEvents: [],
        checkRuns: queueChecks,
      };
    }
    // With a train under test, owed edits ride with the next batch (a commit on the base would
    // leave every car built on an old base).
    const viaStaging = path === 'refused' ? [] : owed;
    const blockers = [...policy.pushBlockers, ...policy.mergeCommitBlockers];
    if (candidates.length > 0 && blockers.length > 0) {
      return {
        action: wait(
          `branch rules refuse the promotion of any batch: ${blockers.map((b) => b.setting).join('; ')}`,
        ),
        actionEvents: [],
        checkRuns: queueChecks,
        events: [blockedEvent(snapshot, policy)],
      };
    }
    const busy = () => {
      const more = train.cars.slice(1);
      if (train.cars.length === 0 || waiting === null) return waitReason(snapshot, ready);
      if (more.length === 0) return waiting;
      return `${waiting}; ${more.length} more batch${more.length === 1 ? '' : 'es'} under test: ${more.map((c) => `${carName(c)} on ${c.branch}`).join(', ')}`;
    };
    const branch = train.free[0] ?? leaving?.branch;
    if (!branch) return { action: wait(busy()), actionEvents: [], checkRuns: queueChecks };

    const inTrain = new Set(train.cars.flatMap((c) => c.batch.entries.map((e) => e.number)));
    const trainFiles = new Set(
      ahead.flatMap((c) => c.batch.entries.flatMap((e) => inQueue.get(e.number)?.changedFiles ?? [])),
    );
    const pick = formBatch({
      candidates: candidates.filter((c) => !inTrain.has(c.pull.number)),
      record: (c) => recordOf(c.pull),
      batchSize: config.merge.batch_size,
      trainFiles,
      trainHeads: new Set(ahead.map((c) => c.sha)),
    });
    const lower = carsEdits(train.cars);
    const extra = viaStaging.filter((e) => !lower.edited.has(e.taskId));
    const pending = snapshot.pendingStatus ?? null;
    const statusSha =
      pending && !train.cars.some((c) => c.batch.statusSha === pending.sha) ? pending.sha : null;
    const top = train.cars.at(-1)?.sha ?? snapshot.baseSha;

    if (pick.batch.length === 0) {
      const why =
        pick.held.length > 0
          ? `${pick.held.map((c) => `#${c.pull.number}`).join(', ')} conflicted with a batch under test and go${pick.held.length === 1 ? 'es' : ''} first once it has left the train; ${busy()}`
          : pick.deferred.length > 0
            ? `${pick.deferred.map((c) => `#${c.pull.number}`).join(', ')} change files a batch under test changes and wait for it; ${busy()}`
            : busy();
      const statusOnly = train.cars.length === 0 && path === 'staging' && (extra.length > 0 || statusSha);
      if (!statusOnly) return { action: wait(why), actionEvents: [], checkRuns: queueChecks };
      const edits = batchStatusEdits(snapshot, [], extra);
      const failed = train.failedStatus;
      if (failed && sameStatusBatch(failed.batch, statusSha, edits))
        return {
          action: wait(
            `the status commit ${failed.sha.slice(0, 7)} failed its checks on ${failed.branch}; its edits wait for the next batch of PRs`,
          ),
          actionEvents: [],
          checkRuns: queueChecks,
          events: [
            event('merge.blocked', {
              key: `merge.blocked:status-red:${failed.sha}`,
              message: `The status commit of ${snapshot.baseBranch} tested on ${failed.branch} failed its required checks, so the base's own CI may be red. Its edits are tested again with the next batch of PRs.`,
            }),
          ],
        };
      const what = [
        ...(statusSha && pending
          ? [
              `the status edits waiting on coordinator/status (${pending.edits.map((e) => `${e.taskId} → ${e.status}`).join(', ')})`,
            ]
          : []),
        ...(edits.length > 0
          ? [
              `${edits.length} status edit${edits.length === 1 ? '' : 's'} the base owes (${edits.map((e) => e.taskId).join(', ')})`,
            ]
          : []),
      ].join(' and ');
      return {
        action: {
          kind: 'start-batch',
          branch,
          baseSha: snapshot.baseSha,
          onBase: true,
          entries: [],
          statusEdits: edits,
          statusInputs: { lowerCompleted: [], lowerEdited: [], extra },
          statusSha,
          reason: `the base branch requires checks, so ${what} are tested on ${branch} first`,
        },
        actionEvents: [],
        checkRuns: queueChecks,
      };
    }

    const batch = pick.batch.map((c) => ({
      entry: { number: c.pull.number, headSha: c.pull.headSha, taskId: c.taskId },
      pull: c.pull,
    }));
    const entries = batch.map((b) => b.entry);
    const statusEdits = batchStatusEdits(snapshot, batch, extra, lower);
    const where =
      ahead.length > 0
        ? `on top of ${ahead.length} batch${ahead.length === 1 ? '' : 'es'} under test (speculation)`
        : `on ${snapshot.baseBranch}`;
    const reason = `${entries.map((e) => `#${e.number} (${e.taskId})`).join(', ')} ${entries.length === 1 ? 'is' : 'are'} complete and ready (generation ${pick.batch[0]?.generation}; ${candidates.length} ready), tested ${where}`;
    return {
      action: {
        kind: 'start-batch',
        branch,
        baseSha: top,
        onBase: ahead.length === 0,
        entries,
        statusEdits,
        statusInputs: { lowerCompleted: [...lower.completed], lowerEdited: [...lower.edited], extra },
        statusSha,
        reason,
      },
      actionEvents: [],
      checkRuns: queueChecks,
    };
  }
}

/** The direct strategy: the first candidate is brought up to date, then merged through the API. */
function directAction(
  snapshot: RepoSnapshot,
  index: BranchIndex,
  candidates: readonly Candidate[],
  ready: readonly { pull: PullState; taskId: string }[],
): Decision {
  const owed = owedEdits(snapshot, index);
  if (owed.length > 0) {
    const reason = `the base branch owes ${owed.length} status edit${owed.length === 1 ? '' : 's'}: ${owed.map((e) => e.taskId).join(', ')}`;
    return {
      action: { kind: 'commit-status', baseSha: snapshot.baseSha, edits: owed, reason },
      actionEvents: [],
    };
  }
  const first = candidates[0];
  if (!first) return { action: wait(waitReason(snapshot, ready)), actionEvents: [] };
  const entry: BatchEntry = { number: first.pull.number, headSha: first.pull.headSha, taskId: first.taskId };
  if (first.pull.mergeableState === 'behind') {
    return {
      action: { kind: 'update-branch', entry, reason: `#${entry.number} is behind ${snapshot.baseBranch}` },
      actionEvents: [],
    };
  }
  const reason = `#${entry.number} (${entry.taskId}) is complete and ready (generation ${first.generation}, first of ${candidates.length} ready)`;
  return {
    action: { kind: 'merge-pull', entry, method: snapshot.config.merge.method, reason },
    actionEvents: [],
  };
}

/** PR heads that already reached the base: in its recent batches, or on a staging branch at the base head. */
function mergedHeads(snapshot: RepoSnapshot): Set<string> {
  const heads = new Set<string>();
  for (const p of snapshot.promoted ?? []) heads.add(`${p.entry.number}@${p.entry.headSha}`);
  for (const s of snapshot.staging)
    if (s.sha === snapshot.baseSha)
      for (const e of s.batch?.entries ?? []) heads.add(`${e.number}@${e.headSha}`);
  return heads;
}

/** Whether a status-only batch would carry exactly what a red one carried. */
function sameStatusBatch(
  batch: Car['batch'],
  statusSha: string | null,
  edits: readonly StatusEdit[],
): boolean {
  const key = (list: readonly { taskId: string; status: string }[]) =>
    list
      .map((e) => `${e.taskId} ${e.status}`)
      .sort()
      .join('|');
  return (batch.statusSha ?? null) === statusSha && key(batch.edits ?? []) === key(edits);
}

/**
 * `Merge queue` checks while branch rules refuse every merge: failing on each complete candidate,
 * naming the settings; once the rules allow merging, such runs become neutral "Queued" again.
 */
function queueChecksUnderRules(
  snapshot: RepoSnapshot,
  candidates: readonly Candidate[],
  policy: BasePolicy,
): DesiredCheckRun[] {
  const blockers = [...policy.pushBlockers, ...policy.mergeCommitBlockers];
  const runs: DesiredCheckRun[] = [];
  for (const pull of snapshot.pulls) {
    const existing = pull.ownChecks[CHECK_NAMES.queue];
    const onHead = existing?.headSha === pull.headSha ? existing : undefined;
    const record = recordOf(pull);
    const isCandidate = candidates.some((c) => c.pull.number === pull.number);
    if (blockers.length > 0 && isCandidate) {
      const run: DesiredCheckRun = {
        name: CHECK_NAMES.queue,
        headSha: pull.headSha,
        status: 'completed',
        conclusion: 'failure',
        title: 'Blocked: branch rules refuse the merge',
        summary: blockedText(snapshot, blockers),
        annotations: [],
        existingId: onHead?.id ?? null,
        externalId: formatQueueRecord({ ...record, blockedByRules: true }),
      };
      if (checkRunDiffers(run, onHead)) runs.push(run);
    } else if (record.blockedByRules && onHead) {
      runs.push({
        name: CHECK_NAMES.queue,
        headSha: pull.headSha,
        status: 'completed',
        conclusion: 'neutral',
        title: 'Queued: the branch rules allow merging now',
        summary: 'The branch rules that blocked merging were changed; this PR is back in the queue.',
        annotations: [],
        existingId: onHead.id,
        externalId: formatQueueRecord({ ...record, blockedByRules: false }),
      });
    }
  }
  return runs;
}

function blockedText(snapshot: RepoSnapshot, blockers: readonly { setting: string; fix: string }[]): string {
  return [
    `The coordinator cannot move \`${snapshot.baseBranch}\`: its rules refuse the app's push of the tested merge result. Change:`,
    '',
    ...blockers.map((b) => `- ${b.setting}: ${b.fix}.`),
    '',
    'Nothing is retried until then; this check turns back to queued once the rules allow it (every reconcile reads them again).',
  ].join('\n');
}

/** `merge.blocked`, once per set of blocking settings. */
function blockedEvent(snapshot: RepoSnapshot, policy: BasePolicy): CoordinatorEvent {
  const blockers = [...policy.pushBlockers, ...policy.mergeCommitBlockers];
  const fingerprint = blockers
    .map((b) => b.setting)
    .sort()
    .join('|');
  return event('merge.blocked', {
    key: `merge.blocked:${fingerprint}`,
    message: `Branch rules of ${snapshot.baseBranch} refuse the coordinator's pushes: ${blockers.map((b) => `${b.setting} (${b.fix})`).join('; ')}`,
  });
}

/** When status commits are owed or waiting and the rules refuse them: what the `Task graph` check says. */
function statusBlock(snapshot: RepoSnapshot, index: BranchIndex, policy: BasePolicy) {
  if (statusRoute(policy) !== 'refused') return null;
  const owed = owedEdits(snapshot, index);
  const waiting = snapshot.pendingStatus?.edits ?? [];
  if (owed.length === 0 && waiting.length === 0) return null;
  return {
    title: 'Status commits are blocked by branch rules',
    lines: [
      `The coordinator owes \`${snapshot.baseBranch}\` status edits (${[...owed.map((e) => e.taskId), ...waiting.map((e) => e.taskId)].join(', ')}), but its rules refuse the app's pushes. Change:`,
      '',
      ...policy.pushBlockers.map((b) => `- ${b.setting}: ${b.fix}.`),
    ],
  };
}

/** Lines of the `Task graph` check about the base branch's rules. */
function rulesLines(snapshot: RepoSnapshot, policy: BasePolicy): string[] {
  const lines: string[] = [];
  if (policy.requiredChecks.length > 0)
    lines.push(
      `- Required checks on \`${snapshot.baseBranch}\`: ${policy.requiredChecks.map((c) => `\`${c.context}\` (${c.source})`).join(', ')}.`,
    );
  if (policy.reviews)
    lines.push(
      `- Required reviews: ${policy.reviews.count} approving (${policy.reviews.source}${policy.reviews.dismissStale ? ', stale ones dismissed' : ''}${policy.reviews.codeOwners ? ', code owners' : ''}); the coordinator checks them on each PR head.`,
    );
  const path = statusRoute(policy);
  if (path === 'staging')
    lines.push(
      '- Status commits are tested on `coordinator/staging` before they reach the base (the rules require checks the app cannot bypass).',
    );
  for (const b of [...policy.pushBlockers, ...policy.mergeCommitBlockers])
    lines.push(`- Blocking the app: ${b.setting}. Fix: ${b.fix}.`);
  for (const note of policy.notes) lines.push(`- ${note}`);
  return lines;
}

/**
 * `task.stalled` for a task PR with no activity (GitHub's `updated_at`) for `stallAfterMs`; keyed by
 * that time, so it is raised once per stall and again only after new activity and a new stall.
 */
function stallEvent(
  pull: PullState,
  taskId: string,
  nowMs: number,
  stallAfterMs: number,
): CoordinatorEvent | null {
  const last = Date.parse(pull.updatedAt);
  if (Number.isNaN(last) || nowMs - last < stallAfterMs) return null;
  const hours = Math.floor((nowMs - last) / 3_600_000);
  const idle = hours >= 1 ? `${hours} h` : `${Math.floor((nowMs - last) / 60_000)} min`;
  return event('task.stalled', {
    key: `task.stalled:#${pull.number}:${pull.updatedAt}`,
    taskId,
    pull: pull.number,
    message: `#${pull.number} (${taskId}) has had no activity for ${idle}${pull.draft ? ' (still a draft)' : ''}`,
  });
}

/**
 * A ready verdict with the PR's place in the merge queue (a complete PR), as the dashboard shows it.
 * Only the position, not the queue's length: a PR joining behind would otherwise rewrite every run
 * ahead of it (each rewrite is a throttled write; the bench counted 7 more writes per merged task).
 */
function withPosition(verdict: OrderVerdict, at: { position: number } | undefined): OrderVerdict {
  if (!at) return verdict;
  return {
    ...verdict,
    title: `Ready: position ${at.position} in the merge queue`,
    summary: `${verdict.summary}\n\nPosition ${at.position} among the complete PRs, in merge order: lowest generation first, then PRs whose files overlap no other, then priority, then the longest chain of dependent tasks, then the oldest. The dashboard issue shows the whole queue.`,
  };
}

function orderRun(pull: PullState, verdict: OrderVerdict): DesiredCheckRun {
  const conclusion = verdict.state === 'ready' ? 'success' : verdict.state === 'refused' ? 'failure' : null;
  return {
    name: CHECK_NAMES.order,
    headSha: pull.headSha,
    status: verdict.state === 'waiting' ? 'in_progress' : 'completed',
    conclusion,
    title: verdict.title,
    summary: verdict.summary,
    annotations: [],
    existingId: existingId(pull.ownChecks[CHECK_NAMES.order], pull.headSha),
  };
}

function existingId(run: { id: number; headSha: string } | undefined, headSha: string): number | null {
  return run?.headSha === headSha ? run.id : null;
}

function waitReason(snapshot: RepoSnapshot, ready: readonly { pull: PullState; taskId: string }[]): string {
  if (ready.length === 0) return 'no task PR is ready to merge';
  const reasons = ready.map(({ pull }) => {
    const c = completeness(pull, snapshot.config, snapshot.requiredChecks);
    return `#${pull.number}: ${c.complete ? 'just merged' : c.reason}`;
  });
  return `no ready task PR is complete (${reasons.join('; ')})`;
}
