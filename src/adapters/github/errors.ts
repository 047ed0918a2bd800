/**
 * The one place GitHub API errors are classified (Bulldozer's `merge.go` habit). Callers switch on
 * the class, never on message strings.
 *
 * Sources: REST docs of the endpoints used (docs.github.com/en/rest): `POST /merges` 409 = merge
 * conflict; `PATCH /git/refs` 422 "Update is not a fast forward"; `PUT /pulls/{n}/merge` 405 = not
 * mergeable, 409 = head SHA moved; secondary rate limits answer 403 or 429 with `retry-after`.
 */

import type { RefusedWrite } from '../../domain/merge/reports.js';

export type ErrorClass =
  /** Transient: retry with backoff (5xx, rate limits, network errors). */
  | 'retry'
  /** A merge conflict or a moved head (409): report, do not retry as is. */
  | 'conflict'
  /** A compare-and-swap ref update lost the race (422 not a fast forward): re-read and re-plan. */
  | 'not-fast-forward'
  /** The thing is gone (404): re-read. */
  | 'not-found'
  /**
   * GitHub refused the write for a reason a person must fix: a branch rule (422 "Protected branch
   * update failed", "Repository rule violations found", a required check or pull request), a PR that
   * cannot be merged (405), or a missing app permission (403, e.g. `workflows`). Report it where
   * people look; retrying as is changes nothing.
   */
  | 'refused'
  /** Anything else: a bug or a malformed request; log and stop. */
  | 'permanent';

interface HttpErrorLike {
  status?: number;
  message?: string;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

/** Classifies an error thrown by octokit (or fetch). */
export function classifyGitHubError(error: unknown): ErrorClass {
  const e = (error ?? {}) as HttpErrorLike;
  const status = e.status;
  const text = `${e.message ?? ''} ${JSON.stringify(e.response?.data ?? '')}`.toLowerCase();
  if (status === undefined)
    return error instanceof Error && /fetch|network|socket|econn|timeout/i.test(error.message)
      ? 'retry'
      : 'permanent';
  if (status >= 500 || status === 429) return 'retry';
  if (status === 403 && (e.response?.headers?.['retry-after'] !== undefined || text.includes('rate limit')))
    return 'retry';
  if (status === 409) return 'conflict';
  if (status === 422 && text.includes('fast forward')) return 'not-fast-forward';
  if (status === 404) return 'not-found';
  if (status === 403 || status === 405) return 'refused';
  if (status === 422 && RULE_TEXT.test(text)) return 'refused';
  return 'permanent';
}

/** Words of GitHub's branch-rule refusals (PLATFORM-NOTES, "Branch protection and rulesets"). */
const RULE_TEXT =
  /protected branch|rule violations|required status check|status checks are expected|through a pull request|merge commits|force-push|not authorized to push|cannot delete this/;

/** GitHub's status and message of a refused write (for `explainRefusal`). */
export function refusalOf(error: unknown): { status: number; message: string } {
  const e = (error ?? {}) as HttpErrorLike;
  const data = e.response?.data as { message?: unknown } | undefined;
  const message = typeof data?.message === 'string' ? data.message : (e.message ?? '');
  return { status: e.status ?? 0, message };
}

/**
 * Whether `error` is an answer a person must act on: a 4xx that is not a rate limit, a race or a
 * conflict (those are retried). A network error or a 5xx never is.
 */
export function isRefusal(error: unknown): boolean {
  const { status } = refusalOf(error);
  const kind = classifyGitHubError(error);
  return (
    status >= 400 && status < 500 && (kind === 'refused' || kind === 'not-found' || kind === 'permanent')
  );
}

/** The refused write for an alert (see `isRefusal`), or null for a glitch. */
export function refusedWrite(effect: string, fix: string, error: unknown): RefusedWrite | null {
  return isRefusal(error) ? { effect, fix, ...refusalOf(error) } : null;
}

/** Seconds to wait before retrying, from `retry-after` (default 60 s for secondary limits). */
export function retryAfterMs(error: unknown, fallbackMs = 1_000): number {
  const header = (error as HttpErrorLike)?.response?.headers?.['retry-after'];
  const seconds = header === undefined ? Number.NaN : Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds) * 1000;
  return (error as HttpErrorLike)?.status === 403 ? 60_000 : fallbackMs;
}
