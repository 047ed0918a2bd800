/**
 * `npm run schema [file]`: writes the JSON Schema of `.github/coordinator.yml` (default
 * schema/coordinator.schema.json), formatted the way the linter wants it, so `npm test` (biome
 * check) passes on a fresh export.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoConfigJsonSchema } from '../src/config/json-schema.js';

const file = process.argv[2] ?? 'schema/coordinator.schema.json';
mkdirSync(path.dirname(file), { recursive: true });
// Formatted through stdin as if it were the committed file, so any output path gets the same text.
const formatted = execFileSync(
  'npx',
  ['biome', 'format', '--stdin-file-path=schema/coordinator.schema.json'],
  {
    input: `${JSON.stringify(repoConfigJsonSchema(), null, 2)}\n`,
    encoding: 'utf8',
  },
);
writeFileSync(file, formatted);
process.stdout.write(`wrote ${file}\n`);
