/**
 * Reads one task file: frontmatter -> YAML (js-yaml, CORE schema, so timestamps stay strings and
 * keep their nanoseconds) -> per-field validation -> `Task`. Never throws: every problem becomes a
 * diagnostic with the file and, where possible, the line.
 */
import yaml from 'js-yaml';
import {
  describeValue,
  FIELD_ALIASES,
  FIELD_SCHEMAS,
  isKnownField,
  type KnownField,
  REQUIRED_FIELDS,
} from './fields.js';
import { findFrontmatter } from './frontmatter.js';
import {
  type Diagnostic,
  diagnostic,
  type SourceFile,
  STATUS_ALIASES,
  type Task,
  type TaskStatus,
} from './types.js';

/** What parsing one file gives: no task when the file is not a task or its id is unusable. */
export interface ParsedFile {
  readonly file: string;
  /** False when the file has no frontmatter block: it is skipped, not an error. */
  readonly isTask: boolean;
  readonly task: Task | null;
  readonly diagnostics: readonly Diagnostic[];
}

const TOP_LEVEL_KEY = /^(?:"([^"]+)"|'([^']+)'|([^\s#:'"][^:#]*?))[ \t]*:(?:[ \t]|$)/;

/**
 * Parses one Markdown task file.
 *
 * @param source `{ path, text }`; `path` is used verbatim in diagnostics.
 * @returns the task (or null) and its diagnostics: `invalid-frontmatter`, `missing-field`,
 *   `invalid-value` errors and the `status-alias` warning.
 */
export function parseTaskFile(source: SourceFile): ParsedFile {
  const file = source.path;
  const block = findFrontmatter(source.text);
  if (block.kind === 'none') return { file, isTask: false, task: null, diagnostics: [] };
  if (block.kind === 'unclosed') {
    const message = 'frontmatter opened with `---` on line 1 is never closed by a `---` line';
    return {
      file,
      isTask: true,
      task: null,
      diagnostics: [diagnostic('invalid-frontmatter', { file, line: 1 }, message)],
    };
  }
  let data: unknown;
  try {
    data = yaml.load(block.yaml, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (error) {
    const mark = (error as yaml.YAMLException).mark;
    const line = mark ? block.firstLine + mark.line : block.firstLine;
    const reason = (error as yaml.YAMLException).reason ?? String(error);
    return {
      file,
      isTask: true,
      task: null,
      diagnostics: [diagnostic('invalid-frontmatter', { file, line }, `YAML error: ${reason}`)],
    };
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const message = 'frontmatter must be a mapping of keys to values';
    return {
      file,
      isTask: true,
      task: null,
      diagnostics: [diagnostic('invalid-frontmatter', { file, line: block.firstLine }, message)],
    };
  }
  const lines = block.yaml.split('\n');
  return readFields(file, data as Record<string, unknown>, { lines, firstLine: block.firstLine });
}

/** The frontmatter's YAML lines and the file line of the first one. */
interface YamlLines {
  readonly lines: readonly string[];
  readonly firstLine: number;
}

function readFields(file: string, raw: Record<string, unknown>, source: YamlLines): ParsedFile {
  const keyLines = scanKeyLines(source);
  const diagnostics: Diagnostic[] = [];
  const values: Partial<Record<KnownField, unknown>> = {};
  const extra: Record<string, unknown> = {};
  const rawId = typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id).trim() : null;
  const at = (key: string) => ({ file, line: keyLines[key] ?? 1, taskId: rawId || null });

  let statusAlias: string | undefined;
  for (const [key, value] of Object.entries(raw)) {
    const field = FIELD_ALIASES[key] ?? key;
    if (!isKnownField(field)) {
      extra[key] = value;
      continue;
    }
    if (value === null) continue; // `key:` with no value reads as absent
    let input = value;
    if (field === 'status' && typeof value === 'string' && Object.hasOwn(STATUS_ALIASES, value)) {
      statusAlias = value;
      input = STATUS_ALIASES[value];
      const message = `status "${value}" is read as "${input}"; write "status: ${input}"`;
      diagnostics.push(diagnostic('status-alias', at(key), message));
    }
    const result = FIELD_SCHEMAS[field].schema.safeParse(input);
    if (result.success) values[field] = result.data;
    else {
      const message = `${key} must be ${FIELD_SCHEMAS[field].expects}, got ${describeValue(value)}`;
      diagnostics.push(diagnostic('invalid-value', at(key), message));
    }
  }
  for (const field of REQUIRED_FIELDS) {
    if (raw[field] === undefined || raw[field] === null) {
      diagnostics.push(diagnostic('missing-field', at(field), `required field "${field}" is missing`));
    }
  }
  const id = values.id as string | undefined;
  if (id === undefined) return { file, isTask: true, task: null, diagnostics };

  const dependsOn = [...new Set((values.depends_on as string[] | undefined) ?? [])];
  const dependsKey = raw.depends_on !== undefined ? 'depends_on' : 'dependsOn';
  const task: Task = {
    id,
    name: (values.name as string | undefined) ?? id,
    status: (values.status as TaskStatus | undefined) ?? 'pending',
    ...(statusAlias === undefined ? {} : { statusAlias }),
    dependsOn,
    scope: values.scope as Task['scope'],
    risk: values.risk as Task['risk'],
    impact: values.impact as Task['impact'],
    level: values.level as Task['level'],
    tags: (values.tags as string[] | undefined) ?? [],
    priority: (values.priority as number | undefined) ?? 0,
    created: values.created as string | undefined,
    modified: values.modified as string | undefined,
    file,
    line: keyLines.id ?? 1,
    keyLines,
    dependsOnLines: itemLines(dependsOn, keyLines[dependsKey], source),
    extra,
  };
  return { file, isTask: true, task, diagnostics };
}

/**
 * Maps each top-level key of a YAML block mapping to its 1-based file line (keys start at column 0).
 * Cheap enough to run on every file; exact for the block-style frontmatter task files use.
 */
function scanKeyLines({ lines, firstLine }: YamlLines): Record<string, number> {
  const keyLines: Record<string, number> = {};
  lines.forEach((line, index) => {
    const match = TOP_LEVEL_KEY.exec(line);
    const key = match ? (match[1] ?? match[2] ?? match[3] ?? '').trim() : '';
    if (key && !(key in keyLines)) keyLines[key] = firstLine + index;
  });
  return keyLines;
}

/**
 * Line of each `depends_on` entry: the first line at or after the key (and before the next top-level
 * key) that contains the id, scanning forward so that block items map one per line and flow items map
 * to the key's line. Falls back to the key's line.
 */
function itemLines(
  items: readonly string[],
  keyLine: number | undefined,
  { lines, firstLine }: YamlLines,
): number[] {
  if (keyLine === undefined) return items.map(() => 1);
  let end = keyLine - firstLine + 1;
  while (end < lines.length && !TOP_LEVEL_KEY.test(lines[end] ?? '')) end++;
  let cursor = keyLine - firstLine;
  return items.map((item) => {
    for (let i = cursor; i < end; i++) {
      if (lines[i]?.includes(item)) {
        cursor = i;
        return firstLine + i;
      }
    }
    return keyLine;
  });
}
