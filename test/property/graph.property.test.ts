/** Properties of the graph core over random graphs and random input bytes (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeTaskId } from '../../src/domain/tasks/branch-names.js';
import { findCycles } from '../../src/domain/tasks/cycles.js';
import { criticalPath } from '../../src/domain/tasks/generations.js';
import { loadTaskGraph } from '../../src/domain/tasks/load-graph.js';
import { parseTaskFile } from '../../src/domain/tasks/parse-task.js';
import { setStatus } from '../../src/domain/tasks/status-edit.js';
import { TASK_STATUSES } from '../../src/domain/tasks/types.js';
import { taskFile } from '../helpers/task-files.js';

/** A random DAG: task i may depend only on tasks with a smaller index; ids are shuffled names. */
const dag = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 4 }),
      fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => `t${i}`),
        { minLength: n, maxLength: n },
      ),
    ),
  )
  .map(([n, pairs, names]) => {
    const deps = Array.from({ length: n }, () => new Set<string>());
    for (const [a, b] of pairs) if (a !== b) deps[Math.max(a, b)]?.add(names[Math.min(a, b)] as string);
    return names.map((id, i) => ({ id, deps: [...(deps[i] as Set<string>)] }));
  });

/** Any directed graph on up to 12 tasks (cycles allowed, no self loops). */
const anyGraph = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 }).map((pairs) =>
    Array.from({ length: n }, (_, i) => ({
      id: `n${i}`,
      deps: [...new Set(pairs.filter(([a, b]) => a === i && b !== i).map(([, b]) => `n${b}`))],
    })),
  ),
);

describe('generations of random DAGs', () => {
  it('put every task in exactly one generation, after all its dependencies and right after one of them', () => {
    fc.assert(
      fc.property(dag, (specs) => {
        const loaded = loadTaskGraph(specs.map(taskFile));
        expect(loaded.errors).toEqual([]);
        const { generations, generationOf, unresolved } = loaded.generations;
        expect(unresolved).toEqual([]);
        expect(generations.flat().sort()).toEqual(specs.map((s) => s.id).sort());
        for (const spec of specs) {
          const own = generationOf.get(spec.id) as number;
          const levels = spec.deps.map((d) => generationOf.get(d) as number);
          for (const level of levels) expect(level).toBeLessThan(own);
          expect(own).toBe(levels.length === 0 ? 1 : Math.max(...levels) + 1);
        }
      }),
    );
  });

  it('give a critical path that is a real chain as long as there are generations', () => {
    fc.assert(
      fc.property(dag, (specs) => {
        const loaded = loadTaskGraph(specs.map(taskFile));
        const path = criticalPath(loaded.graph, loaded.generations);
        expect(path).toHaveLength(loaded.generations.generations.length);
        for (let i = 1; i < path.length; i++) {
          expect(loaded.graph.dependencies.get(path[i] as string)).toContain(path[i - 1]);
        }
      }),
    );
  });
});

describe('cycles in random graphs', () => {
  it('are real cycles, and exist exactly when some task has no generation', () => {
    fc.assert(
      fc.property(anyGraph, (specs) => {
        const loaded = loadTaskGraph(specs.map(taskFile));
        const cycles = findCycles(loaded.graph);
        for (const cycle of cycles) {
          cycle.forEach((id, i) => {
            const next = cycle[(i + 1) % cycle.length] as string;
            expect(loaded.graph.dependencies.get(id)).toContain(next);
          });
        }
        expect(cycles.length > 0).toBe(loaded.generations.unresolved.length > 0);
        expect(loaded.errors.filter((e) => e.code === 'cycle')).toHaveLength(cycles.length);
        const placed = loaded.generations.generations.flat().length + loaded.generations.unresolved.length;
        expect(placed).toBe(specs.length);
      }),
    );
  });
});

describe('the parser on hostile input', () => {
  const yamlish = fc.stringMatching(/^[-a-z:[\]{}'"#&*!|>%@`, \n\t.0-9]*$/);

  it.each([
    ['random text', fc.string({ unit: 'grapheme', maxLength: 300 })],
    [
      'random bytes decoded as UTF-8',
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
    ],
    ['random YAML-ish frontmatter', yamlish.map((body) => `---\n${body}\n---\nbody`)],
    [
      'random values for known keys',
      fc
        .tuple(yamlish, yamlish, yamlish)
        .map(([a, b, c]) => `---\nid: ${a}\nname: ${b}\ndepends_on: ${c}\nstatus: ${b}\n---\n`),
    ],
  ])('never throws on %s', (_intent, input) => {
    fc.assert(
      fc.property(input, (text) => {
        const parsed = parseTaskFile({ path: 'tasks/x.md', text });
        for (const d of parsed.diagnostics) expect(d.line === null || d.line >= 1).toBe(true);
        loadTaskGraph([{ path: 'tasks/x.md', text }, taskFile({ id: 'a' })]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the status editor', () => {
  it('changes the status and nothing else in any generated task file', () => {
    const status = fc.constantFrom(...TASK_STATUSES);
    fc.assert(
      fc.property(dag, status, status, fc.boolean(), (specs, before, after, newline) => {
        const spec = specs[0] as (typeof specs)[number];
        const file = taskFile({ ...spec, status: before });
        const text = newline ? `${file.text}\n` : file.text;
        const edited = setStatus(text, after);
        expect(parseTaskFile({ path: file.path, text: edited }).task?.status).toBe(after);
        expect(edited.replace(`status: ${after}`, `status: ${before}`)).toBe(text);
      }),
    );
  });
});

describe('normalizeTaskId', () => {
  it('is idempotent and yields only branch-safe characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (id) => {
        const once = normalizeTaskId(id);
        expect(normalizeTaskId(once)).toBe(once);
        expect(once).toMatch(/^(?:[a-z0-9.]|[a-z0-9.][a-z0-9./-]*[a-z0-9.])?$/);
        expect(once).not.toContain('--');
      }),
    );
  });
});
