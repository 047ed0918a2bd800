/**
 * Locates the YAML frontmatter block of a Markdown file: an opening `---` on the first line and a
 * closing `---` (or `...`) on a later line of its own. Only the location is computed here; the YAML
 * itself is parsed by js-yaml in `parse-task.ts`.
 */

/** Where the frontmatter block sits in a file. Offsets are UTF-16 indexes into the text. */
export interface FrontmatterBlock {
  /** The YAML between the fences (may be empty). */
  readonly yaml: string;
  /** 1-based file line of the first YAML line (the line after the opening fence). */
  readonly firstLine: number;
  /** Offset of the first YAML character in the file text. */
  readonly yamlStart: number;
  /** Offset just past the YAML (the start of the closing fence line). */
  readonly yamlEnd: number;
}

export type FrontmatterResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'unclosed'; readonly line: number }
  | ({ readonly kind: 'block' } & FrontmatterBlock);

const OPENING = /^\uFEFF?---[ \t]*(\r?\n|$)/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;

/**
 * Finds the frontmatter block of `text`.
 *
 * @returns `none` when the file does not start with a `---` line (the file is not a task),
 *   `unclosed` when the opening fence has no closing fence, otherwise the block.
 */
export function findFrontmatter(text: string): FrontmatterResult {
  const opening = OPENING.exec(text);
  if (!opening) return { kind: 'none' };
  const yamlStart = opening[0].length;
  if (opening[1] === '') return { kind: 'unclosed', line: 1 };
  const rest = text.slice(yamlStart);
  const closing = CLOSING.exec(rest);
  if (!closing) return { kind: 'unclosed', line: 1 };
  const yamlEnd = yamlStart + closing.index;
  return { kind: 'block', yaml: text.slice(yamlStart, yamlEnd), firstLine: 2, yamlStart, yamlEnd };
}
