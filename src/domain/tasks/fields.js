/**
 * zod schemas of the frontmatter fields a task may carry, one per field, so that one bad field yields
 * one diagnostic and the rest of the task is still read. Unknown keys are not validated here: the
 * parser keeps them in `Task.extra`.
 */
import { z } from 'zod';
import { IMPACTS, LEVELS, RISKS, SCOPES, TASK_STATUSES } from './types.js';
/** The longest task id accepted, in characters (a branch name must stay usable). */
export const MAX_ID_LENGTH = 256;
/** Ids are strings; an unquoted integer id (`id: 42`) is read as its decimal text. */
const taskId = z.union([z.string().trim().min(1).max(MAX_ID_LENGTH), z.int().transform(String)]);
/** `depends_on`: a list of ids (block or flow style); a single id is read as a one-item list. */
const idList = z.union([z.array(taskId), taskId.transform((id) => [id])]);
const NAMED_PRIORITIES = { high: 1, normal: 0, low: -1 };
/** Text fields that YAML may have typed as something else (a bare number, a boolean). */
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
/** Schema and a plain description of what each known field accepts (used in messages). */
export const FIELD_SCHEMAS = {
  id: { schema: taskId, expects: `a non-empty string of at most ${MAX_ID_LENGTH} characters` },
  name: { schema: z.string().trim().min(1), expects: 'a non-empty string' },
  status: { schema: z.enum(TASK_STATUSES), expects: `one of ${TASK_STATUSES.join(', ')}` },
  depends_on: { schema: idList, expects: `a list of task ids (each at most ${MAX_ID_LENGTH} characters)` },
  scope: { schema: z.enum(SCOPES), expects: `one of ${SCOPES.join(', ')}` },
  risk: { schema: z.enum(RISKS), expects: `one of ${RISKS.join(', ')}` },
  impact: { schema: z.enum(IMPACTS), expects: `one of ${IMPACTS.join(', ')}` },
  level: { schema: z.enum(LEVELS), expects: `one of ${LEVELS.join(', ')}` },
  tags: {
    schema: z.union([z.array(text), text.transform((tag) => [tag])]),
    expects: 'a list of strings',
  },
  priority: {
    schema: z.union([z.int(), z.enum(['high', 'normal', 'low']).transform((p) => NAMED_PRIORITIES[p])]),
    expects: 'an integer or one of high, normal, low',
  },
  created: { schema: text, expects: 'a timestamp' },
  modified: { schema: text, expects: 'a timestamp' },
};
/**
 * All known fields at once (null reads as absent; unknown keys pass through). The parser tries this
 * single parse first and falls back to one parse per field only when it fails, to name each bad field.
 */
export const FRONTMATTER_SCHEMA = z.looseObject(
  Object.fromEntries(Object.entries(FIELD_SCHEMAS).map(([key, field]) => [key, field.schema.nullish()])),
);
/** Fields without which a file is not a usable task. */
export const REQUIRED_FIELDS = ['id', 'name'];
/** Alternative spellings accepted for a field. */
export const FIELD_ALIASES = { dependsOn: 'depends_on' };
export function isKnownField(key) {
  return Object.hasOwn(FIELD_SCHEMAS, key);
}
/**
 * Renders a YAML value briefly for an error message (at most 60 characters), visiting no more of it
 * than it prints: a value built from aliases may be huge however small its text was.
 */
export function describeValue(value) {
  const limit = 61;
  let out = '';
  const write = (text) => {
    out += text.slice(0, limit + 1 - out.length);
  };
  const walk = (v) => {
    if (out.length > limit) return;
    if (Array.isArray(v)) {
      write('[');
      v.forEach((item, i) => {
        if (out.length > limit) return;
        if (i > 0) write(',');
        walk(item);
      });
      write(']');
    } else if (v !== null && typeof v === 'object') {
      write('{');
      Object.entries(v).forEach(([k, item], i) => {
        if (out.length > limit) return;
        write(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
        walk(item);
      });
      write('}');
    } else write(JSON.stringify(v) ?? String(v));
  };
  walk(value);
  return out.length > 60 ? `${out.slice(0, 57)}...` : out;
}
//# sourceMappingURL=fields.js.map
