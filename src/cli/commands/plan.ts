/** `taskgraph-coordinator plan`: generations, critical path, ready set and branches of a tasks directory. */
import { readTasksDir } from '../../adapters/fs/read-tasks-dir.js';
import { summarizeGraph } from '../../domain/tasks/graph-summary.js';
import { loadTaskGraph } from '../../domain/tasks/load-graph.js';
import { formatDiagnostic, plural } from '../format/diagnostics-text.js';
import { formatPlan } from '../format/plan-text.js';
import { type CliIo, EXIT } from '../io.js';

export interface PlanOptions {
  readonly tasks: string;
  readonly format: 'text' | 'json';
  readonly prefix: string;
}

/**
 * Prints the plan of the tasks directory (JSON: the `GraphSummary` shape). Errors in the graph are
 * listed on stderr, because a plan of an invalid graph is partial.
 *
 * @returns 0 when the graph has no errors, 1 otherwise.
 * @throws TasksDirError when the directory is missing (the caller turns it into exit code 2).
 */
export async function runPlan(options: PlanOptions, io: CliIo): Promise<number> {
  const loaded = loadTaskGraph(await readTasksDir(options.tasks), { prefixes: [options.prefix] });
  const summary = summarizeGraph(loaded, options.prefix);
  if (options.format === 'json') io.out(`${JSON.stringify(summary, null, 2)}\n`);
  else io.out(`${formatPlan(summary, loaded.graph, io.color)}\n`);
  if (loaded.errors.length > 0) {
    for (const d of loaded.errors) io.err(`${formatDiagnostic(d, false)}\n`);
    io.err(
      `the graph has ${plural(loaded.errors.length, 'error')}; the plan above leaves out what they affect\n`,
    );
    return EXIT.invalid;
  }
  return EXIT.ok;
}
