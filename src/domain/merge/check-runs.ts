/**
 * Check runs as data: the `Task graph` check of the base head, and the rule that a check run is
 * written only when it differs from what is already there (Tide's status controller).
 */
import type { ConfigProblem } from '../../config/repo-config.js';
import { summarizeGraph } from '../tasks/graph-summary.js';
import type { LoadedGraph } from '../tasks/load-graph.js';
import type { Diagnostic } from '../tasks/types.js';
import { type Annotation, CHECK_NAMES, type DesiredCheckRun, type OwnCheckRun } from './types.js';

/** GitHub rejects more than 50 annotations per request; later ones go in follow-up updates. */
export const ANNOTATIONS_PER_REQUEST = 50;

function toAnnotation(d: Diagnostic): Annotation {
  const line = d.line ?? 1;
  return {
    path: d.file,
    start_line: line,
    end_line: line,
    annotation_level: d.severity === 'error' ? 'failure' : 'warning',
    title: d.code === 'status-inversion' ? 'ordering violation (status-inversion)' : d.code,
    message: d.message,
  };
}

/**
 * The `Task graph` check for a loaded graph on a commit: the base head, or a PR head for the graph
 * as it would be after the merge (then `configProblems` are the PR's `.github/coordinator.yml`).
 * `rules` adds what the base branch's rules mean for the app; `blocked` fails the check because
 * status commits cannot reach the base (with the settings to change).
 */
export function graphCheck(input: {
  loaded: LoadedGraph;
  headSha: string;
  prefix: string;
  existing?: OwnCheckRun;
  configProblems?: readonly ConfigProblem[];
  rules?: readonly string[];
  blocked?: { readonly title: string; readonly lines: readonly string[] } | null;
  /** For a PR head: the sentence that says what this check is about. */
  intro?: string;
}): DesiredCheckRun {
  const { loaded } = input;
  const summary = summarizeGraph(loaded, input.prefix);
  const configProblems = input.configProblems ?? [];
  const errors = loaded.errors.length + configProblems.length;
  const warnings = loaded.warnings.length;
  const lines = [
    ...(input.intro ? [input.intro, ''] : []),
    `**${summary.tasks} tasks**, ${summary.edges} dependencies, ${summary.generations.length} generations; critical path ${summary.criticalPath.length} tasks.`,
    '',
    `Ready now (${summary.ready.length}): ${summary.ready.map((id) => `\`${id}\``).join(', ') || 'none'}`,
    '',
    `Status: ${Object.entries(summary.statusCounts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')}`,
  ];
  if (loaded.errors.length + warnings > 0)
    lines.push(
      '',
      `${loaded.errors.length} errors and ${warnings} warnings are annotated on the task files.`,
    );
  if (configProblems.length > 0)
    lines.push(
      '',
      '`.github/coordinator.yml` is invalid:',
      ...configProblems.map((p) => `- \`${p.key}\`: ${p.message}`),
    );
  if (input.rules && input.rules.length > 0) lines.push('', '**Branch rules**', '', ...input.rules);
  const blocked = input.blocked ?? null;
  if (blocked) lines.push('', `**${blocked.title}**`, '', ...blocked.lines);
  return {
    name: CHECK_NAMES.graph,
    headSha: input.headSha,
    status: 'completed',
    conclusion: errors > 0 || blocked ? 'failure' : 'success',
    title:
      errors > 0
        ? `${errors} error${errors === 1 ? '' : 's'} in the task graph`
        : blocked
          ? blocked.title
          : `${summary.tasks} tasks, ${summary.ready.length} ready`,
    summary: lines.join('\n'),
    annotations: [...loaded.errors, ...loaded.warnings].map(toAnnotation),
    existingId: input.existing?.headSha === input.headSha ? input.existing.id : null,
  };
}

/** The `Task graph` check when `.github/coordinator.yml` is invalid: no merge action is taken. */
export function configCheck(input: {
  problems: readonly ConfigProblem[];
  headSha: string;
  existing?: OwnCheckRun;
}): DesiredCheckRun {
  const list = input.problems.map((p) => `- \`${p.key}\`: ${p.message}`).join('\n');
  return {
    name: CHECK_NAMES.graph,
    headSha: input.headSha,
    status: 'completed',
    conclusion: 'failure',
    title: 'Invalid .github/coordinator.yml',
    summary: `The coordinator takes no merge action in this repository until \`.github/coordinator.yml\` is fixed:\n\n${list}`,
    annotations: [],
    existingId: input.existing?.headSha === input.headSha ? input.existing.id : null,
  };
}

/** True when writing `desired` would change what GitHub shows. */
export function checkRunDiffers(desired: DesiredCheckRun, existing: OwnCheckRun | undefined): boolean {
  if (!existing || existing.headSha !== desired.headSha) return true;
  return (
    existing.status !== desired.status ||
    (existing.conclusion ?? null) !== desired.conclusion ||
    existing.title !== desired.title ||
    existing.summary !== desired.summary
  );
}
