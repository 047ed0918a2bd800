/**
 * The demo's live progress line, read from the stand-in like anyone could: tasks completed, the
 * current generation, the batches in flight on the staging branches (in train order, with their CI
 * state), the queue and who waits on whom.
 */
import { branchOf } from './agents.js';
import type { Repo } from './hub.js';

/** What the progress line needs of the demo's timeline: every task's status and dependencies. */
export interface TaskView {
  readonly tasks: ReadonlyMap<string, { readonly status: string; readonly dependsOn: readonly string[] }>;
}

/**
 * One progress line: completed/total, the current generation (the first with open tasks), the
 * queue (open, ready PRs whose dependencies are all completed) and who waits on whom.
 */
export async function progressLine(
  repo: Repo,
  timeline: TaskView,
  state: { total: number; completed: number },
  t0: number,
): Promise<string> {
  const tasks = timeline.tasks;
  const done = (id: string) => tasks.get(id)?.status === 'completed';
  const generation = new Map<string, number>();
  const level = (id: string, depth = 0): number => {
    const known = generation.get(id);
    if (known !== undefined) return known;
    const deps = tasks.get(id)?.dependsOn ?? [];
    const value = depth > tasks.size ? 0 : 1 + Math.max(0, ...deps.map((d) => level(d, depth + 1)));
    generation.set(id, value);
    return value;
  };
  const current = Math.min(...[...tasks.keys()].filter((id) => !done(id)).map((id) => level(id)));
  const queued: string[] = [];
  const waiting: string[] = [];
  for (const pull of repo.pulls.values()) {
    if (pull.state !== 'open' || pull.draft) continue;
    const id = [...tasks.keys()].find((t) => branchOf('feat/', t) === pull.headRef);
    const open = (id ? (tasks.get(id)?.dependsOn ?? []) : []).filter((d) => !done(d));
    if (open.length === 0) queued.push(`#${pull.number}`);
    else waiting.push(`#${pull.number} on ${open.slice(0, 2).join(', ')}${open.length > 2 ? ', …' : ''}`);
  }
  const seconds = ((Date.now() - t0) / 1000).toFixed(0).padStart(4);
  const gen = Number.isFinite(current) ? `generation ${current}` : 'all generations done';
  const train = await trainLine(repo);
  return `[${seconds} s] ${state.completed}/${state.total} completed · ${gen}${train ? ` · batches: ${train}` : ''} · queued: ${queued.join(' ') || 'none'}${waiting.length > 0 ? ` · waiting: ${waiting.slice(0, 3).join('; ')}` : ''}`;
}

/**
 * The batches on the staging branches, in train order from `main` (each built on the one before),
 * as `[#16 #17 …] ⏳ → [#19] ✓`: ⏳ CI running, ✓ green, ✗ red. Empty when no batch is in flight.
 */
async function trainLine(repo: Repo): Promise<string> {
  const refs = await repo.git.refs('refs/heads/coordinator/');
  const cars = new Map<string, { sha: string; pulls: string[] }>();
  for (const [name, sha] of refs) {
    if (!/^refs\/heads\/coordinator\/staging(-\d+)?$/.test(name)) continue;
    const message = (await repo.git.commit(sha))?.message ?? '';
    const base = /^Coordinator-Base: ([0-9a-f]{40})$/m.exec(message)?.[1];
    if (base)
      cars.set(base, {
        sha,
        pulls: [...message.matchAll(/^Coordinator-Pull: (#\d+)/gm)].map((m) => m[1] as string),
      });
  }
  const parts: string[] = [];
  let top = await repo.git.ref(`refs/heads/${repo.defaultBranch}`);
  for (let car = top ? cars.get(top) : undefined; car && parts.length < 10; car = cars.get(top ?? '')) {
    const runs = repo.checkRuns.filter((r) => r.headSha === car?.sha && r.name === 'ci');
    const state = runs.some((r) => r.conclusion === 'failure')
      ? '✗'
      : runs.some((r) => r.conclusion === 'success')
        ? '✓'
        : '⏳';
    parts.push(`[${car.pulls.join(' ') || 'status'}] ${state}`);
    top = car.sha;
  }
  return parts.join(' → ');
}
