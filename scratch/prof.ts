import { syntheticTaskFiles } from '../bench/synthetic-graph.js';
import { summarizeGraph } from '../src/domain/tasks/graph-summary.js';
import { loadTaskGraph } from '../src/domain/tasks/load-graph.js';

const files = syntheticTaskFiles(Number(process.argv[2] ?? 10000));
for (let i = 0; i < 6; i++) {
  const t = performance.now();
  const l = loadTaskGraph(files);
  summarizeGraph(l, 'feat/');
  console.log((performance.now() - t).toFixed(1));
}
