/**
 * What branch rules cost in GitHub requests, through the demo on wraith (35 tasks), side by side in
 * one run: no rules, classic branch protection (ci and Merge order required, one approving review,
 * the app in the pull request bypass allowances) and the equivalent ruleset (the app a bypass actor).
 * Reports requests per merged task (counted reads, free 304s, writes), refusals GitHub's rules gave,
 * and makespan, so the ratios can be read within one run.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo } from '../sim/demo.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WRAITH = path.resolve(HERE, '../../../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks');
const EXAMPLES = path.resolve(HERE, '../../docs/examples');

export interface ProtectionBench {
  readonly ciMs: number;
  readonly agentMs: number;
  readonly runs: Record<
    string,
    {
      completed: boolean;
      makespanMs: number;
      perMergedTask: { reads: number; notModified: number; counted: number; writes: number };
      /** Counted reads relative to the run without rules. */
      readsRatio: number;
      refusals: number;
    }
  >;
}

export async function benchProtection(
  options: { ciMs?: number; agentMs?: number } = {},
): Promise<ProtectionBench> {
  const ciMs = options.ciMs ?? 300;
  const agentMs = options.agentMs ?? 200;
  const variants = {
    'no rules': {},
    'branch protection': { protectionFile: path.join(EXAMPLES, 'protection.json') },
    ruleset: { rulesetFiles: [path.join(EXAMPLES, 'ruleset.json')] },
  };
  const runs: ProtectionBench['runs'] = {};
  let baseline = 0;
  for (const [name, variant] of Object.entries(variants)) {
    const report = await runDemo({
      tasksDir: WRAITH,
      ciMs,
      agentMs,
      failRate: 0,
      timeoutMs: 600_000,
      seed: 1,
      ...variant,
    });
    const per = report.api.perMergedTask;
    const counted = Math.round((per.reads - per.notModified) * 10) / 10;
    if (name === 'no rules') baseline = counted;
    runs[name] = {
      completed: report.completed,
      makespanMs: report.makespanMs,
      perMergedTask: { reads: per.reads, notModified: per.notModified, counted, writes: per.writes },
      readsRatio: Math.round((counted / Math.max(1, baseline)) * 100) / 100,
      refusals: report.refusals
        .filter((r) => r.status !== 409 && !/Reference does not exist|fast forward/.test(r.message))
        .reduce((n, r) => n + r.count, 0),
    };
  }
  return { ciMs, agentMs, runs };
}
