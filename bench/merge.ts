/**
 * Merge throughput through the demo (the GitHub stand-in, the real app process, fake CI with a fixed
 * run time, agents with a fixed work time), side by side in one run, on wraith (35 tasks) and a wide
 * synthetic graph (60 tasks in 6 generations of 10), for the merge train's settings:
 *
 * - `batch-1`: one PR per CI run, one batch at a time (`batch_size: 1, parallel: 0`);
 * - `batches`: `batch_size: 8, parallel: 0`;
 * - `batches+speculation`: the defaults (`batch_size: 8, parallel: 2`);
 * - `optimistic`: the defaults with `wait_for_pr_checks: false`.
 *
 * Each run reports its makespan over two bounds: `lowerBoundMs` (agent time plus one CI run per task
 * on the critical path: the physical limit) and `protocolBoundMs` (agent time plus two CI runs, the
 * PR's and the merge result's: the best that waiting for PR checks allows); CI runs per merged task;
 * GitHub requests per merged task. Then the app's own overhead per merge at CI 0 (wraith, agents
 * 0 ms), and CI runs per merged task with 10% of CI runs failing (bisection). wraith is also run
 * without the demo's shared-file edits, which make concurrent tasks conflict (a cost of the workload
 * that neither bound counts), to show the train's own overhead.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo } from '../sim/demo.js';
import type { DemoReport } from '../sim/report.js';

const WRAITH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks',
);

/** The train settings compared. */
export const SETTINGS = {
  'batch-1': { batchSize: 1, parallel: 0 },
  batches: { batchSize: 8, parallel: 0 },
  'batches+speculation': {},
  optimistic: { waitForPrChecks: false },
} as const;

export interface RunFigures {
  readonly completed: boolean;
  readonly makespanMs: number;
  readonly lowerBoundMs: number;
  readonly protocolBoundMs: number;
  /** makespan / lowerBoundMs and makespan / protocolBoundMs. */
  readonly ratio: { readonly lower: number; readonly protocol: number };
  /** CI runs per merged implementation task: all, the merge results' (staging), the PRs' own. */
  readonly ciRunsPerMergedTask: { readonly all: number; readonly staging: number; readonly pr: number };
  readonly requestsPerMergedTask: { reads: number; writes: number; notModified: number };
  readonly webhooks: number;
}

export interface MergeBench {
  readonly ciMs: number;
  readonly agentMs: number;
  readonly graphs: Record<string, Record<string, RunFigures>>;
  /**
   * wraith again without the demo's shared-file edits (by default every 4th task appends to
   * `shared/CHANGELOG.md`, so two concurrent ones conflict and the later one needs its agent and
   * another CI run, which neither bound counts): the train's own overhead over the bounds.
   */
  readonly withoutConflicts: Record<string, RunFigures>;
  /** At CI 0 and agents 0 ms: wall time per merged task, ms (the app's own cost). */
  readonly overheadPerMergeMs: Record<string, number>;
  /** The defaults with 10% of CI runs failing (seeded). */
  readonly flaky: RunFigures & { readonly failRate: number };
}

/** `count` tasks in `generations` levels; each task after the first level depends on two of the level before. */
export function wideGraphDir(count = 60, generations = 6): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-wide-'));
  const perLevel = Math.ceil(count / generations);
  const id = (level: number, i: number) => `level${level}/task-${i}`;
  for (let level = 0; level < generations; level++) {
    mkdirSync(path.join(dir, `level${level}`), { recursive: true });
    for (let i = 0; i < perLevel && level * perLevel + i < count; i++) {
      const deps = level === 0 ? [] : [id(level - 1, i), id(level - 1, (i + 1) % perLevel)];
      const text = [
        '---',
        `id: ${id(level, i)}`,
        `name: Part ${i} of level ${level}`,
        'status: pending',
        ...(deps.length > 0 ? ['depends_on:', ...deps.map((d) => `  - ${d}`)] : ['depends_on: []']),
        'level: implementation',
        '---',
        '',
        '## Notes',
        '',
        '> To be filled by implementation agent',
        '',
        '## Summary',
        '',
        '> To be filled on completion',
        '',
      ].join('\n');
      writeFileSync(path.join(dir, `level${level}`, `task-${i}.md`), text);
    }
  }
  return dir;
}

function figures(report: DemoReport): RunFigures {
  const merged = Math.max(
    1,
    report.tasks.filter((t) => t.kind === 'implementation' && t.status === 'completed').length,
  );
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    completed: report.completed,
    makespanMs: report.makespanMs,
    lowerBoundMs: report.lowerBoundMs,
    protocolBoundMs: report.protocolBoundMs,
    ratio: {
      lower: round(report.makespanMs / report.lowerBoundMs),
      protocol: round(report.makespanMs / report.protocolBoundMs),
    },
    ciRunsPerMergedTask: {
      all: round((report.ci.pr + report.ci.staging) / merged),
      staging: round(report.ci.staging / merged),
      pr: round(report.ci.pr / merged),
    },
    requestsPerMergedTask: report.api.perMergedTask,
    webhooks: report.webhooks.sent,
  };
}

export async function benchMerge(options: { ciMs?: number; agentMs?: number } = {}): Promise<MergeBench> {
  const ciMs = options.ciMs ?? 4_000;
  const agentMs = options.agentMs ?? 2_000;
  const graphs: MergeBench['graphs'] = {};
  const common = { failRate: 0, timeoutMs: 1_200_000, seed: 1, progress: null } as const;
  for (const [name, tasksDir] of [
    ['wraith', WRAITH],
    ['wide-60x6', wideGraphDir()],
  ] as const) {
    graphs[name] = {};
    for (const [setting, train] of Object.entries(SETTINGS)) {
      const report = await runDemo({ ...common, tasksDir, ciMs, agentMs, train });
      (graphs[name] as Record<string, RunFigures>)[setting] = figures(report);
    }
  }
  const withoutConflicts: Record<string, RunFigures> = {};
  for (const setting of ['batches+speculation', 'optimistic'] as const) {
    const report = await runDemo({
      ...common,
      tasksDir: WRAITH,
      ciMs,
      agentMs,
      train: SETTINGS[setting],
      sharedEditors: [],
    });
    withoutConflicts[setting] = figures(report);
  }
  const overheadPerMergeMs: Record<string, number> = {};
  for (const setting of ['batch-1', 'batches+speculation'] as const) {
    const report = await runDemo({
      ...common,
      tasksDir: WRAITH,
      ciMs: 0,
      agentMs: 0,
      train: SETTINGS[setting],
    });
    const merged = report.tasks.filter((t) => t.kind === 'implementation' && t.status === 'completed').length;
    overheadPerMergeMs[setting] = Math.round(report.makespanMs / Math.max(1, merged));
  }
  const failRate = 0.1;
  const flakyReport = await runDemo({ ...common, tasksDir: WRAITH, ciMs, agentMs, failRate, seed: 7 });
  return {
    ciMs,
    agentMs,
    graphs,
    withoutConflicts,
    overheadPerMergeMs,
    flaky: { ...figures(flakyReport), failRate },
  };
}
