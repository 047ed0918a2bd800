/**
 * Text edits of a task file that touch nothing but what they must: the `status:` line of the
 * frontmatter, and the `## Summary` placeholder. Files are never re-serialized through YAML, so
 * comments, key order, timestamps, line endings and a missing final newline all survive byte for byte.
 */
import { findFrontmatter } from './frontmatter.js';
import type { TaskStatus } from './types.js';

/** Thrown when a file cannot be edited safely (no frontmatter, no `name:` to insert after). */
export class TaskEditError extends Error {
  override readonly name = 'TaskEditError';
}

const STATUS_LINE = /^status[ \t]*:[^\r\n]*/m;
const NAME_LINE = /^name[ \t]*:[^\r\n]*(\r?\n)?/m;

/**
 * Returns `text` with the frontmatter's `status:` line set to `status: <status>`. When there is no
 * `status:` line, one is inserted right after the `name:` line. A trailing comment on the status line
 * is dropped with the old value.
 *
 * @throws TaskEditError when the file has no closed frontmatter, or no `status:` and no `name:` line.
 */
export function setStatus(text: string, status: TaskStatus): string {
  const block = findFrontmatter(text);
  if (block.kind !== 'block') throw new TaskEditError('the file has no frontmatter block to edit');
  const yaml = block.yaml;
  const existing = STATUS_LINE.exec(yaml);
  let edited: string;
  if (existing) {
    edited = `${yaml.slice(0, existing.index)}status: ${status}${yaml.slice(existing.index + existing[0].length)}`;
  } else {
    const name = NAME_LINE.exec(yaml);
    if (!name) throw new TaskEditError('the frontmatter has neither a `status:` nor a `name:` line');
    const eol = name[1] ?? (yaml.includes('\r\n') ? '\r\n' : '\n');
    const at = name.index + name[0].length;
    const insert = name[1] === undefined ? `${eol}status: ${status}` : `status: ${status}${eol}`;
    edited = yaml.slice(0, at) + insert + yaml.slice(at);
  }
  return text.slice(0, block.yamlStart) + edited + text.slice(block.yamlEnd);
}

const SUMMARY_PLACEHOLDER = /(^##[ \t]+Summary[ \t]*\r?\n(?:[ \t]*\r?\n)*)>[ \t]*To be filled[^\r\n]*/m;

/**
 * Replaces the `> To be filled ...` placeholder line under `## Summary` with `summary`.
 *
 * @returns the edited text, or `text` unchanged when there is no such placeholder (a summary
 *   somebody already wrote is never overwritten).
 */
export function fillSummary(text: string, summary: string): string {
  const match = SUMMARY_PLACEHOLDER.exec(text);
  if (!match) return text;
  const head = match[1] as string;
  const eol = head.includes('\r\n') ? '\r\n' : '\n';
  const body = summary.trim().replace(/\r?\n/g, eol);
  return text.slice(0, match.index) + head + body + text.slice(match.index + match[0].length);
}

const NOTES_HEADING = /^##[ \t]+Notes[ \t]*(?=\r?$)/m;
const NEXT_HEADING = /^#{1,2}[ \t]+\S/m;

/**
 * Appends `line` to the `## Notes` section: right after its last non-blank line (a `> To be filled`
 * placeholder stays for the agent). Without a `## Notes` section, one is added at the end. Line
 * endings follow the file's own, and a missing final newline stays missing.
 */
export function addNote(text: string, line: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const note = line.replace(/\r?\n/g, ' ').trim();
  const heading = NOTES_HEADING.exec(text);
  if (!heading) {
    const endsWithEol = text.endsWith('\n');
    const body = `${endsWithEol ? '' : eol}${eol}## Notes${eol}${eol}${note}`;
    return `${text}${body}${endsWithEol ? eol : ''}`;
  }
  const sectionStart = heading.index + heading[0].length;
  const next = NEXT_HEADING.exec(text.slice(sectionStart));
  const sectionEnd = next ? sectionStart + next.index : text.length;
  const section = text.slice(sectionStart, sectionEnd);
  const trimmed = section.trimEnd(); // linear, unlike /\s+$/ on a long run of spaces
  const at = sectionStart + trimmed.length;
  const rest = text.slice(at);
  // Insert after the last content line; keep whatever blank lines followed it.
  if (rest === '') return `${text}${eol}${note}`;
  return `${text.slice(0, at)}${eol}${note}${rest}`;
}
