/** `taskgraph-coordinator validate`: report errors and warnings of a tasks directory. */
import { readTasksDir } from '../../adapters/fs/read-tasks-dir.js';
import { loadTaskGraph } from '../../domain/tasks/load-graph.js';
import type { Diagnostic } from '../../domain/tasks/types.js';
import { formatDiagnostic, formatTotals } from '../format/diagnostics-text.js';
import { type CliIo, EXIT } from '../io.js';

export interface ValidateOptions {
  readonly tasks: string;
  readonly format: 'text' | 'json';
  readonly prefix: string;
}

/** The JSON document `validate --format json` prints. */
export interface ValidateJson {
  readonly valid: boolean;
  readonly tasks: number;
  readonly errors: readonly DiagnosticJson[];
  readonly warnings: readonly DiagnosticJson[];
}

type DiagnosticJson = Pick<Diagnostic, 'code' | 'file' | 'line' | 'taskId' | 'message'>;

const toJson = ({ code, file, line, taskId, message }: Diagnostic): DiagnosticJson => ({
  code,
  file,
  line,
  taskId,
  message,
});

/**
 * Validates the tasks directory and prints the result.
 *
 * @returns 0 without errors (warnings allowed), 1 with errors.
 * @throws TasksDirError when the directory is missing (the caller turns it into exit code 2).
 */
export async function runValidate(options: ValidateOptions, io: CliIo): Promise<number> {
  const loaded = loadTaskGraph(await readTasksDir(options.tasks), { prefixes: [options.prefix] });
  const tasks = loaded.graph.ids.length;
  if (options.format === 'json') {
    const doc: ValidateJson = {
      valid: loaded.errors.length === 0,
      tasks,
      errors: loaded.errors.map(toJson),
      warnings: loaded.warnings.map(toJson),
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    for (const d of [...loaded.errors, ...loaded.warnings]) io.out(`${formatDiagnostic(d, io.color)}\n`);
    const totals = { tasks, errors: loaded.errors.length, warnings: loaded.warnings.length };
    io.out(`${formatTotals(totals, io.color)}\n`);
  }
  return loaded.errors.length > 0 ? EXIT.invalid : EXIT.ok;
}
