/**
 * The JSON Schema of `.github/coordinator.yml` (input side: what users may write), for editors
 * (yaml-language-server's `# yaml-language-server: $schema=<url>`) and CI linters. `npm run schema`
 * writes it to `schema/coordinator.schema.json`; a test checks the committed file is current.
 */
import { z } from 'zod';
import { repoConfigSchema } from './repo-config.js';

/** Where the committed schema is published (its `$id`): the raw file on the default branch. */
export const SCHEMA_ID =
  'https://raw.githubusercontent.com/taskgraph-coordinator/taskgraph-coordinator/main/schema/coordinator.schema.json';

/** @returns the draft 2020-12 schema with `$id` first, `_extends` accepted, unknown keys refused. */
export function repoConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(repoConfigSchema, { io: 'input', unrepresentable: 'any' });
  const { $schema, ...rest } = schema as Record<string, unknown>;
  return { $schema, $id: SCHEMA_ID, ...rest };
}
