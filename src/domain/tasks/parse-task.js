/**
 * Reads one task file: frontmatter -> YAML (js-yaml, CORE schema, so timestamps stay strings and
 * keep their nanoseconds) -> field validation (zod) -> `Task`. Never throws: every problem becomes a
 * diagnostic with the file and, where possible, the line.
 */
import {
  describeValue,
  FIELD_ALIASES,
  FIELD_SCHEMAS,
  FRONTMATTER_SCHEMA,
  isKnownField,
  REQUIRED_FIELDS,
} from './fields.js';
import { findFrontmatter } from './frontmatter.js';
import { TaskLines } from './task-lines.js';
import { diagnostic, STATUS_ALIASES } from './types.js';
import { loadYaml } from './yaml.js';
/** The largest task file read, in characters (1 MiB); a larger one is an error on line 1. */
export const MAX_FILE_CHARS = 1_048_576;
/**
 * Parses one Markdown task file.
 *
 * @param source `{ path, text }`; `path` is used verbatim in diagnostics.
 * @returns the task (or null) and its diagnostics: `file-too-large`, `invalid-frontmatter` (also for
 *   YAML whose aliases would expand beyond `MAX_ALIASES`), `missing-field`, `invalid-value` errors
 *   and the `status-alias` warning.
 */
export function parseTaskFile(source) {
  const file = source.path;
  if (source.text.length > MAX_FILE_CHARS) {
    const size = `${(source.text.length / 1_048_576).toFixed(1)} MB`;
    return {
      file,
      isTask: true,
      task: null,
      diagnostics: [
        diagnostic(
          'file-too-large',
          { file, line: 1 },
          `the task file is ${size}; task files may be at most 1 MB`,
        ),
      ],
    };
  }
  const block = findFrontmatter(source.text);
  if (block.kind === 'none') return { file, isTask: false, task: null, diagnostics: [] };
  const fail = (line, message) => ({
    file,
    isTask: true,
    task: null,
    diagnostics: [diagnostic('invalid-frontmatter', { file, line }, message)],
  });
  if (block.kind === 'unclosed')
    return fail(1, 'frontmatter opened with `---` on line 1 is never closed by a `---` line');
  let data;
  try {
    data = loadYaml(block.yaml, file);
  } catch (error) {
    const { line, reason } = error;
    return fail(line === null ? block.firstLine : block.firstLine + line, `YAML error: ${reason}`);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    return fail(block.firstLine, 'frontmatter must be a mapping of keys to values');
  }
  const raw = data;
  const dependsKey = raw.depends_on == null && raw.dependsOn != null ? 'dependsOn' : 'depends_on';
  const rawId = typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id).trim() : '';
  const linesOf = (ids) => new TaskLines(block.yaml, block.firstLine, { key: dependsKey, ids });
  return readFields({ file, raw, dependsKey, rawId, linesOf });
}
function readFields({ file, raw, dependsKey, rawId, linesOf }) {
  const diagnostics = [];
  let keyLines; // built only when a diagnostic needs a line
  const at = (key) => {
    keyLines ??= linesOf([]);
    return { file, line: keyLines.key(key) ?? 1, taskId: rawId || null };
  };
  const status = raw.status;
  const aliased = typeof status === 'string' && Object.hasOwn(STATUS_ALIASES, status);
  // Copy only when an alias must be rewritten; most files are validated as parsed.
  const input = aliased || dependsKey !== 'depends_on' ? { ...raw, depends_on: raw[dependsKey] } : raw;
  let statusAlias;
  if (aliased) {
    statusAlias = status;
    input.status = STATUS_ALIASES[status];
    const message = `status "${status}" is read as "${input.status}"; write "status: ${input.status}"`;
    diagnostics.push(diagnostic('status-alias', at('status'), message));
  }
  let values;
  const all = FRONTMATTER_SCHEMA.safeParse(input);
  if (all.success) values = all.data;
  else {
    values = {};
    for (const field of Object.keys(FIELD_SCHEMAS)) {
      const value = input[field];
      if (value === null || value === undefined) continue;
      const result = FIELD_SCHEMAS[field].schema.safeParse(value);
      if (result.success) values[field] = result.data;
      else {
        const key = field === 'depends_on' ? dependsKey : field;
        const message = `${key} must be ${FIELD_SCHEMAS[field].expects}, got ${describeValue(raw[key])}`;
        diagnostics.push(diagnostic('invalid-value', at(key), message));
      }
    }
  }
  for (const field of REQUIRED_FIELDS) {
    if (raw[field] == null)
      diagnostics.push(diagnostic('missing-field', at(field), `required field "${field}" is missing`));
  }
  const id = values.id;
  if (id == null) return { file, isTask: true, task: null, diagnostics };
  const extra = {};
  for (const key in raw) if (!isKnownField(key) && !(key in FIELD_ALIASES)) extra[key] = raw[key];
  const dependsOn = [...new Set(values.depends_on ?? [])];
  const task = {
    id,
    name: values.name ?? id,
    status: values.status ?? 'pending',
    ...(statusAlias === undefined ? {} : { statusAlias }),
    dependsOn,
    scope: values.scope ?? undefined,
    risk: values.risk ?? undefined,
    impact: values.impact ?? undefined,
    level: values.level ?? undefined,
    tags: values.tags ?? [],
    priority: values.priority ?? 0,
    created: values.created ?? undefined,
    modified: values.modified ?? undefined,
    file,
    lines: linesOf(dependsOn),
    extra,
  };
  return { file, isTask: true, task, diagnostics };
}
//# sourceMappingURL=parse-task.js.map
