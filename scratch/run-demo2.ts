import { runDemo } from '../sim/demo.js';
import { StandInServer } from '../sim/server.js';

let server: StandInServer | null = null;
const orig = StandInServer.prototype.listen;
StandInServer.prototype.listen = function (this: StandInServer, port?: number) {
  server = this;
  return orig.call(this, port);
};
const report = await runDemo({
  tasksDir: '../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks',
  ciMs: 300,
  agentMs: 200,
  failRate: 0,
  workdir: process.argv[2],
  timeoutMs: 240_000,
});
const by = new Map<string, number[]>();
for (const r of (server as unknown as StandInServer).log) {
  const k = `${r.method} ${r.route}`;
  by.set(k, [...(by.get(k) ?? []), r.durationMs]);
}
for (const [k, v] of [...by].sort(
  (a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0),
))
  console.log(
    k.padEnd(70),
    v.length,
    (v.reduce((x, y) => x + y, 0) / v.length).toFixed(1),
    'ms avg',
    v.reduce((x, y) => x + y, 0).toFixed(0),
    'total',
  );
console.log('makespan', report.makespanMs);
