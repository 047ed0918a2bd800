/**
 * Whether a PR changes task status: the raw `status:` value of a task file at the base and at the
 * PR head. Raw, so `pending` -> `done` counts as a change even though `done` means completed.
 */
import { findFrontmatter } from '../tasks/frontmatter.js';
import { loadYaml } from '../tasks/yaml.js';
import type { TaskFileChange } from './types.js';

/** The `status:` value as written in a file's frontmatter, or null (no file, no frontmatter, no status). */
export function rawStatus(text: string | null): string | null {
  if (text === null) return null;
  const block = findFrontmatter(text);
  if (block.kind !== 'block') return null;
  try {
    const data = loadYaml(block.yaml);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
    const status = (data as Record<string, unknown>).status;
    return status === null || status === undefined ? null : String(status);
  } catch {
    return null;
  }
}

/** Compares one task file at the base and at the head (null text: the file does not exist there). */
export function taskFileChange(
  path: string,
  baseText: string | null,
  headText: string | null,
): TaskFileChange {
  return { path, baseStatus: rawStatus(baseText), headStatus: rawStatus(headText) };
}
