/**
 * Merge throughput on the wraith graph (35 tasks), through the demo: the GitHub stand-in, the real
 * app process, fake CI with a fixed run time and agents with a fixed work time, side by side for
 * the `staging` and `direct` strategies in one run. Reports the makespan over its lower bound
 * (no task merges before its PR is ready, its dependencies are merged and one CI run on the merge
 * result has finished) and GitHub requests per merged task, split into reads and writes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo } from '../sim/demo.js';

const WRAITH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks',
);

export interface MergeBench {
  readonly ciMs: number;
  readonly agentMs: number;
  readonly strategies: Record<
    string,
    {
      completed: boolean;
      makespanMs: number;
      lowerBoundMs: number;
      ratio: number;
      requestsPerMergedTask: { reads: number; writes: number; notModified: number };
      requests: number;
      webhooks: number;
    }
  >;
}

export async function benchMerge(options: { ciMs?: number; agentMs?: number } = {}): Promise<MergeBench> {
  const ciMs = options.ciMs ?? 1_500;
  const agentMs = options.agentMs ?? 1_000;
  const strategies: MergeBench['strategies'] = {};
  for (const strategy of ['staging', 'direct'] as const) {
    const report = await runDemo({
      tasksDir: WRAITH,
      ciMs,
      agentMs,
      failRate: 0,
      strategy,
      timeoutMs: 900_000,
      seed: 1,
    });
    strategies[strategy] = {
      completed: report.completed,
      makespanMs: report.makespanMs,
      lowerBoundMs: report.lowerBoundMs,
      ratio: Math.round((report.makespanMs / report.lowerBoundMs) * 100) / 100,
      requestsPerMergedTask: report.api.perMergedTask,
      requests: report.api.total,
      webhooks: report.webhooks.sent,
    };
  }
  return { ciMs, agentMs, strategies };
}
