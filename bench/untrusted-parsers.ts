/**
 * Every parser that reads text from users or agents, run on one input: task files (frontmatter,
 * fields, line lookup for diagnostics, status edits, notes), PR bodies (`Task:` lines), branch
 * names, comment commands. Used by the fuzz property test (nothing throws) and the fuzz benchmark
 * (worst time per input).
 */
import { parseComment } from '../src/domain/commands/parse-commands.js';
import { rawStatus } from '../src/domain/merge/status-changes.js';
import { taskLine } from '../src/domain/merge/task-pulls.js';
import { normalizeTaskId } from '../src/domain/tasks/branch-names.js';
import { loadTaskGraph } from '../src/domain/tasks/load-graph.js';
import { addNote, fillSummary, setStatus, TaskEditError } from '../src/domain/tasks/status-edit.js';

/** Runs every parser on `text` (as a task file, a PR body, an id and a comment). @throws on a bug only. */
export function parseUntrusted(text: string, path = 'tasks/fuzz.md'): void {
  const loaded = loadTaskGraph([{ path, text }]);
  for (const d of [...loaded.errors, ...loaded.warnings])
    if (d.line !== null && d.line < 1) throw new Error(`line ${d.line}`);
  for (const task of loaded.graph.tasks.values())
    for (let i = 0; i < task.dependsOn.length; i++) task.lines.dependency(i);
  rawStatus(text);
  try {
    addNote(fillSummary(setStatus(text, 'completed'), 'Merged in #1'), 'Blocked: fuzz (@ana, https://x)');
  } catch (error) {
    if (!(error instanceof TaskEditError)) throw error;
  }
  taskLine(text);
  normalizeTaskId(text.slice(0, 300_000));
  parseComment(text);
}
