/**
 * End to end under the faults production brings (issue 10): the stand-in answers 5% of API calls
 * with 502, 5% with a secondary rate limit (403 with `retry-after: 1`), drops 10% of webhooks; one
 * run also SIGKILLs the app every 20 s and starts it again on the same port and DATA_DIR. Judged from
 * git and the stand-in: every task completed in order, each status written once on `main`, every
 * merge's Teams card delivered, no app check left in progress, no task branch left.
 *
 * The three runs are concurrent (each is mostly waiting out `retry-after`), so the file takes about
 * as long as the slowest run.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../sim/demo.js';
import type { DemoReport } from '../../sim/report.js';
import { expectCleanFinish } from '../helpers/e2e.js';
import { WRAITH_DIR } from '../helpers/task-files.js';

const WRAITH_01 = path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks');
const FAULTS = { errorRate: 0.05, rateLimitRate: 0.05, dropRate: 0.1 };
const CHAOS = {
  tasksDir: WRAITH_01,
  ciMs: 50,
  agentMs: 200,
  resyncMs: 1_500,
  timeoutMs: 420_000,
  progress: null,
};

function expectNothingLost(report: DemoReport) {
  expectCleanFinish(report);
  expect(report.tasks).toHaveLength(35);
  expect(
    report.tasks.filter((t) => t.statusChanges !== 1).map((t) => `${t.taskId}: ${t.statusChanges}`),
  ).toEqual([]);
  expect(report.lost).toEqual([]);
  expect(report.stuck).toEqual([]);
  // The faults really happened.
  expect(report.api.byStatus['502'] ?? 0).toBeGreaterThan(0);
  expect(report.api.byStatus['403'] ?? 0).toBeGreaterThan(0);
  expect(report.webhooks.dropped).toBeGreaterThan(0);
}

describe.concurrent('wraith 01 with 5% 502s, 5% secondary rate limits and 10% dropped webhooks', () => {
  it('seed 1: completes, nothing lost', async () => {
    const report = await runDemo({ ...CHAOS, failRate: 0, faults: FAULTS, seed: 1 });
    expectNothingLost(report);
    expect(report.repeated).toEqual([]);
  }, 480_000);

  it('seed 2, with 10% failing CI runs: every task whose CI went red is fixed by its agent and merges; nothing lost', async () => {
    const report = await runDemo({ ...CHAOS, failRate: 0.1, faults: FAULTS, seed: 2 });
    expectNothingLost(report);
    // CI really failed; which runs the seeded coin hits depends on timing (the coin is shared with
    // the faults), so each task whose own CI went red must have been fixed by its agent and merged.
    expect(report.ci.failed).toBeGreaterThan(0);
    const red = new Set(
      report.checkRuns
        .filter((c) => c.name === 'ci' && c.conclusion === 'failure' && c.headBranch?.startsWith('feat/'))
        .map((c) => c.headBranch),
    );
    const unfixed = report.tasks.filter(
      (t) => red.has(`feat/${t.taskId}`) && (t.fixes === 0 || t.status !== 'completed'),
    );
    expect(unfixed.map((t) => t.taskId)).toEqual([]);
    expect(report.repeated).toEqual([]);
  }, 480_000);

  it('seed 3, with the app SIGKILLed every 20 s: completes after three or more kills, nothing lost', async () => {
    const report = await runDemo({ ...CHAOS, failRate: 0, faults: FAULTS, seed: 3, killEveryMs: 20_000 });
    expectNothingLost(report);
    expect(report.kills).toBeGreaterThanOrEqual(3);
    // Teams delivery is at least once: a kill during a post may repeat that one card, never more.
    expect(report.repeated.length).toBeLessThanOrEqual(report.kills);
  }, 480_000);
});
