/**
 * What each accepted command does. Queue intent becomes PR labels, task status becomes a commit on
 * the base branch (never a file in the PR), `retry` clears the app's own failing `Merge queue`
 * check at the same head. Every verb is idempotent: repeating it changes nothing and says so.
 */
import { commitTaskEdit, type TaskEditResult } from '../../adapters/github/commit-task-edit.js';
import { batchUnderTest, STATUS_BRANCH } from '../../adapters/github/read-staging.js';
import { helpText } from '../../domain/commands/help.js';
import { labelEdit } from '../../domain/commands/labels.js';
import type { Command, Priority } from '../../domain/commands/parse-commands.js';
import { statusReport } from '../../domain/commands/status-report.js';
import { mergeOrder } from '../../domain/merge/merge-order.js';
import { formatQueueRecord, parseQueueRecord } from '../../domain/merge/queue-record.js';
import { taskOfPull } from '../../domain/merge/task-pulls.js';
import { CHECK_NAMES, type CoordinatorEvent, LABELS } from '../../domain/merge/types.js';
import { BranchIndex } from '../../domain/tasks/branch-names.js';
import { addNote, setStatus } from '../../domain/tasks/status-edit.js';
import type { TaskStatus } from '../../domain/tasks/types.js';
import { adoptRepository } from '../adoption.js';
import { retryHead } from '../retry-head.js';
import { CommandRefusal, type CommandScope, type VerbOutcome } from './run-comment.js';

const ok = (text: string | null, changed: boolean, events?: CoordinatorEvent[]): VerbOutcome => ({
  accepted: true,
  changed,
  text,
  ...(events ? { events } : {}),
});

/** Runs one authorized command. @throws CommandRefusal with the reason, or octokit errors. */
export async function runVerb(scope: CommandScope, command: Command): Promise<VerbOutcome> {
  const who = `@${scope.comment.author}`;
  switch (command.verb) {
    case 'help':
      return ok(helpText(), false);
    case 'sync':
      scope.deps.poke();
      return ok(null, false);
    case 'merge':
    case 'dequeue':
    case 'hold':
    case 'unhold':
      return editLabels(scope, command.verb);
    case 'priority':
      return editLabels(scope, command.verb, command.priority);
    case 'retry':
      return retry(scope, who);
    case 'block':
      return setTaskStatus(scope, {
        status: 'blocked',
        note: `Blocked: ${command.reason} (${who}, ${scope.comment.commentUrl})`,
        event: 'task.blocked',
        message: (id) => `${id} is blocked by ${who}: ${command.reason}`,
      });
    case 'unblock':
      return setTaskStatus(scope, {
        status: 'pending',
        note: `Unblocked (${who}, ${scope.comment.commentUrl})`,
        event: 'task.unblocked',
        message: (id) => `${id} is unblocked by ${who}`,
      });
    case 'complete':
      return complete(scope, command.taskId, who);
    case 'status':
      return status(scope);
    case 'notify':
      return notify(scope, command);
    case 'adopt':
      return adopt(scope);
  }
}

async function adopt(scope: CommandScope): Promise<VerbOutcome> {
  const [config, base] = await Promise.all([scope.config(), scope.base()]);
  const { deps, octokit, comment } = scope;
  const outcome = await adoptRepository(
    { blobs: deps.blobs, log: deps.log, now: Date.now },
    octokit,
    comment.repo,
    config,
    { force: true, base },
  );
  switch (outcome.kind) {
    case 'no-graph':
      throw new CommandRefusal(
        `there are no task files under \`${config.tasks.dir}\` on \`${base.baseBranch}\``,
      );
    case 'declined':
      throw new CommandRefusal(`adoption PR #${outcome.number} was closed`); // not reached with force
    case 'nothing':
      return ok(
        outcome.closed
          ? `✔️ \`adopt\`: nothing is left to adopt; closed #${outcome.closed}`
          : '✔️ `adopt`: the task files agree with git and the configuration exists; nothing to propose',
        outcome.closed !== undefined,
      );
    default: {
      const what = [
        outcome.tasks.length > 0 ? `sets ${outcome.tasks.length} task(s) to \`completed\`` : null,
        outcome.branches > 0 ? `deletes ${outcome.branches} merged branch(es) after it merges` : null,
        outcome.config ? 'adds `.github/coordinator.yml`' : null,
      ]
        .filter(Boolean)
        .join(', ');
      const verb = outcome.kind === 'unchanged' ? 'is up to date' : outcome.kind;
      return ok(
        `✔️ \`adopt\`: adoption PR #${outcome.number} ${verb}: it ${what}`,
        outcome.kind !== 'unchanged',
      );
    }
  }
}

