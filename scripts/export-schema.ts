/**
 * `npm run schema`: writes schema/coordinator.schema.json, the JSON Schema of `.github/coordinator.yml`
 * (input side: what users may write), for editors (yaml-language-server) and CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { repoConfigSchema } from '../src/config/repo-config.js';

const schema = z.toJSONSchema(repoConfigSchema, { io: 'input', unrepresentable: 'any' });
mkdirSync('schema', { recursive: true });
const file = 'schema/coordinator.schema.json';
writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
// Formatted the way the linter wants it, so `npm test` (biome check) passes on a fresh export.
execFileSync('npx', ['biome', 'format', '--write', file], { stdio: 'ignore' });
process.stdout.write(`wrote ${file}\n`);
