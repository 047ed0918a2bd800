/**
 * What a red batch means for each of its PRs (after bors-ng's bisection, with Mergify's and
 * GitHub's merge queue retries for flaky CI):
 *
 * - a batch of n > 1 PRs: every PR is requeued with a limit of ⌈n/2⌉ (its record's `limit`, never
 *   raised), so the next batches hold the halves; a PR's limit falls with each failure it is part
 *   of, so the failing PR is isolated after at most ⌈log2 n⌉ + 1 red batches, and its siblings merge;
 * - a batch of one PR that has been re-run fewer than `merge.retries` times: requeued as it is
 *   (`retries` + 1), since the failure may be flaky;
 * - otherwise the PR is ejected: failing `Merge queue` check linking the red run, one comment,
 *   `merge.failed`. Its dependents wait; a new push (or `/coordinator retry`) brings it back.
 * - a batch whose required checks never appeared (`merge.checks_timeout`) ejects every PR: that is
 *   CI configuration, not a PR's fault, and retrying would only wait again.
 *
 * Every requeued record names the red car (`seen`), so a verdict is counted once even if the
 * reconcile that wrote it is interrupted.
 */
import { formatQueueRecord, type QueueRecord } from './queue-record.js';
import type { Car } from './train.js';
import type { BatchEntry, BatchVerdict } from './types.js';

/**
 * Verdicts for the PRs of a red car. `records` gives each entry's current record. `failed` is the
 * reason text with links to the red runs.
 */
export function redBatchVerdicts(input: {
  car: Pick<Car, 'sha' | 'branch' | 'batch'>;
  records: (entry: BatchEntry) => QueueRecord;
  retries: number;
  failed: string;
}): BatchVerdict[] {
  const { car, records, retries, failed } = input;
  const entries = car.batch.entries;
  const n = entries.length;
  if (n > 1) {
    const limit = Math.ceil(n / 2);
    const others = (entry: BatchEntry) =>
      entries
        .filter((e) => e.number !== entry.number)
        .map((e) => `#${e.number}`)
        .join(', ');
    return entries.map((entry) => {
      const record = records(entry);
      const next = Math.min(record.limit ?? limit, limit);
      return {
        kind: 'requeue',
        entry,
        title: `Bisecting: the batch of ${n} failed; retesting in batches of at most ${next}`,
        summary: [
          `${failed}.`,
          '',
          `This PR was tested together with ${others(entry)} on \`${car.branch}\`, so the failure is not yet this PR's. The batch is split (bisection): this PR is tested next in a batch of at most ${next}, until the PR that fails is found. Only that PR leaves the queue.`,
        ].join('\n'),
        externalId: formatQueueRecord({ ...record, limit: next, failedOn: car.sha, held: null }),
      };
    });
  }
  return entries.map((entry): BatchVerdict => {
    const record = records(entry);
    const done = record.retries ?? 0;
    if (done >= retries) return { kind: 'eject', entry };
    return {
      kind: 'requeue',
      entry,
      title: `Retrying: the merge result failed (retry ${done + 1} of ${retries})`,
      summary: [
        `${failed}.`,
        '',
        `A red run may be flaky, so the merge result is tested again (\`merge.retries\`: ${retries}) before this PR leaves the queue.`,
      ].join('\n'),
      externalId: formatQueueRecord({ ...record, retries: done + 1, failedOn: car.sha, held: null }),
    };
  });
}
