/**
 * Benchmark: parse + validate + plan of synthetic graphs of 1,000 / 10,000 / 50,000 tasks (about 4
 * edges per task), in memory (no disk). Reports the median of several runs per size and the growth
 * ratio between sizes, measured side by side in one process.
 * Target (issue 2): 10,000 tasks under 200 ms; 10x tasks -> at most 12x time. Statuses form a
 * wavefront (see synthetic-graph.ts); a random-status stress figure is reported beside it.
 */
import yaml from 'js-yaml';
import { findFrontmatter } from '../src/domain/tasks/frontmatter.js';
import { summarizeGraph } from '../src/domain/tasks/graph-summary.js';
import { loadTaskGraph } from '../src/domain/tasks/load-graph.js';
import { syntheticTaskFiles } from './synthetic-graph.js';

export interface GraphCoreResult {
  readonly sizes: {
    tasks: number;
    edges: number;
    generations: number;
    medianMs: number;
    runs: number[];
    /** Median time of js-yaml alone on the same frontmatter blocks, measured in the same loop. */
    yamlOnlyMedianMs: number;
    /** medianMs / yamlOnlyMedianMs: how much the pipeline costs beyond the YAML library's floor. */
    ratioToYamlOnly: number;
  }[];
  /** 10k tasks with random statuses (thousands of status inversions), not part of the target. */
  readonly stress: {
    tasks: number;
    statuses: 'random';
    medianMs: number;
    yamlOnlyMedianMs: number;
    ratioToYamlOnly: number;
  };
  /** time(10x tasks) / time(tasks) for each consecutive pair, normalized to the task ratio. */
  readonly growth: { from: number; to: number; taskRatio: number; timeRatio: number; perTaskRatio: number }[];
  readonly target: { tasks10kUnderMs: number; maxTimeRatioPer10x: number; met: boolean };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Median times of the whole pipeline and of js-yaml alone on `files`, measured side by side. */
function measure(files: ReturnType<typeof syntheticTaskFiles>, runs: number) {
  let edges = 0;
  let generations = 0;
  const times: number[] = [];
  const yamlTimes: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const yamlStart = performance.now();
    for (const file of files) {
      const block = findFrontmatter(file.text);
      if (block.kind === 'block') yaml.load(block.yaml, { schema: yaml.CORE_SCHEMA });
    }
    const yamlElapsed = performance.now() - yamlStart;
    const start = performance.now();
    const loaded = loadTaskGraph(files);
    const summary = summarizeGraph(loaded, 'feat/');
    const elapsed = performance.now() - start;
    if (loaded.errors.length > 0) throw new Error(`synthetic graph has errors: ${loaded.errors[0]?.message}`);
    edges = summary.edges;
    generations = summary.generations.length;
    if (r > 0) {
      times.push(Math.round(elapsed * 10) / 10);
      yamlTimes.push(Math.round(yamlElapsed * 10) / 10);
    }
  }
  const medianMs = median(times);
  const yamlOnlyMedianMs = median(yamlTimes);
  return {
    edges,
    generations,
    medianMs,
    runs: times,
    yamlOnlyMedianMs,
    ratioToYamlOnly: round(medianMs / yamlOnlyMedianMs),
  };
}

/** Runs the benchmark; `runs` timed repetitions per size after one warm-up. */
export function benchGraphCore(sizes = [1_000, 10_000, 50_000], runs = 5): GraphCoreResult {
  const results: GraphCoreResult['sizes'] = sizes.map((size) => ({
    tasks: size,
    ...measure(syntheticTaskFiles(size), runs),
  }));
  // Stress: the same 10k graph with a random 30% completed (about 2,000 status-inversion warnings).
  const stress = {
    tasks: 10_000,
    statuses: 'random' as const,
    ...measure(syntheticTaskFiles(10_000, 4, 42, 'random'), runs),
  };
  const growth = results.slice(1).map((to, i) => {
    const from = results[i] as (typeof results)[number];
    const taskRatio = to.tasks / from.tasks;
    const timeRatio = to.medianMs / from.medianMs;
    return {
      from: from.tasks,
      to: to.tasks,
      taskRatio,
      timeRatio: round(timeRatio),
      perTaskRatio: round(timeRatio / taskRatio),
    };
  });
  const tenK = results.find((r) => r.tasks === 10_000)?.medianMs ?? Number.POSITIVE_INFINITY;
  // The growth target is about 10x more tasks (the 1k -> 10k pair): at most 12x the time.
  const tenX = growth.filter((g) => g.taskRatio === 10);
  const worstPer10x = Math.max(...tenX.map((g) => g.timeRatio));
  return {
    sizes: results,
    stress,
    growth,
    target: { tasks10kUnderMs: 200, maxTimeRatioPer10x: 12, met: tenK < 200 && worstPer10x <= 12 },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
