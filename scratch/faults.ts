import { runDemo } from '../sim/demo.js';

const report = await runDemo({
  tasksDir: '../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks',
  ciMs: 300,
  agentMs: 200,
  resyncMs: 1500,
  failRate: 0.1,
  faults: { errorRate: 0.05, dropRate: 0.1 },
  seed: 7,
  workdir: process.argv[2],
  timeoutMs: 600_000,
  progress: (l) => process.stderr.write(`${l}\n`),
});
const { tasks, mainHistory, teams, api, ...rest } = report;
console.log(
  JSON.stringify(
    { ...rest, byStatus: api.byStatus, open: tasks.filter((t) => t.status !== 'completed') },
    null,
    1,
  ),
);
