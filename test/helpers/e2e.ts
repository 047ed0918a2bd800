/** Shared pieces of the end-to-end tests: small task graphs, and reading a demo report from outside. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { enforce } from '../../sim/enforce.js';
import type { Hub, Repo } from '../../sim/hub.js';
import type { DemoReport } from '../../sim/report.js';

/** Fast timings for the stand-in (CI 300 ms, agents 200 ms). */
/** A run where only the app acts (no agents): it ends once the app is quiet. */
export const APP_ONLY = {
  agents: false,
  ciMs: 100,
  agentMs: 100,
  failRate: 0,
  resyncMs: 1_500,
  timeoutMs: 120_000,
  progress: null,
} as const;

export const FAST = { ciMs: 300, agentMs: 200, resyncMs: 1_500, timeoutMs: 240_000, progress: null };

/** A small graph: `a` and `b` independent, `c` after both; `extra` adds `[id, deps]` tasks. */
export function smallGraph(extra: readonly [string, string[]][] = []): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-tasks-'));
  const task = (id: string, deps: string[] = []) =>
    [
      '---',
      `id: ${id}`,
      `name: Task ${id}`,
      'status: pending',
      'level: implementation',
      ...(deps.length > 0 ? ['depends_on:', ...deps.map((d) => `  - ${d}`)] : []),
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
  for (const [id, deps] of [['a', []], ['b', []], ['c', ['a', 'b']], ...extra] as [string, string[]][])
    writeFileSync(path.join(dir, `${id}.md`), task(id, deps));
  return dir;
}

/** Every text a channel's accepted posts carried (card titles and digest lines), joined. */
export function channelText(report: DemoReport, channel: string): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'TextBlock' && typeof record.text === 'string') texts.push(record.text);
      Object.values(record).forEach(walk);
    }
  };
  for (const post of report.teams) if (post.channel === channel && post.status === 202) walk(post.body);
  return texts.join('\n');
}

/** Every task completed, in order, nothing left behind. */
export function expectCleanFinish(report: DemoReport) {
  expect(report.completed).toBe(true);
  expect(Object.values(report.finalStatuses).every((s) => s === 'completed')).toBe(true);
  expect(report.violations).toEqual([]);
  expect(report.branchesLeft).toEqual([]);
  expect(report.checkRunsInProgress).toEqual([]);
}

/** Every SHA `branch` was moved to, oldest first. */
export const movesOf = (repo: Repo, branch: string): string[] =>
  repo.refLog.filter((m) => m.branch === branch && m.sha !== null).map((m) => m.sha as string);

/**
 * Judged from outside, after the run: every SHA main was moved to carries green `ci` and
 * `Merge order` checks (the stand-in refused anything else at the time; this re-checks the
 * record), and every task status changed once.
 */
export async function expectMainAlwaysGreen(hub: Hub, repo: Repo) {
  const moves = movesOf(repo, 'main');
  expect(moves.length).toBeGreaterThan(0);
  for (const sha of moves) {
    const verdict = await enforce(hub, repo, {
      branch: 'main',
      oldSha: null,
      newSha: sha,
      actor: hub.appActor,
      via: 'push',
    });
    expect(verdict, sha).toEqual({ ok: true });
  }
}
