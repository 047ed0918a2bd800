/**
 * The whole read of a tasks directory in one pure call: parse every file, build the graph, and
 * validate it. Everything the CLI and the app decide starts here.
 */
import { BranchIndex } from './branch-names.js';
import { findCycles } from './cycles.js';
import { computeGenerations } from './generations.js';
import { buildGraph, compareStrings } from './graph.js';
import { parseTaskFile } from './parse-task.js';
import { diagnostic } from './types.js';
/** Branch prefixes assumed when none are given. */
export const DEFAULT_PREFIXES = ['feat/'];
/**
 * Parses and validates a set of task files.
 *
 * @param files Markdown files of the tasks directory; files without frontmatter are skipped.
 * @param options.prefixes branch prefixes used for the `branch-name-collision` check.
 * @returns the graph (built from every task whose id could be read), its generations, and all
 *   diagnostics split into errors and warnings, each sorted by file then line.
 */
export function loadTaskGraph(files, options = {}) {
  const parsed = files.map(parseTaskFile);
  const found = parsed.flatMap((p) => p.diagnostics);
  const built = buildGraph(parsed.flatMap((p) => (p.task ? [p.task] : [])));
  const graph = built.graph;
  found.push(...built.diagnostics);
  const generations = computeGenerations(graph);
  // Kahn's algorithm places every task of an acyclic graph, so look for cycles only otherwise.
  const cycles = generations.unresolved.length > 0 ? findCycles(graph) : [];
  for (const cycle of cycles) {
    const first = graph.tasks.get(cycle[0]);
    if (!first) continue;
    const line = first.lines.dependency(first.dependsOn.indexOf(cycle[1] ?? first.id));
    const path = [...cycle, cycle[0]].join(' -> ');
    found.push(
      diagnostic('cycle', { file: first.file, line, taskId: first.id }, `dependency cycle: ${path}`),
    );
  }
  found.push(...statusInversions(graph), ...branchCollisions(graph, options.prefixes ?? DEFAULT_PREFIXES));
  found.sort(byLocation);
  return {
    graph,
    generations,
    taskFiles: parsed.filter((p) => p.isTask).length,
    errors: found.filter((d) => d.severity === 'error'),
    warnings: found.filter((d) => d.severity === 'warning'),
  };
}
/** `status-inversion`: a completed task whose dependencies are not all completed. */
export function statusInversions(graph) {
  const out = [];
  for (const id of graph.ids) {
    const task = graph.tasks.get(id);
    if (task?.status !== 'completed') continue;
    const open = (graph.dependencies.get(id) ?? []).filter(
      (dep) => graph.tasks.get(dep)?.status !== 'completed',
    );
    if (open.length === 0) continue;
    const message = `"${id}" is completed, but its dependencies ${open.map((d) => `"${d}"`).join(', ')} are not`;
    out.push(
      diagnostic('status-inversion', { file: task.file, line: task.lines.status, taskId: id }, message),
    );
  }
  return out;
}
function branchCollisions(graph, prefixes) {
  const out = [];
  const prefix = prefixes[0] ?? '';
  for (const [name, ids] of new BranchIndex(graph.ids, prefixes).collisions()) {
    for (const id of ids.slice(1)) {
      const task = graph.tasks.get(id);
      if (!task) continue;
      const message = `"${id}" and "${ids[0]}" both map to branch "${prefix}${name}"; rename one so each task has its own branch`;
      out.push(
        diagnostic('branch-name-collision', { file: task.file, line: task.lines.id, taskId: id }, message),
      );
    }
  }
  return out;
}
function byLocation(a, b) {
  return compareStrings(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || compareStrings(a.code, b.code);
}
//# sourceMappingURL=load-graph.js.map
