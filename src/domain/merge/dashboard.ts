/**
 * The dashboard issue's body (Renovate's dependency dashboard is the model): counts and a progress
 * bar, each generation with its tasks and their state, the critical path and how much of it is done,
 * a Mermaid graph coloured by status (the current and next generations only when the graph is too
 * big for GitHub's renderer) and the recent merges. Pure: the same snapshot gives the same body,
 * so the issue is edited only when something changed.
 */
import type { BranchIndex } from '../tasks/branch-names.js';
import { criticalPath } from '../tasks/generations.js';
import { blockedBy } from '../tasks/readiness.js';
import { completeness, queuePositions } from './candidates.js';
import { taskOfPull } from './task-pulls.js';
import { CHECK_NAMES, type RepoSnapshot } from './types.js';

/** Finds the app's dashboard among issues: it carries this marker. */
export const DASHBOARD_MARKER = '<!-- taskgraph-coordinator:dashboard -->';
/** The dashboard issue's label. */
export const DASHBOARD_LABEL = 'coordinator: dashboard';
/** Beyond this many tasks the Mermaid graph shows the current and next generations only. */
export const MERMAID_MAX_TASKS = 60;

export type TaskState =
  | 'completed'
  | 'in-ci'
  | 'in-review'
  | 'ready'
  | 'waiting'
  | 'blocked'
  | 'failed'
  | 'in-progress';

const ICON: Readonly<Record<TaskState, string>> = {
  completed: '✅',
  'in-ci': '🔄',
  'in-review': '👀',
  ready: '🟢',
  waiting: '⏳',
  blocked: '⛔',
  failed: '❌',
  'in-progress': '🛠️',
};

/** One task's line: its state and what it waits on or where it is. */
export interface TaskLine {
  readonly id: string;
  readonly state: TaskState;
  readonly detail: string;
  /** The task's open PR, when it has one. */
  readonly pull?: number;
}

/** A command a dashboard checkbox runs on a task PR, with the ticking user's permission. */
export interface DashboardAction {
  readonly verb: 'retry' | 'unblock' | 'merge';
  readonly pull: number;
}

const ACTION = /^\s*[-*] \[([ xX])\] <!-- coordinator-action:(retry|unblock|merge):(\d+) -->/;

/** The actions whose checkbox is ticked in `body`. */
export function tickedActions(body: string): DashboardAction[] {
  const out: DashboardAction[] = [];
  for (const line of body.split('\n')) {
    const match = ACTION.exec(line);
    if (match && match[1] !== ' ')
      out.push({ verb: match[2] as DashboardAction['verb'], pull: Number(match[3]) });
  }
  return out;
}

/** Actions ticked in `after` that were not ticked in `before` (an edit ticks a box once). */
export function newlyTicked(before: string, after: string): DashboardAction[] {
  const was = new Set(tickedActions(before).map((a) => `${a.verb}:${a.pull}`));
  return tickedActions(after).filter((a) => !was.has(`${a.verb}:${a.pull}`));
}

