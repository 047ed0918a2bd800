/**
 * The `Merge queue` check run of a PR head is the app's record of that head, kept in GitHub (its
 * `external_id`, which GitHub stores verbatim up to 255 characters; docs: "Create a check run"):
 * who took in a PR from a fork (`trusted`), and later the bisection and retry state of the merge
 * train. A new head starts with an empty record, so every decision is tied to the SHA it was made
 * for. The text is `tgc1` then `;key=value` pairs, readable in the API.
 */
import { CHECK_NAMES, type OwnCheckRun, type PullState } from './types.js';

/** Why a head left the queue (the kind of its failing `Merge queue` run). */
export const FAILURE_KINDS = [
  'conflict',
  'checks-failed',
  'checks-timeout',
  'refused',
  'not-mergeable',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface QueueRecord {
  /** Why this head failed, when its run is a failure (the event and the comment derive from it). */
  readonly failure?: FailureKind | null;
  /** Whether the one failure comment was written (false: the next reconcile writes it). */
  readonly commented?: boolean;
  /** Login of the maintainer who took in this head of a fork PR (`/coordinator merge`). */
  readonly trustedBy: string | null;
  /**
   * The run shows that branch rules block every merge (not a failure of this head): it is
   * rewritten once the rules allow merging, and never keeps the head out of the queue.
   */
  readonly blockedByRules: boolean;
  /**
   * Bisection: the largest batch this head may be tested in (halved each time a batch holding it
   * fails); absent: `merge.batch_size`.
   */
  readonly limit?: number | null;
  /** How many times a red batch of this head alone was re-run (`merge.retries`). */
  readonly retries?: number;
  /** The staging head whose failure was last counted here (a verdict is counted once per car). */
  readonly failedOn?: string | null;
  /**
   * The head conflicted with the batch ahead of it at this commit (not necessarily with the base):
   * it waits for a batch built on the base itself, and goes first in it.
   */
  readonly held?: string | null;
}

const PREFIX = 'tgc1';
export const EMPTY_RECORD: QueueRecord = { trustedBy: null, blockedByRules: false };

/** Reads a record; anything unreadable is the empty record. */
export function parseQueueRecord(externalId: string | null | undefined): QueueRecord {
  if (!externalId?.startsWith(PREFIX)) return EMPTY_RECORD;
  const fields = new Map(
    externalId
      .slice(PREFIX.length)
      .split(';')
      .filter(Boolean)
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
  const trusted = fields.get('trusted');
  const failure = fields.get('failed');
  const count = (key: string, max: number) => {
    const text = fields.get(key) ?? '';
    const value = /^\d{1,3}$/.test(text) ? Number(text) : null;
    return value !== null && value <= max ? value : null;
  };
  const sha = (key: string) => {
    const text = fields.get(key) ?? '';
    return /^[0-9a-f]{40}$/.test(text) ? text : null;
  };
  const limit = count('limit', 1_000);
  return {
    trustedBy: trusted && /^[A-Za-z0-9-]{1,39}$/.test(trusted) ? trusted : null,
    blockedByRules: fields.get('blocked') === 'rules',
    failure: (FAILURE_KINDS as readonly string[]).includes(failure ?? '') ? (failure as FailureKind) : null,
    commented: fields.get('commented') === '1',
    limit: limit !== null && limit >= 1 ? limit : null,
    retries: count('retries', 100) ?? 0,
    failedOn: sha('seen'),
    held: sha('held'),
  };
}

/** Writes a record as an `external_id`. */
export function formatQueueRecord(record: QueueRecord): string {
  return [
    PREFIX,
    ...(record.trustedBy ? [`trusted=${record.trustedBy}`] : []),
    ...(record.blockedByRules ? ['blocked=rules'] : []),
    ...(record.failure ? [`failed=${record.failure}`] : []),
    ...(record.commented ? ['commented=1'] : []),
    ...(record.limit ? [`limit=${record.limit}`] : []),
    ...(record.retries ? [`retries=${record.retries}`] : []),
    ...(record.failedOn ? [`seen=${record.failedOn}`] : []),
    ...(record.held ? [`held=${record.held}`] : []),
  ].join(';');
}

/** The record a retry leaves (`/coordinator retry`, a rerequested run): only who took the head in. */
export function retriedRecord(record: QueueRecord): QueueRecord {
  return { trustedBy: record.trustedBy, blockedByRules: false };
}

/** The record of a PR's current head (empty when its `Merge queue` run is on another head). */
export function recordOf(pull: Pick<PullState, 'headSha' | 'ownChecks'>): QueueRecord {
  const run: OwnCheckRun | undefined = pull.ownChecks[CHECK_NAMES.queue];
  return run?.headSha === pull.headSha ? parseQueueRecord(run.externalId) : EMPTY_RECORD;
}