async function editLabels(
  scope: CommandScope,
  verb: 'merge' | 'dequeue' | 'hold' | 'unhold' | 'priority',
  priority?: Priority,
): Promise<VerbOutcome> {
  const pull = await scope.pull();
  if (pull.state !== 'open') throw new CommandRefusal(`#${pull.number} is ${pull.state}`);
  const edit = labelEdit(verb, pull.labels, priority);
  const { octokit, comment } = scope;
  if (edit.add.length > 0)
    await octokit.rest.issues.addLabels({
      ...comment.repo,
      issue_number: pull.number,
      labels: [...edit.add],
    });
  for (const name of edit.remove) {
    try {
      await octokit.rest.issues.removeLabel({ ...comment.repo, issue_number: pull.number, name });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error; // already gone
    }
  }
  const changes = [...edit.add.map((l) => `added \`${l}\``), ...edit.remove.map((l) => `removed \`${l}\``)];
  if (verb === 'merge' && pull.fromFork) changes.push(await takeIn(scope, pull));
  const changed = changes.filter(Boolean);
  if (changed.length === 0) return ok(`✔️ \`${verb}\`: nothing to change`, false);
  return ok(`✔️ \`${verb}\`: ${changed.join(', ')}`, true);
}

/**
 * `merge` on a PR from a fork: records on the head's `Merge queue` check (its `external_id`) that
 * this maintainer took in this head. A new push starts a new record, so it needs the command again.
 * @returns the reply's part ('' when this head was already taken in).
 */
async function takeIn(scope: CommandScope, pull: Awaited<ReturnType<CommandScope['pull']>>): Promise<string> {
  const { octokit, comment, deps } = scope;
  const { data } = await octokit.rest.checks.listForRef({
    ...comment.repo,
    ref: pull.headSha,
    check_name: CHECK_NAMES.queue,
    app_id: deps.appId,
    filter: 'latest',
  });
  const run = data.check_runs[0];
  const record = parseQueueRecord(run?.external_id);
  if (record.trustedBy) return '';
  const externalId = formatQueueRecord({ ...record, trustedBy: comment.author });
  const output = {
    title: `Taken in from a fork by @${comment.author}`,
    summary: `@${comment.author} took in head ${pull.headSha.slice(0, 7)} of this fork PR with \`/coordinator merge\` (${comment.commentUrl}). It merges like any task PR now; a new push needs the command again.`,
  };
  if (run)
    await octokit.rest.checks.update({
      ...comment.repo,
      check_run_id: run.id,
      external_id: externalId,
      output,
    });
  else
    await octokit.rest.checks.create({
      ...comment.repo,
      name: CHECK_NAMES.queue,
      head_sha: pull.headSha,
      status: 'completed',
      conclusion: 'neutral',
      external_id: externalId,
      output,
    });
  return `took in head ${pull.headSha.slice(0, 7)} of this fork PR (a new push needs \`merge\` again)`;
}

/** Clears the app's failing `Merge queue` run on the PR head so the same head rejoins the queue. */
async function retry(scope: CommandScope, who: string): Promise<VerbOutcome> {
  const pull = await scope.pull();
  const { octokit, comment, deps } = scope;
  const { data } = await octokit.rest.checks.listForRef({
    ...comment.repo,
    ref: pull.headSha,
    check_name: CHECK_NAMES.queue,
    app_id: deps.appId,
    filter: 'latest',
  });
  const failed = data.check_runs.find((run) => run.conclusion === 'failure');
  if (!failed) return ok('✔️ `retry`: this head has no failed merge to retry', false);
  await retryHead(
    octokit,
    comment.repo,
    { id: failed.id, title: failed.output.title ?? null, externalId: failed.external_id ?? null },
    who,
  );
  return ok(`✔️ \`retry\`: #${pull.number} rejoins the queue at ${pull.headSha.slice(0, 7)}`, true);
}