/** Every task's state, from what the snapshot shows. */
export function taskLines(snapshot: RepoSnapshot, index: BranchIndex): Map<string, TaskLine> {
  const { graph } = snapshot.loaded;
  const pullOf = new Map<string, RepoSnapshot['pulls'][number]>();
  for (const pull of snapshot.pulls) {
    const task = taskOfPull(pull, graph, index);
    if (task.kind === 'task') pullOf.set(task.taskId, pull);
  }
  const inBatch = new Map<string, string>();
  for (const car of snapshot.staging)
    for (const entry of car.batch?.entries ?? [])
      if (car.sha !== snapshot.baseSha) inBatch.set(entry.taskId, car.branch);
  const lines = new Map<string, TaskLine>();
  const adopted = new Set(snapshot.adoption?.taskIds ?? []);
  for (const id of graph.ids) {
    const task = graph.tasks.get(id);
    if (!task) continue;
    const pull = pullOf.get(id);
    const queue = pull?.ownChecks[CHECK_NAMES.queue];
    const waitingOn = blockedBy(graph, id);
    const line = (state: TaskState, detail: string): TaskLine => ({
      id,
      state,
      detail,
      ...(pull ? { pull: pull.number } : {}),
    });
    if (task.status === 'completed')
      lines.set(
        id,
        line(
          'completed',
          adopted.has(id) ? `per adoption PR #${snapshot.adoption?.number} (awaiting review)` : '',
        ),
      );
    else if (task.status === 'blocked') lines.set(id, line('blocked', 'blocked in its task file'));
    else if (inBatch.has(id))
      lines.set(id, line('in-ci', `#${pull?.number ?? '?'} in a batch on \`${inBatch.get(id)}\``));
    else if (pull && queue?.headSha === pull.headSha && queue.conclusion === 'failure')
      lines.set(id, line('failed', `#${pull.number}: ${queue.title}${runLink(queue.summary)}`));
    else if (pull)
      lines.set(
        id,
        line(
          pull.draft ? 'in-progress' : 'in-review',
          `#${pull.number}${pull.draft ? ' (draft)' : ''}${stalledSince(pull.updatedAt, snapshot)}`,
        ),
      );
    else if (waitingOn.length > 0)
      lines.set(id, line('waiting', `waiting on ${waitingOn.map((d) => `\`${d}\``).join(', ')}`));
    else lines.set(id, line('ready', 'ready: no PR yet'));
  }
  // PRs in review: queued (complete with every dependency completed, in the planner's merge order,
  // position N of M, as their `Merge order` checks say), or what they wait for.
  const inReview: { pull: RepoSnapshot['pulls'][number]; taskId: string }[] = [];
  for (const l of lines.values()) {
    const pull = l.state === 'in-review' ? pullOf.get(l.id) : undefined;
    if (pull) inReview.push({ pull, taskId: l.id });
  }
  const depsDone = inReview.filter(({ taskId }) => blockedBy(graph, taskId).length === 0);
  const positions = queuePositions(snapshot, depsDone);
  for (const { pull, taskId } of inReview) {
    const at = positions.get(pull.number);
    const waitingOn = blockedBy(graph, taskId);
    const c = completeness(pull, snapshot.config, snapshot.requiredChecks);
    const why =
      waitingOn.length > 0
        ? `waiting on ${waitingOn.map((d) => `\`${d}\``).join(', ')}`
        : c.complete
          ? 'queued'
          : c.reason;
    lines.set(taskId, {
      id: taskId,
      state: 'in-review',
      pull: pull.number,
      detail: at
        ? `#${pull.number} queued: position ${at.position} of ${at.of}`
        : `#${pull.number}: ${why}${stalledSince(pull.updatedAt, snapshot)}`,
    });
  }
  return lines;
}

/** ` — [failing run](url)`: the first run linked in a `Merge queue` summary, or nothing. */
function runLink(summary: string): string {
  const url = /\]\((https?:\/\/[^)\s]+)\)/.exec(summary)?.[1];
  return url ? ` — [failing run](${url})` : '';
}

/**
 * ` — stalled since <UTC time>` for a PR with no activity (GitHub's `updated_at`) for
 * `notifications.stall_after`, as `task.stalled` counts it; else nothing.
 */
