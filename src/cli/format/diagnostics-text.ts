/** Human-readable rendering of validation results for the terminal. */
import pc from 'picocolors';
import type { Diagnostic } from '../../domain/tasks/types.js';

/** One line per diagnostic: `file:line  severity  code  message`. */
export function formatDiagnostic(d: Diagnostic, color: boolean): string {
  const c = pc.createColors(color);
  const where = d.line === null ? d.file : `${d.file}:${d.line}`;
  const severity = d.severity === 'error' ? c.red('error  ') : c.yellow('warning');
  return `${c.bold(where)}  ${severity}  ${c.dim(d.code)}  ${d.message}`;
}

/** The closing line: counts of tasks, errors and warnings. */
export function formatTotals(
  input: { tasks: number; errors: number; warnings: number },
  color: boolean,
): string {
  const c = pc.createColors(color);
  const counts = `${plural(input.errors, 'error')}, ${plural(input.warnings, 'warning')}`;
  const mark = input.errors > 0 ? c.red('✗') : c.green('✓');
  return `${mark} ${plural(input.tasks, 'task')}: ${counts}`;
}

/** `1 task`, `2 tasks`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
