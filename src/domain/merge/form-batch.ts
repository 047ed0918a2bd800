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
 * - a candidate held back by a conflict with the car below it (it merged cleanly onto the base
 *   alone, so the conflict is the car's doing) waits while that car is in the train; once the car
 *   has left it (promoted, or failed and dropped), the candidate goes first in the next batch, on
 *   the base or on top of the cars still under test. Cars that change none of its files are added
 *   on top of the train meanwhile: nothing waits for a conflict that is not its own.
 */
import type { Candidate } from './candidates.js';
import type { QueueRecord } from './queue-record.js';

export interface BatchPick<T extends Candidate> {
  readonly batch: T[];
  /** Candidates that wait because their files overlap the batch or the train. */
  readonly deferred: T[];
  /** Candidates held back by a conflict with a car still in the train (they wait for it to leave). */
  readonly held: T[];
}

/**
 * Picks the next batch. `candidates` are in merge order and exclude the PRs already in cars;
 * `trainFiles` are the changed files of the PRs in cars; `trainHeads` the head SHAs of the cars
 * (a held record names the car head it conflicted at). Pure.
 */
export function formBatch<T extends Candidate>(input: {
  readonly candidates: readonly T[];
  readonly record: (candidate: T) => QueueRecord;
  readonly batchSize: number;
  readonly trainFiles: ReadonlySet<string>;
  readonly trainHeads: ReadonlySet<string>;
}): BatchPick<T> {
  const { candidates, record, batchSize, trainHeads } = input;
  const heldAt = (c: T) => record(c).held ?? null;
  const held = candidates.filter((c) => {
    const at = heldAt(c);
    return at !== null && trainHeads.has(at);
  });
  const waiting = new Set(held);
  const ordered = [
    ...candidates.filter((c) => heldAt(c) !== null && !waiting.has(c)),
    ...candidates.filter((c) => heldAt(c) === null),
  ];
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
  return { batch, deferred, held };
}
