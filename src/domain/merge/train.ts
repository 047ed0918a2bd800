/**
 * The merge train, read back from git: the batches under test on the staging branches, in order.
 * The first car is built on the base head; each further car is built on the head of the car below
 * it (speculation: it tests the base plus every car below plus its own PRs), so when the cars below
 * pass and are promoted, its result is already known. The order lives in the trailers
 * (`Coordinator-Base` of each car names the commit it was built on), never in memory or in the
 * branch names, so a restart or a second replica reads the same train.
 *
 * A car stays in the train while:
 * - it is built on the base head (the first car) or on the car below it;
 * - every PR it holds is still queued at the head SHA it was staged with;
 * - it holds no more PRs than any of them may be tested with (`limit`, halved by bisection);
 * - no PR's record says this car's failure was already counted (`seen`);
 * - it holds no PR a car below it holds.
 * The first car that breaks a rule ends the train: it and every car above are free to overwrite
 * (the cars above a failed car are rebuilt). A red first car holding only status edits (nothing to
 * bisect) is set aside as `failedStatus`, so the same edits are not tested again and again.
 */
import { batchChecks } from './batch-checks.js';
import { requiredOutcome } from './candidates.js';
import type { QueueRecord } from './queue-record.js';
import {
  type BatchEntry,
  type BatchRecord,
  type CheckResult,
  type OwnCheckRun,
  type RepoSnapshot,
  stagingBranches,
} from './types.js';

/** One batch under test. */
export interface Car {
  readonly branch: string;
  readonly sha: string;
  readonly batch: BatchRecord;
  readonly committedAtMs: number;
  readonly checks: readonly CheckResult[];
  readonly ownChecks: Readonly<Record<string, OwnCheckRun>>;
}

export interface Train {
  /** `cars[0]` is built on the base head, `cars[i]` on `cars[i - 1]`. */
  readonly cars: readonly Car[];
  /** Configured staging branches no car holds, in name order (where new cars go). */
  readonly free: readonly string[];
  /** A red status-only batch on the base head, when there is one (see the module rules). */
  readonly failedStatus: Car | null;
}

/**
 * Reads the train. `queued` gives the record of an entry's PR when that PR is still queued at the
 * entry's head SHA, else null. Pure.
 */
export function readTrain(
  snapshot: Pick<RepoSnapshot, 'staging' | 'baseSha' | 'config' | 'requiredChecks' | 'pulls'>,
  queued: (entry: BatchEntry) => QueueRecord | null,
): Train {
  const cars: Car[] = [];
  const taken = new Set<number>();
  let failedStatus: Car | null = null;
  let top = snapshot.baseSha;
  for (;;) {
    const next = snapshot.staging
      .filter((s) => s.batch !== null && s.batch.baseSha === top && s.sha !== top)
      .sort((a, b) => a.branch.localeCompare(b.branch))[0];
    if (!next?.batch) break;
    const car: Car = {
      branch: next.branch,
      sha: next.sha,
      batch: next.batch,
      committedAtMs: next.committedAtMs,
      checks: next.checks,
      ownChecks: next.ownChecks ?? {},
    };
    if (!carHolds(car, snapshot.config.merge.batch_size, queued, taken)) break;
    if (cars.length === 0 && car.batch.entries.length === 0 && isRed(snapshot, car)) {
      failedStatus = car;
      break;
    }
    cars.push(car);
    for (const entry of car.batch.entries) taken.add(entry.number);
    top = car.sha;
  }
  const used = new Set(cars.map((c) => c.branch));
  const free = stagingBranches(snapshot.config.merge.parallel).filter((name) => !used.has(name));
  return { cars, free, failedStatus };
}

/** Whether a car still stands (the module's rules for one car). */
function carHolds(
  car: Car,
  batchSize: number,
  queued: (entry: BatchEntry) => QueueRecord | null,
  taken: ReadonlySet<number>,
): boolean {
  let limit = batchSize;
  for (const entry of car.batch.entries) {
    if (taken.has(entry.number)) return false;
    const record = queued(entry);
    if (!record || record.failedOn === car.sha) return false;
    limit = Math.min(limit, record.limit ?? batchSize);
  }
  return car.batch.entries.length <= limit;
}

/** Whether a check the car waits for failed on its head. */
export function isRed(snapshot: Pick<RepoSnapshot, 'requiredChecks' | 'pulls'>, car: Car): boolean {
  const { names } = batchChecks(snapshot, car.batch.entries);
  return requiredOutcome(car.checks, names).failed.length > 0;
}

/** Tasks the cars complete (their PRs' tasks and their `completed` edits), and every task they edit. */
export function carsEdits(cars: readonly Car[]): { completed: Set<string>; edited: Set<string> } {
  const completed = new Set<string>();
  const edited = new Set<string>();
  for (const car of cars) {
    for (const entry of car.batch.entries) completed.add(entry.taskId);
    for (const edit of car.batch.edits ?? []) {
      edited.add(edit.taskId);
      if (edit.status === 'completed') completed.add(edit.taskId);
    }
  }
  return { completed, edited };
}

/** `#12, #14` (or `the status commit`) for the PRs of a car. */
export function carName(car: Pick<Car, 'batch'>): string {
  return car.batch.entries.length > 0
    ? car.batch.entries.map((e) => `#${e.number}`).join(', ')
    : 'the status commit';
}
