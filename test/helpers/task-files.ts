/** Builders of task files and graphs for tests. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTaskGraph } from '../../src/domain/tasks/load-graph.js';
import type { SourceFile } from '../../src/domain/tasks/types.js';

/** `../shared` beside the project root (task graphs from public repos). */
export const SHARED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared');
export const TASKGRAPHS_DIR = path.join(SHARED_DIR, 'taskgraphs');
export const WRAITH_DIR = path.join(TASKGRAPHS_DIR, 'wraith');

export interface TaskSpec {
  id: string;
  deps?: string[];
  status?: string;
  name?: string;
  extra?: string;
}

/** A task file with block-style `depends_on`, like wraith's. */
export function taskFile(spec: TaskSpec): SourceFile {
  const lines = ['---', `id: ${spec.id}`, `name: ${spec.name ?? `Task ${spec.id}`}`];
  if (spec.status !== undefined) lines.push(`status: ${spec.status}`);
  if (spec.deps && spec.deps.length > 0) lines.push('depends_on:', ...spec.deps.map((d) => `  - ${d}`));
  if (spec.extra) lines.push(spec.extra);
  lines.push('---', '', `Body of ${spec.id}.`);
  return { path: `tasks/${spec.id}.md`, text: lines.join('\n') };
}

/** Loads a graph from compact specs: `graphOf({ id: 'b', deps: ['a'] }, { id: 'a' })`. */
export function graphOf(...specs: TaskSpec[]) {
  return loadTaskGraph(specs.map(taskFile));
}
