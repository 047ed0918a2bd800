import { runDemo } from '../sim/demo.js';

const report = await runDemo({
  tasksDir: '../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks',
  ciMs: 300,
  agentMs: 200,
  failRate: 0,
  workdir: process.argv[2] ?? '/tmp/demo1',
  timeoutMs: 240_000,
  progress: (l) => process.stderr.write(`${l}\n`),
});
const { tasks, mainHistory, teams, ...rest } = report;
console.log(
  JSON.stringify({ ...rest, teams: teams.length, mainHistory: mainHistory.length }, null, 1).slice(0, 4000),
);
