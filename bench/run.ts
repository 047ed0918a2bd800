/**
 * `npm run bench`: runs every benchmark and writes JSON to bench/results/<name>.json (and stdout).
 * Figures are only compared within one run: this machine is shared and noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchGraphCore } from './graph-core.js';

const outDir = path.resolve('bench/results');
mkdirSync(outDir, { recursive: true });

const report = {
  at: new Date().toISOString(),
  node: process.version,
  graphCore: benchGraphCore(),
};
writeFileSync(path.join(outDir, 'graph-core.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
