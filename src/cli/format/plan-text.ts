/**
 * The human view of `plan`: generations as a readable list with each task's status, the critical
 * path, and what is ready now with its branch.
 */
import pc from 'picocolors';
import type { TaskGraph } from '../../domain/tasks/graph.js';
import type { GraphSummary } from '../../domain/tasks/graph-summary.js';
import type { TaskStatus } from '../../domain/tasks/types.js';
import { plural } from './diagnostics-text.js';

/** Renders the plan as lines of text (no trailing newline). */
export function formatPlan(summary: GraphSummary, graph: TaskGraph, color: boolean): string {
  const c = pc.createColors(color);
  const ready = new Set(summary.ready);
  const paint: Record<TaskStatus, (s: string) => string> = {
    completed: c.green,
    'in-progress': c.cyan,
    pending: (s) => (ready.has(s) ? c.bold(s) : c.dim(s)),
    failed: c.red,
    blocked: c.red,
  };
  const marker: Record<TaskStatus, string> = {
    completed: '✓',
    'in-progress': '~',
    pending: '·',
    failed: '✗',
    blocked: '!',
  };
  const show = (id: string) => {
    const status = graph.tasks.get(id)?.status ?? 'pending';
    const mark = ready.has(id) ? '→' : marker[status];
    return paint[status](`${mark} ${id}`);
  };

  const counts = Object.entries(summary.statusCounts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const lines = [
    c.bold(
      `Task graph: ${plural(summary.tasks, 'task')}, ${plural(summary.edges, 'edge')}, ${plural(summary.generations.length, 'generation')}`,
    ),
    `Status: ${counts || 'no tasks'}`,
    '',
    c.bold('Generations'),
  ];
  summary.generations.forEach((ids, index) => {
    lines.push(`  ${c.bold(`G${index + 1}`.padStart(3))}  ${ids.map(show).join('  ')}`);
  });
  if (summary.generations.length === 0) lines.push(c.dim('  (none)'));
  lines.push('', c.bold(`Critical path (${plural(summary.criticalPath.length, 'task')})`));
  lines.push(`  ${summary.criticalPath.join(c.dim(' -> ')) || c.dim('(none)')}`);
  lines.push('', c.bold(`Ready now (${summary.ready.length})`));
  for (const id of summary.ready) lines.push(`  ${c.bold(id)}  ${c.dim(`branch ${summary.branches[id]}`)}`);
  if (summary.ready.length === 0) lines.push(c.dim('  (nothing is ready)'));
  lines.push('', c.dim(`Legend: → ready  ✓ completed  ~ in-progress  · waiting  ! blocked  ✗ failed`));
  return lines.join('\n');
}
