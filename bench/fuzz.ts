/**
 * Worst-case time per input of every parser of untrusted text (`untrusted-parsers.ts`) over 10,000
 * mutated real task files (`mutations.ts`: special tokens, runs of one character up to 200,000 long,
 * alias ladders, deleted and duplicated ranges), seeded so a run can be replayed. Target: the worst
 * input takes at most 50 ms (figures compare within one run; the machine is shared).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seeded } from '../sim/random.js';
import { mutate, randomMutations, realTaskFiles } from './mutations.js';
import { parseUntrusted } from './untrusted-parsers.js';

const TASKGRAPHS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/taskgraphs');

export interface FuzzBench {
  readonly inputs: number;
  readonly largestInputChars: number;
  readonly ms: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly worst: { readonly file: string; readonly chars: number; readonly mutations: string };
  readonly targetMaxMs: 50;
  readonly met: boolean;
}

export function benchFuzz(options: { inputs?: number; seed?: number } = {}): FuzzBench {
  const files = realTaskFiles(TASKGRAPHS);
  const random = seeded(options.seed ?? 42);
  const inputs = options.inputs ?? 10_000;
  const times: number[] = [];
  let worst = { ms: -1, file: '', chars: 0, mutations: '' };
  let largest = 0;
  for (let i = 0; i < inputs; i++) {
    const file = files[Math.floor(random() * files.length)] as { path: string; text: string };
    const mutations = randomMutations(random, 4, i % 50 === 0 ? 200_000 : 20_000);
    const text = mutate(file.text, mutations);
    largest = Math.max(largest, text.length);
    const started = performance.now();
    parseUntrusted(text, file.path);
    const ms = performance.now() - started;
    times.push(ms);
    if (ms > worst.ms)
      worst = {
        ms,
        file: file.path,
        chars: text.length,
        mutations: mutations
          .map((m) =>
            m.kind === 'repeat'
              ? `repeat ${JSON.stringify(m.char)}×${m.count}`
              : m.kind === 'aliases'
                ? `aliases depth ${m.depth}`
                : m.kind,
          )
          .join(', '),
      };
  }
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 100) / 100;
  const max = Math.round(worst.ms * 100) / 100;
  return {
    inputs,
    largestInputChars: largest,
    ms: { p50: at(0.5), p99: at(0.99), max },
    worst: { file: worst.file, chars: worst.chars, mutations: worst.mutations },
    targetMaxMs: 50,
    met: max <= 50,
  };
}
