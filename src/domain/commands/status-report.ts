/**
 * The reply to `/coordinator status`: generations, what is ready, queued and blocked, and a Mermaid
 * diagram coloured by status (GitHub renders ```mermaid blocks in comments). Pure.
 */
import { criticalPath } from '../tasks/generations.js';
import type { LoadedGraph } from '../tasks/load-graph.js';
import { blockedBy, readyTasks, statusCounts } from '../tasks/readiness.js';
import type { TaskStatus } from '../tasks/types.js';

/** An open task PR and whether it is in the merge queue. */
export interface PullLine {
  readonly number: number;
  readonly taskId: string;
  /** In the queue: complete and its dependencies completed. */
  readonly queued: boolean;
  /** Why not, when it is not queued. */
  readonly reason: string;
}

/** GitHub comments hold at most 65,536 characters; larger graphs get no diagram. */
const MAX_DIAGRAM_TASKS = 150;
const MAX_COMMENT_CHARS = 65_000;

const STYLE: Readonly<Record<TaskStatus, string>> = {
  completed: 'fill:#2da44e,color:#fff,stroke:#1a7f37',
  'in-progress': 'fill:#0969da,color:#fff,stroke:#0550ae',
  pending: 'fill:#eaeef2,color:#24292f,stroke:#8c959f',
  blocked: 'fill:#cf222e,color:#fff,stroke:#a40e26',
  failed: 'fill:#82071e,color:#fff,stroke:#660018',
};

/** Markdown for a status reply. */
export function statusReport(input: {
  loaded: LoadedGraph;
  baseBranch: string;
  pulls: readonly PullLine[];
}): string {
  const { graph, generations, errors } = input.loaded;
  const path = criticalPath(graph, generations);
  const counts = statusCounts(graph);
  const lines: string[] = [
    `**Task graph on \`${input.baseBranch}\`**: ${graph.ids.length} tasks, ${counts.completed} completed, ${counts['in-progress']} in progress, ${counts.pending} pending, ${counts.blocked} blocked, ${counts.failed} failed.`,
  ];
  if (errors.length > 0)
    lines.push(
      '',
      `⚠️ The graph has ${errors.length} error(s); nothing merges until they are fixed (see the \`Task graph\` check).`,
    );

  lines.push('', '**Generations**', '');
  generations.generations.forEach((ids, index) => {
    const done = ids.filter((id) => graph.tasks.get(id)?.status === 'completed').length;
    lines.push(`${index + 1}. ${done}/${ids.length} completed: ${ids.map((id) => `\`${id}\``).join(', ')}`);
  });
  if (path.length > 0)
    lines.push('', `**Critical path** (${path.length} tasks): ${path.map((id) => `\`${id}\``).join(' → ')}`);

  const ready = readyTasks(graph);
  lines.push(
    '',
    `**Ready** (${ready.length}): ${ready.length > 0 ? ready.map((id) => `\`${id}\``).join(', ') : 'none'}`,
  );
  const queued = input.pulls.filter((p) => p.queued);
  lines.push(
    `**Queued** (${queued.length}): ${queued.length > 0 ? queued.map((p) => `#${p.number} \`${p.taskId}\``).join(', ') : 'none'}`,
  );
  const waiting = input.pulls.filter((p) => !p.queued);
  if (waiting.length > 0)
    lines.push(
      `**Open, not queued**: ${waiting.map((p) => `#${p.number} \`${p.taskId}\` (${p.reason})`).join('; ')}`,
    );
  const blocked = graph.ids.filter((id) => {
    const status = graph.tasks.get(id)?.status;
    return status === 'blocked' || status === 'failed';
  });
  lines.push(
    `**Blocked or failed** (${blocked.length}): ${blocked.length > 0 ? blocked.map((id) => `\`${id}\``).join(', ') : 'none'}`,
  );
  const stuck =
    ready.length === 0
      ? graph.ids.filter(
          (id) =>
            graph.tasks.get(id)?.status !== 'completed' &&
            blockedBy(graph, id).some((d) => blocked.includes(d)),
        )
      : [];
  if (stuck.length > 0) lines.push(`Waiting on a blocked task: ${stuck.map((id) => `\`${id}\``).join(', ')}`);

  lines.push('', mermaid(input.loaded));
  const text = lines.join('\n');
  return text.length > MAX_COMMENT_CHARS ? `${text.slice(0, MAX_COMMENT_CHARS)}\n\n… (truncated)` : text;
}

/** A Mermaid flowchart, dependencies pointing at dependents, one class per status. */
export function mermaid(loaded: LoadedGraph): string {
  const { graph } = loaded;
  if (graph.ids.length > MAX_DIAGRAM_TASKS)
    return `_No diagram: ${graph.ids.length} tasks is more than ${MAX_DIAGRAM_TASKS}; run \`npx taskgraph-coordinator plan\` locally._`;
  const node = new Map(graph.ids.map((id, i) => [id, `t${i}`]));
  const out = ['```mermaid', 'flowchart LR'];
  for (const id of graph.ids) out.push(`  ${node.get(id)}["${escapeLabel(id)}"]`);
  for (const id of graph.ids)
    for (const dep of graph.dependencies.get(id) ?? []) out.push(`  ${node.get(dep)} --> ${node.get(id)}`);
  for (const [status, style] of Object.entries(STYLE)) {
    const members = graph.ids.filter((id) => graph.tasks.get(id)?.status === status);
    if (members.length === 0) continue;
    const name = status.replace('-', '');
    out.push(`  classDef ${name} ${style}`);
    out.push(`  class ${members.map((id) => node.get(id)).join(',')} ${name}`);
  }
  out.push('```');
  return out.join('\n');
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
}
