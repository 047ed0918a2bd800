/**
 * What users are told when a PR cannot merge: one builder for the failing `Merge queue` check run,
 * the one PR comment and the event, so the three always say the same thing. The check is written
 * first: it is the durable record that takes the head out of the queue (until it changes, or
 * `/coordinator retry`); the comment carries a marker with the head SHA so it is written once.
 */
import { event } from './events.js';
import { type FailureKind, formatQueueRecord, type QueueRecord } from './queue-record.js';
import type { BatchEntry, CoordinatorEvent } from './types.js';

export type { FailureKind } from './queue-record.js';

export interface FailureReport {
  readonly check: { readonly title: string; readonly summary: string; readonly externalId: string };
  readonly comment: string;
  readonly event: CoordinatorEvent;
}

/** The hidden marker of the failure comment for one head. */
export function failureMarker(headSha: string): string {
  return `<!-- taskgraph-coordinator:failure:${headSha} -->`;
}

/**
 * Builds the report of one PR head.
 * @param text Markdown explaining what happened and what to do.
 */
export function failureReport(input: {
  entry: BatchEntry;
  kind: FailureKind;
  title: string;
  text: string;
  record: QueueRecord;
  /** The event's one-line message (default: the title and the text's first line). */
  message?: string;
}): FailureReport {
  const { entry, kind, title, text } = input;
  const type =
    kind === 'conflict' || kind === 'not-mergeable'
      ? 'merge.conflict'
      : kind === 'refused'
        ? 'merge.refused'
        : 'merge.failed';
  const key =
    type === 'merge.failed'
      ? `merge.failed:${entry.number}:${entry.headSha}`
      : `${type}:#${entry.number}:${entry.headSha}`;
  const firstLine = text.split('\n')[0] ?? '';
  return {
    check: {
      title,
      summary: text,
      externalId: formatQueueRecord({ ...input.record, failure: kind, commented: false }),
    },
    comment: failureComment(entry, title, text),
    event: event(type, {
      key,
      taskId: entry.taskId,
      pull: entry.number,
      message: input.message ?? `#${entry.number} (${entry.taskId}): ${title}. ${firstLine}`.slice(0, 600),
    }),
  };
}

/** The one comment of a failed head (built again from its check run when it must be resumed). */
export function failureComment(entry: BatchEntry, title: string, text: string): string {
  return `**${title}** (task \`${entry.taskId}\`, head ${entry.headSha.slice(0, 7)})\n\n${text}\n\n${failureMarker(entry.headSha)}`;
}

/** The event type of a failure kind. */
export function failureEventType(kind: FailureKind): CoordinatorEvent['type'] {
  return kind === 'conflict' || kind === 'not-mergeable'
    ? 'merge.conflict'
    : kind === 'refused'
      ? 'merge.refused'
      : 'merge.failed';
}

/** The text of a conflict on the staging branch (the agent must merge the base into its branch). */
export function conflictText(base: string): string {
  return `This branch conflicts with \`${base}\`. Merge \`${base}\` into the branch (\`git fetch origin && git merge origin/${base}\`), resolve the conflict and push: the PR rejoins the queue when its head changes.`;
}

/** A write outside any merge that GitHub refused: the dashboard, a dispatch, the adoption PR, a cleanup. */
export interface RefusedWrite {
  /** What the app tried, e.g. "the dashboard issue". */
  readonly effect: string;
  /** GitHub's status and message. */
  readonly status: number;
  readonly message: string;
  /** What a person must change, e.g. "the app needs issues: write". */
  readonly fix: string;
}

/**
 * `merge.refused` for a refused write, keyed by the effect and the status: announced once, not on
 * every retry, with the fix in words.
 */
export function refusedWriteEvent(refused: RefusedWrite): CoordinatorEvent {
  const said = refused.message.split('\n')[0]?.trim() ?? '';
  return event('merge.refused', {
    key: `refused:${refused.effect}:${refused.status}`,
    message: `GitHub refused ${refused.effect} (${refused.status}${said ? `: ${said}` : ''}); ${refused.fix}. The app retries after a backoff.`,
  });
}
