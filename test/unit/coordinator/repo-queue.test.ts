import { describe, expect, it } from 'vitest';
import { RepoQueue } from '../../../src/coordinator/repo-queue.js';

/** A job whose runs can be released one at a time. */
function gatedJob() {
  const runs: string[] = [];
  const gates: (() => void)[] = [];
  const job = async (key: string) => {
    runs.push(key);
    await new Promise<void>((resolve) => gates.push(resolve));
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { runs, job, release };
}

describe('RepoQueue', () => {
  it('coalesces pokes during a run into exactly one more run', async () => {
    const { runs, job, release } = gatedJob();
    const queue = new RepoQueue(job, () => {});
    queue.poke('o/r');
    queue.poke('o/r');
    queue.poke('o/r');
    queue.poke('o/r');
    await release();
    await release();
    await queue.idle();
    expect(runs).toEqual(['o/r', 'o/r']);
  });

  it('runs one at a time per repo, repos side by side', async () => {
    const { runs, job, release } = gatedJob();
    const queue = new RepoQueue(job, () => {});
    queue.poke('o/a');
    queue.poke('o/b');
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual(['o/a', 'o/b']);
    await release();
    await release();
    await queue.idle();
  });

  it('reports a failing run and keeps serving the repo', async () => {
    const errors: string[] = [];
    let calls = 0;
    const queue = new RepoQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    );
    await queue.poke('o/r');
    await queue.poke('o/r');
    expect(errors).toEqual(['o/r: boom']);
    expect(calls).toBe(2);
  });
});
