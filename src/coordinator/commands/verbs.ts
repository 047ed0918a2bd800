/**
 * What each accepted command does. Queue intent becomes PR labels, task status becomes a commit on
 * the base branch (never a file in the PR), `retry` clears the app's own failing `Merge queue`
 * check at the same head. Every verb is idempotent: repeating it changes nothing and says so.
 */
import { commitTaskEdit } from '../../adapters/github/commit-task-edit.js';
import { helpText } from '../../domain/commands/help.js';
import { labelEdit } from '../../domain/commands/labels.js';
import type { Command, Priority } from '../../domain/commands/parse-commands.js';
import { statusReport } from '../../domain/commands/status-report.js';
import { mergeOrder } from '../../domain/merge/merge-order.js';
import { taskOfPull } from '../../domain/merge/task-pulls.js';
import { CHECK_NAMES, type CoordinatorEvent, LABELS } from '../../domain/merge/types.js';
import { BranchIndex } from '../../domain/tasks/branch-names.js';
import { addNote, setStatus } from '../../domain/tasks/status-edit.js';
import type { TaskStatus } from '../../domain/tasks/types.js';
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
  if (changes.length === 0) return ok(`✔️ \`${verb}\`: nothing to change`, false);
  return ok(`✔️ \`${verb}\`: ${changes.join(', ')}`, true);
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
  await octokit.rest.checks.update({
    ...comment.repo,
    check_run_id: failed.id,
    status: 'completed',
    conclusion: 'neutral',
    output: {
      title: `Retry requested by ${who}`,
      summary: `The earlier failure (${failed.output.title ?? 'merge failed'}) is cleared; this head rejoins the queue.`,
    },
  });
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
  const result = await editTask(scope, taskId, message, (text, base) => {
    const current = base.loaded.graph.tasks.get(taskId)?.status;
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
  const where = `\`${result.base.baseBranch}\` (${result.sha.slice(0, 7)})`;
  return ok(`✔️ \`${verb}\`: \`${taskId}\` is now \`${change.status}\` on ${where}`, true, [event]);
}

/** One task file edit committed on the base branch (compare-and-swap, see `commitTaskEdit`). */
async function editTask(
  scope: CommandScope,
  taskId: string,
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
    message,
    edit,
  });
}

async function complete(scope: CommandScope, taskId: string, who: string): Promise<VerbOutcome> {
  const note = `Completed by ${who} (${scope.comment.commentUrl})`;
  const result = await editTask(scope, taskId, `Complete task ${taskId}\n\n${note}\n`, (text, base) => {
    const graph = base.loaded.graph;
    const task = graph.tasks.get(taskId);
    if (task?.status === 'completed') return { text };
    const open = (task?.dependsOn ?? []).filter((d) => graph.tasks.get(d)?.status !== 'completed');
    if (open.length > 0)
      return {
        refuse: `\`${taskId}\` depends on tasks that are not completed: ${open.map((d) => `\`${d}\``).join(', ')}`,
      };
    return { text: addNote(setStatus(text, 'completed'), note) };
  });
  if (result.kind === 'refused') throw new CommandRefusal(result.reason);
  if (result.kind === 'unchanged') return ok(`✔️ \`complete\`: \`${taskId}\` is already completed`, false);
  return ok(
    `✔️ \`complete\`: \`${taskId}\` is now \`completed\` on \`${result.base.baseBranch}\` (${result.sha.slice(0, 7)})`,
    true,
  );
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
