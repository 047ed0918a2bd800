/**
 * `npm run schema`: writes schema/coordinator.schema.json, the JSON Schema of `.github/coordinator.yml`
 * (input side: what users may write), for editors (yaml-language-server) and CI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { repoConfigSchema } from '../src/config/repo-config.js';

const schema = z.toJSONSchema(repoConfigSchema, { io: 'input', unrepresentable: 'any' });
mkdirSync('schema', { recursive: true });
writeFileSync('schema/coordinator.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
process.stdout.write('wrote schema/coordinator.schema.json\n');
