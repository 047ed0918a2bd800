/**
 * Which candidates the next batch holds. Every candidate is ready (its dependencies are completed on
 * the base), so any set of them is independent by the graph's construction; what remains is what git
 * and CI can tell apart:
 *
 * - candidates go in merge order (`candidates.ts`), at most `merge.batch_size`, and never more than
 *   any member's bisection `limit` allows;
 * - a candidate whose changed files overlap those of a PR already in the batch, or in a car under
 *   test, waits for a later batch (two edits of one file are where conflicts come from; the later
 *   one is tested on a base that already holds the earlier);
 * - on an empty train, candidates held back by a conflict with a batch ahead go first (so the next
 *   attempt merges them onto the base alone: a conflict there is theirs, and is reported); while
 *   any is held back, no car is added on top of the train, which then drains.
 */
import type { Candidate } from './candidates.js';
import type { QueueRecord } from './queue-record.js';

export interface BatchPick<T extends Candidate> {
  readonly batch: T[];
  /** Candidates that wait because their files overlap the batch or the train. */
  readonly deferred: T[];
  /** Candidates held back by a conflict with a batch ahead (they wait for an empty train). */
  readonly held: T[];
}

/**
 * Picks the next batch. `candidates` are in merge order and exclude the PRs already in cars;
 * `trainFiles` are the changed files of the PRs in cars; `speculative` is whether the batch goes on
 * top of a car. Pure.
 */
export function formBatch<T extends Candidate>(input: {
  readonly candidates: readonly T[];
  readonly record: (candidate: T) => QueueRecord;
  readonly batchSize: number;
  readonly trainFiles: ReadonlySet<string>;
  readonly speculative: boolean;
}): BatchPick<T> {
  const { candidates, record, batchSize, speculative } = input;
  const held = candidates.filter((c) => record(c).held);
  if (speculative && held.length > 0) return { batch: [], deferred: [], held };
  const ordered = [...held, ...candidates.filter((c) => !record(c).held)];
  const files = new Set(input.trainFiles);
  const batch: T[] = [];
  const deferred: T[] = [];
  let limit = batchSize;
  for (const candidate of ordered) {
    const own = Math.min(batchSize, record(candidate).limit ?? batchSize);
    if (batch.length + 1 > Math.min(limit, own)) continue;
    if (candidate.pull.changedFiles.some((file) => files.has(file))) {
      deferred.push(candidate);
      continue;
    }
    batch.push(candidate);
    limit = Math.min(limit, own);
    for (const file of candidate.pull.changedFiles) files.add(file);
  }
  return { batch, deferred, held: [] };
}