function stalledSince(updatedAt: string, snapshot: RepoSnapshot): string {
  const last = Date.parse(updatedAt);
  if (Number.isNaN(last) || snapshot.nowMs - last < snapshot.config.notifications.stall_after) return '';
  return ` — stalled since ${new Date(last).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Renders the body. `title` is the issue's title (shown on top). */
export function dashboardBody(snapshot: RepoSnapshot, index: BranchIndex, title: string): string {
  const { graph, generations } = snapshot.loaded;
  const lines = taskLines(snapshot, index);
  const total = graph.ids.length;
  const done = [...lines.values()].filter((l) => l.state === 'completed').length;
  const counts = new Map<TaskState, number>();
  for (const l of lines.values()) counts.set(l.state, (counts.get(l.state) ?? 0) + 1);
  const percent = total === 0 ? 0 : Math.round((done / total) * 100);
  const filled = Math.round(percent / 5);
  const path = criticalPath(graph, generations);
  const pathDone = path.filter((id) => lines.get(id)?.state === 'completed').length;

  const out: string[] = [DASHBOARD_MARKER, `# ${title}`, ''];
  if (snapshot.adoption)
    out.push(
      `> **Adoption in review:** [#${snapshot.adoption.number}](${snapshot.adoption.url}) sets ${snapshot.adoption.taskIds.length} task${snapshot.adoption.taskIds.length === 1 ? '' : 's'} to \`completed\` from git's history. They count as completed here; nothing is written to \`${snapshot.baseBranch}\` for them until it merges.`,
      '',
    );
  out.push(
    `**${done} of ${total} tasks completed** (${percent}%)`,
    '',
    `\`${'█'.repeat(filled)}${'░'.repeat(20 - filled)}\``,
    '',
  );
  out.push(
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([state, n]) => `${ICON[state]} ${state} ${n}`)
      .join(' · '),
    '',
  );
  out.push(
    `**Critical path**: ${pathDone} of ${path.length} done — ${path.map((id) => `${lines.get(id)?.state === 'completed' ? '~~' : ''}\`${id}\`${lines.get(id)?.state === 'completed' ? '~~' : ''}`).join(' → ')}`,
    '',
  );
  generations.generations.forEach((ids, g) => {
    const doneHere = ids.filter((id) => lines.get(id)?.state === 'completed').length;
    out.push(`## Generation ${g + 1} (${doneHere}/${ids.length})`, '');
    for (const id of ids) {
      const l = lines.get(id);
      if (l) out.push(`- ${ICON[l.state]} \`${id}\`${l.detail ? ` — ${l.detail}` : ''}`);
    }
    out.push('');
  });
  const actions: string[] = [];
  for (const l of lines.values()) {
    if (l.pull === undefined) continue;
    if (l.state === 'failed')
      actions.push(`- [ ] <!-- coordinator-action:retry:${l.pull} --> retry #${l.pull} (\`${l.id}\`)`);
    if (l.state === 'blocked')
      actions.push(`- [ ] <!-- coordinator-action:unblock:${l.pull} --> unblock \`${l.id}\` (#${l.pull})`);
    if (l.state === 'in-review')
      actions.push(`- [ ] <!-- coordinator-action:merge:${l.pull} --> merge now: #${l.pull} (\`${l.id}\`)`);
  }
  if (actions.length > 0)
    out.push(
      '## Actions',
      '',
      'Tick a box to run the command on that PR with your permission (it unticks itself).',
      '',
      ...actions,
      '',
    );
  out.push(...mermaid(snapshot, lines));
  const merged = snapshot.recentlyMerged.slice(0, 10);
  if (merged.length > 0) {
    out.push('## Recent merges', '');
    for (const pull of merged) out.push(`- #${pull.number} ${pull.title}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The Mermaid graph, coloured by state; a big graph shows the current and next generations only. */
function mermaid(snapshot: RepoSnapshot, lines: ReadonlyMap<string, TaskLine>): string[] {
  const { graph, generations } = snapshot.loaded;
  let ids = graph.ids;
  let note = '';
  if (ids.length > MERMAID_MAX_TASKS) {
    const current = generations.generations.findIndex((g) =>
      g.some((id) => lines.get(id)?.state !== 'completed'),
    );
    const shown =
      current < 0
        ? []
        : [...(generations.generations[current] ?? []), ...(generations.generations[current + 1] ?? [])];
    ids = shown;
    note = `_The graph has ${graph.ids.length} tasks, more than GitHub renders well; shown: generations ${current + 1} and ${current + 2}._`;
  }
  if (ids.length === 0) return [];
  const node = new Map(ids.map((id, i) => [id, `t${i}`]));
  const out = ['## Graph', '', ...(note ? [note, ''] : []), '```mermaid', 'graph TD'];
  for (const id of ids)
    out.push(
      `  ${node.get(id)}["${id.replace(/"/g, "'")}"]:::${(lines.get(id)?.state ?? 'waiting').replace('-', '')}`,
    );
  for (const id of ids)
    for (const dep of graph.tasks.get(id)?.dependsOn ?? [])
      if (node.has(dep)) out.push(`  ${node.get(dep)} --> ${node.get(id)}`);
  out.push(
    '  classDef completed fill:#2da44e,color:#fff',
    '  classDef inci fill:#0969da,color:#fff',
    '  classDef inreview fill:#8250df,color:#fff',
    '  classDef ready fill:#bf8700,color:#fff',
    '  classDef waiting fill:#d0d7de',
    '  classDef blocked fill:#cf222e,color:#fff',
    '  classDef failed fill:#cf222e,color:#fff',
    '  classDef inprogress fill:#9a6700,color:#fff',
    '```',
    '',
  );
  return out;
}
