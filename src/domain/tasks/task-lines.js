/**
 * Line numbers inside a task's frontmatter, computed only when a diagnostic asks for one: a valid
 * graph never pays for them. Lines are 1-based lines of the whole file.
 */
/**
 * The key a line starts at column 0 (`key:`, `"key":`, `'key':`, followed by a space, a tab or the
 * end of the line), or null. One pass over the line (a lazy regex here was quadratic on long lines).
 */
export function topLevelKey(line) {
  const first = line[0];
  if (first === undefined) return null;
  let key;
  let rest;
  if (first === '"' || first === "'") {
    const close = line.indexOf(first, 1);
    if (close <= 1) return null;
    key = line.slice(1, close);
    rest = close + 1;
  } else {
    if (first === ' ' || first === '\t' || first === '#' || first === ':' || first === '\r') return null;
    const colon = line.indexOf(':');
    const hash = line.indexOf('#');
    if (colon < 0 || (hash >= 0 && hash < colon)) return null;
    key = line.slice(0, colon);
    rest = colon;
  }
  let i = rest;
  while (line[i] === ' ' || line[i] === '\t') i++;
  if (line[i] !== ':') return null;
  const after = line[i + 1];
  if (after !== undefined && after !== ' ' && after !== '\t' && after !== '\r') return null;
  return key.trim() || null;
}
export class TaskLines {
  #yaml;
  #firstLine;
  #dependencies;
  #lines;
  #keys;
  #dependencyLines;
  /**
   * @param yaml the frontmatter YAML text
   * @param firstLine file line of the YAML's first line (2, after the opening `---`)
   * @param dependencies the key the dependency list was written under and its ids, in order
   */
  constructor(yaml, firstLine, dependencies) {
    this.#yaml = yaml;
    this.#firstLine = firstLine;
    this.#dependencies = dependencies;
  }
  /** Line of the `id:` key (1 when it cannot be found). */
  get id() {
    return this.key('id') ?? 1;
  }
  /** Line of the `status:` key, else of `id:`. */
  get status() {
    return this.key('status') ?? this.id;
  }
  /** Line of the dependency at `index` of `Task.dependsOn`. */
  dependency(index) {
    this.#dependencyLines ??= this.#itemLines(this.#dependencies.key, this.#dependencies.ids);
    return this.#dependencyLines[index] ?? this.id;
  }
  /** Line of a top-level key, or undefined when the key is not written at column 0. */
  key(name) {
    return this.#keyLines().get(name);
  }
  /** Every top-level key with its line, in file order. */
  keys() {
    return this.#keyLines();
  }
  /**
   * Lines of the entries of the list under `key`: for each item, the first line at or after the
   * previous item's line (and before the next top-level key) that contains it, so block items map
   * one per line and flow items map to the key's own line. Falls back to the key's line.
   */
  #itemLines(key, items) {
    const keyLine = this.key(key);
    if (keyLine === undefined) return items.map(() => this.id);
    const lines = this.#split();
    let end = keyLine - this.#firstLine + 1;
    while (end < lines.length && topLevelKey(lines[end] ?? '') === null) end++;
    let cursor = keyLine - this.#firstLine;
    // A few items YAML wrote differently (escapes) are not found; the search for them is bounded so
    // the whole lookup stays linear in the file.
    let budget = 4 * (end - cursor + items.length);
    return items.map((item) => {
      for (let i = cursor; i < end && budget > 0; i++, budget--) {
        if (lines[i]?.includes(item)) {
          cursor = i;
          return this.#firstLine + i;
        }
      }
      return keyLine;
    });
  }
  #split() {
    this.#lines ??= this.#yaml.split('\n');
    return this.#lines;
  }
  #keyLines() {
    if (this.#keys) return this.#keys;
    const keys = new Map();
    this.#split().forEach((line, index) => {
      const key = topLevelKey(line);
      if (key && !keys.has(key)) keys.set(key, this.#firstLine + index);
    });
    this.#keys = keys;
    return keys;
  }
}
//# sourceMappingURL=task-lines.js.map
