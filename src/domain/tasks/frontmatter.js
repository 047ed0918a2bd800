/**
 * Locates the YAML frontmatter block of a Markdown file: an opening `---` on the first line and a
 * closing `---` (or `...`) on a later line of its own. Only the location is computed here; the YAML
 * itself is parsed by js-yaml in `parse-task.ts`.
 */
const OPENING = /^\uFEFF?---[ \t]*(\r?\n|$)/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;
/**
 * Finds the frontmatter block of `text`.
 *
 * @returns `none` when the file does not start with a `---` line (the file is not a task),
 *   `unclosed` when the opening fence has no closing fence, otherwise the block.
 */
export function findFrontmatter(text) {
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
//# sourceMappingURL=frontmatter.js.map