/** The task of the PR the comment is on. */
async function taskOfThisPull(scope: CommandScope): Promise<string> {
  const [pull, base, config] = await Promise.all([scope.pull(), scope.base(), scope.config()]);
  const index = new BranchIndex(base.loaded.graph.ids, config.branches.prefixes);
  const task = taskOfPull(pull, base.loaded.graph, index);
  if (task.kind === 'task') return task.taskId;
  if (task.kind === 'unknown') throw new CommandRefusal(`${task.reason}`);
  throw new CommandRefusal(`#${pull.number} is not a task PR (branch \`${pull.headRef}\`)`);
}

async function setTaskStatus(
  scope: CommandScope,
  change: {
    status: TaskStatus;
    note: string;
    event: 'task.blocked' | 'task.unblocked';
    message: (taskId: string) => string;
  },
): Promise<VerbOutcome> {
  const taskId = await taskOfThisPull(scope);
  const verb = change.status === 'blocked' ? 'block' : 'unblock';
  const message = `${change.status === 'blocked' ? 'Block' : 'Unblock'} task ${taskId}\n\n${change.note}\n`;
  const result = await editTask(scope, taskId, change.status, message, (text, { statusOf }) => {
    const current = statusOf(taskId);
    if (change.status === 'blocked' && current === 'completed')
      return { refuse: `\`${taskId}\` is already completed` };
    if (change.status === 'blocked' && current === 'blocked') return { text };
    if (change.status === 'pending' && current !== 'blocked' && current !== 'failed') return { text };
    return { text: addNote(setStatus(text, change.status), change.note) };
  });
  if (result.kind === 'refused') throw new CommandRefusal(result.reason);
  if (result.kind === 'unchanged') return ok(`✔️ \`${verb}\`: \`${taskId}\` is already ${verb}ed`, false);
  if (change.status === 'pending') {
    // Re-queue: lift a hold left from before the block.
    const pull = await scope.pull();
    if (pull.labels.includes(LABELS.hold)) await editLabels(scope, 'unhold');
  }
  const event: CoordinatorEvent = {
    type: change.event,
    key: `${change.event}:${taskId}:comment-${scope.comment.commentId}`,
    taskId,
    pull: scope.comment.issueNumber,
    message: change.message(taskId),
    actor: scope.comment.author,
  };
  return ok(`✔️ \`${verb}\`: ${landed(result, taskId, change.status, (await scope.rules()).route)}`, true, [
    event,
  ]);
}

/** Where a status edit went: on the base, or waiting on `coordinator/status` for a staging run. */
function landed(
  result: Extract<TaskEditResult, { sha: string }>,
  taskId: string,
  status: TaskStatus,
  route: 'direct' | 'staging' | 'refused',
): string {
  const base = `\`${result.base.baseBranch}\``;
  if (result.kind === 'committed')
    return `\`${taskId}\` is now \`${status}\` on ${base} (${result.sha.slice(0, 7)})`;
  if (route === 'direct')
    return `\`${taskId}\` becomes \`${status}\` on ${base} with the next batch, or on its own once the merge train is empty: a batch is under test on ${base}, and a commit there now would send it back to be rebuilt. The edit waits on \`${STATUS_BRANCH}\` (${result.sha.slice(0, 7)}) and the coordinator already treats it as \`${status}\`.`;
  return `\`${taskId}\` becomes \`${status}\` on ${base} with the next staging run: the branch rules require checks, so the edit waits on \`${STATUS_BRANCH}\` (${result.sha.slice(0, 7)}) and the coordinator already treats it as \`${status}\`.`;
}

