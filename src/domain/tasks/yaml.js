/**
 * Frontmatter YAML, parsed with bounded work. js-yaml (CORE schema: timestamps stay strings and keep
 * their nanoseconds) shares an aliased node by reference, so parsing a "billion laughs" block (a few
 * hundred bytes of nested aliases) is fast, but anything that walks the result (validation, a message,
 * JSON) would visit every expansion: gigabytes. So the parsed value's expanded size is measured once,
 * each shared node counted by identity with its size remembered (linear in the text), and a value that
 * would expand beyond `MAX_EXPANDED_NODES` is refused as an error on the line of the first alias: the
 * same guarantee as the `yaml` package's `maxAliasCount`, at js-yaml's speed (the `yaml` package was
 * about ten times slower on real task files).
 */
import jsYaml from 'js-yaml';
/** A YAML problem, with the 0-based line in the YAML text when known. */
export class YamlError extends Error {
  reason;
  line;
  name = 'YamlError';
  constructor(reason, line) {
    super(reason);
    this.reason = reason;
    this.line = line;
  }
}
/** How many nodes a parsed frontmatter may expand to (a real one has a few dozen). */
export const MAX_EXPANDED_NODES = 10_000;
/**
 * Parses YAML text. @throws YamlError with the reason and line (a syntax error, a duplicate key, a
 * value whose aliases would expand beyond `MAX_EXPANDED_NODES` nodes).
 */
export function loadYaml(text, filename) {
  let value;
  try {
    value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, ...(filename ? { filename } : {}) });
  } catch (error) {
    const { mark, reason } = error;
    throw new YamlError(reason ?? String(error), mark ? mark.line : null);
  }
  if (text.includes('*') && expandedSizeOrLimit(value) > MAX_EXPANDED_NODES)
    throw new YamlError(
      `aliases would expand this block beyond ${MAX_EXPANDED_NODES} values (a "billion laughs" pattern); write the values out`,
      firstAliasLine(text),
    );
  return value;
}
/**
 * The number of nodes `value` stands for once every alias is expanded, stopping as soon as it
 * passes `limit`. Shared nodes are measured once (memoized by identity), so the work is linear in the
 * number of distinct nodes.
 */
export function expandedSize(value, limit) {
  const sizes = new Map();
  const size = (node) => {
    if (node === null || typeof node !== 'object') return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let total = 1;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      total += size(child);
      if (total > limit) break;
    }
    sizes.set(node, total);
    return total;
  };
  return size(value);
}
/** `expandedSize`, counting a value nested too deeply to walk (the stack runs out) as over the limit. */
function expandedSizeOrLimit(value) {
  try {
    return expandedSize(value, MAX_EXPANDED_NODES);
  } catch (error) {
    if (error instanceof RangeError) return MAX_EXPANDED_NODES + 1;
    throw error;
  }
}
function firstAliasLine(text) {
  const at = text.search(/\*[^\s,\]}]/);
  if (at < 0) return null;
  let line = 0;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
//# sourceMappingURL=yaml.js.map
