/**
 * `npm run bench [graph-core|merge|protection|replicas|fuzz]`: runs the benchmarks (default: all) and writes JSON to
 * bench/results/<name>.json (and stdout). Figures are only compared within one run: this machine is
 * shared and noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchFuzz } from './fuzz.js';
import { benchGraphCore } from './graph-core.js';
import { benchMerge } from './merge.js';
import { benchProtection } from './protection.js';
import { benchReplicas } from './replicas.js';

const outDir = path.resolve('bench/results');
mkdirSync(outDir, { recursive: true });
const wanted = new Set(process.argv.slice(2));
const runs: Record<string, () => unknown | Promise<unknown>> = {
  'graph-core': () => benchGraphCore(),
  merge: () => benchMerge(),
  protection: () => benchProtection(),
  replicas: () => benchReplicas(),
  fuzz: () => benchFuzz(),
};

for (const [name, run] of Object.entries(runs)) {
  if (wanted.size > 0 && !wanted.has(name)) continue;
  const report = { at: new Date().toISOString(), node: process.version, [name]: await run() };
  writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
