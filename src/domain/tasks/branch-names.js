/**
 * Task id <-> branch name. The forward mapping matches the open-coordinator plugin agents use
 * (`cli/connect-command` -> `feat/cli/connect-command`). It is lossy (`A_b` and `a-b` share a
 * branch), so the reverse goes through an index built from the graph and never guesses.
 */
import { compareStrings } from './graph.js';

const DASH = 45;
const DOT = 46;
const SLASH = 47;
/** Ids that normalization leaves unchanged (most real ids): one test instead of five replaces. */
const ALREADY_NORMAL = /^(?!.*--)[a-z0-9.](?:[a-z0-9./-]*[a-z0-9.])?$/;
/**
 * Normalizes a task id for use in a branch name: lowercase; whitespace and `_` become `-`; any other
 * character outside `[a-z0-9./-]` becomes `-`; runs of `-` collapse; leading and trailing `-` and `/`
 * are stripped. One pass over the id, whatever its length or content.
 */
export function normalizeTaskId(id) {
  if (ALREADY_NORMAL.test(id)) return id;
  const lower = id.toLowerCase();
  const out = [];
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    const kept = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === DOT || c === SLASH || c === DASH;
    const mapped = kept ? c : DASH;
    if (mapped === DASH && out[out.length - 1] === DASH) continue;
    out.push(mapped);
  }
  let from = 0;
  let to = out.length;
  while (from < to && (out[from] === DASH || out[from] === SLASH)) from++;
  while (to > from && (out[to - 1] === DASH || out[to - 1] === SLASH)) to--;
  let text = '';
  for (let i = from; i < to; i += 8192) text += String.fromCharCode(...out.slice(i, Math.min(to, i + 8192)));
  return text;
}
/** `prefix + normalizeTaskId(id)`, for example `branchName('cli/connect-command', 'feat/')`. */
export function branchName(id, prefix) {
  return prefix + normalizeTaskId(id);
}
/** Reverse lookup from branch names to task ids, for a fixed set of ids and prefixes. */
export class BranchIndex {
  #byNormalized = new Map();
  #prefixes;
  /**
   * @param ids every task id of the graph
   * @param prefixes branch prefixes in preference order (longest match wins), e.g. `['feat/']`
   */
  constructor(ids, prefixes) {
    for (const id of ids) {
      const key = normalizeTaskId(id);
      if (key === '') continue;
      const list = this.#byNormalized.get(key);
      if (list) list.push(id);
      else this.#byNormalized.set(key, [id]);
    }
    for (const list of this.#byNormalized.values()) if (list.length > 1) list.sort(compareStrings);
    this.#prefixes = [...prefixes].sort((a, b) => b.length - a.length);
  }
  /** The task a branch belongs to, `ambiguous` when several ids share its name, else `none`. */
  lookup(branch) {
    for (const prefix of this.#prefixes) {
      if (!branch.startsWith(prefix)) continue;
      const ids = this.#byNormalized.get(branch.slice(prefix.length));
      if (!ids) continue;
      if (ids.length === 1) return { kind: 'task', taskId: ids[0], prefix };
      return { kind: 'ambiguous', taskIds: ids, prefix };
    }
    return { kind: 'none' };
  }
  /** Groups of two or more ids that map to one branch name, keyed by the normalized name. */
  collisions() {
    return new Map([...this.#byNormalized].filter(([, ids]) => ids.length > 1));
  }
}
//# sourceMappingURL=branch-names.js.map
