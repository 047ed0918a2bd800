import { runDemo } from '../sim/demo.js';

const report = await runDemo({
  tasksDir: '/tmp/tiny/tasks',
  ciMs: 300,
  agentMs: 200,
  failRate: 0,
  workdir: process.argv[2],
  timeoutMs: 30_000,
  progress: (l) => process.stderr.write(`${l}\n`),
});
console.log(
  JSON.stringify({
    completed: report.completed,
    makespan: report.makespanMs,
    lb: report.lowerBoundMs,
    v: report.violations,
    left: report.branchesLeft,
  }),
);