/** One task file edit, written the way the branch rules allow (see `commitTaskEdit`). */
async function editTask(
  scope: CommandScope,
  taskId: string,
  status: TaskStatus,
  message: string,
  edit: Parameters<typeof commitTaskEdit>[0]['edit'],
) {
  return commitTaskEdit({
    octokit: scope.octokit,
    repo: scope.comment.repo,
    config: await scope.config(),
    blobs: scope.deps.blobs,
    base: await scope.base(),
    taskId,
    status,
    message,
    edit,
    route: async (branches, baseSha) => {
      const { route, policy } = await scope.rules();
      if (route === 'refused')
        throw new CommandRefusal(
          `the branch rules of \`${(await scope.base()).baseBranch}\` refuse the app's commits, so task status cannot be written. Change: ${policy.pushBlockers.map((b) => `${b.setting}: ${b.fix}`).join('; ')}`,
        );
      if (
        route === 'direct' &&
        (await batchUnderTest({
          octokit: scope.octokit,
          repo: scope.comment.repo,
          blobs: scope.deps.blobs,
          branches,
          baseSha,
        }))
      )
        return 'staging';
      return route;
    },
  });
}

async function complete(scope: CommandScope, taskId: string, who: string): Promise<VerbOutcome> {
  const note = `Completed by ${who} (${scope.comment.commentUrl})`;
  const message = `Complete task ${taskId}\n\n${note}\n`;
  const result = await editTask(scope, taskId, 'completed', message, (text, { base, statusOf }) => {
    const task = base.loaded.graph.tasks.get(taskId);
    if (statusOf(taskId) === 'completed') return { text };
    const open = (task?.dependsOn ?? []).filter((d) => statusOf(d) !== 'completed');
    if (open.length > 0)
      return {
        refuse: `\`${taskId}\` depends on tasks that are not completed: ${open.map((d) => `\`${d}\``).join(', ')}`,
      };
    return { text: addNote(setStatus(text, 'completed'), note) };
  });
  if (result.kind === 'refused') throw new CommandRefusal(result.reason);
  if (result.kind === 'unchanged') return ok(`✔️ \`complete\`: \`${taskId}\` is already completed`, false);
  return ok(`✔️ \`complete\`: ${landed(result, taskId, 'completed', (await scope.rules()).route)}`, true);
}

/** The graph as a reply; open task PRs are listed with whether they are queued. */
async function status(scope: CommandScope): Promise<VerbOutcome> {
  const { octokit, comment } = scope;
  const [base, config] = await Promise.all([scope.base(), scope.config()]);
  const graph = base.loaded.graph;
  const index = new BranchIndex(graph.ids, config.branches.prefixes);
  const open = await octokit.paginate(octokit.rest.pulls.list, {
    ...comment.repo,
    state: 'open',
    base: base.baseBranch,
    per_page: 100,
  });
  const pulls = open.flatMap((p) => {
    const task = taskOfPull({ body: p.body ?? '', headRef: p.head.ref }, graph, index);
    if (task.kind !== 'task') return [];
    const labels = p.labels.map((l) => l.name);
    const verdict = mergeOrder({ pull: { taskFileChanges: [] }, task, graph, baseBranch: base.baseBranch });
    // Required checks are not read here: "queued" means ready by order and by the PR's own state.
    const reason =
      verdict.state !== 'ready'
        ? verdict.title
        : p.draft
          ? 'draft'
          : labels.includes(LABELS.hold)
            ? 'on hold'
            : config.merge.trigger === 'label' && !labels.includes(LABELS.merge)
              ? `not labelled \`${LABELS.merge}\``
              : '';
    return [{ number: p.number, taskId: task.taskId, queued: reason === '', reason }];
  });
  return ok(statusReport({ loaded: base.loaded, baseBranch: base.baseBranch, pulls }), false);
}

async function notify(
  scope: CommandScope,
  command: Extract<Command, { verb: 'notify' }>,
): Promise<VerbOutcome> {
  const notifier = scope.deps.notifier;
  const owner = scope.comment.repo.owner;
  if (!notifier || notifier.knownChannels(owner).size === 0)
    throw new CommandRefusal(
      `this coordinator has no Teams channels for ${owner}; ask its operator to add them`,
    );
  const message = command.channel ? `CHANNEL:${command.channel}\n${command.message}` : command.message;
  const event: CoordinatorEvent = {
    type: 'custom',
    key: `custom:comment-${scope.comment.commentId}:${command.line}`,
    taskId: null,
    pull: scope.comment.isPull ? scope.comment.issueNumber : null,
    message,
    actor: scope.comment.author,
  };
  const where = command.channel ? `channel \`${command.channel}\`` : 'the routed channels';
  return { ...ok(`✔️ \`notify\`: queued for ${where}`, true, [event]), reconcile: false };
}
