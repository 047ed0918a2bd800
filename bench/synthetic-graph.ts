/** Synthetic task graphs for benchmarks: wraith-shaped files, about `edgesPerTask` dependencies each. */
import { seeded as seededRandom } from '../sim/random.js';
import type { SourceFile } from '../src/domain/tasks/types.js';

/**
 * `size` task files; task i depends on up to `edgesPerTask` distinct earlier tasks drawn from the
 * previous 200, so the graph has many generations and a long critical path, like real decompositions.
 *
 * Statuses: `wavefront` (default) completes the first 30% of tasks, as a project part-way through
 * looks (every wraith snapshot does: completed tasks never wait on pending ones); `random`
 * completes a random 30%, which makes thousands of status inversions (a stress case: each is a
 * warning with a message).
 */
export function syntheticTaskFiles(
  size: number,
  edgesPerTask = 4,
  seed = 42,
  statuses: 'wavefront' | 'random' = 'wavefront',
): SourceFile[] {
  const random = seededRandom(seed);
  const files: SourceFile[] = [];
  for (let i = 0; i < size; i++) {
    const deps = new Set<number>();
    const want = Math.min(i, edgesPerTask);
    while (deps.size < want) deps.add(i - 1 - Math.floor(random() * Math.min(i, 200)));
    const id = `area${i % 17}/task-${i}`;
    const lines = [
      '---',
      `id: ${id}`,
      `name: Synthetic task ${i} — implement part ${i}`,
      `status: ${(statuses === 'random' ? random() < 0.3 : i < size * 0.3) ? 'completed' : 'pending'}`,
      ...(deps.size > 0 ? ['depends_on:', ...[...deps].map((d) => `  - area${d % 17}/task-${d}`)] : []),
      'scope: moderate',
      'risk: medium',
      'impact: component',
      'level: implementation',
      '---',
      '',
      '## Description',
      '',
      `Synthetic task ${i}.`,
      '',
      '## Summary',
      '',
      '> To be filled on completion',
    ];
    files.push({ path: `tasks/area${i % 17}/task-${i}.md`, text: lines.join('\n') });
  }
  // Both real sources hand the core files sorted by path (readTasksDir sorts; GitHub trees are sorted).
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
