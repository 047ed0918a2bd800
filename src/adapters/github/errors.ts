/**
 * The one place GitHub API errors are classified (Bulldozer's `merge.go` habit). Callers switch on
 * the class, never on message strings.
 *
 * Sources: REST docs of the endpoints used (docs.github.com/en/rest): `POST /merges` 409 = merge
 * conflict; `PATCH /git/refs` 422 "Update is not a fast forward"; `PUT /pulls/{n}/merge` 405 = not
 * mergeable, 409 = head SHA moved; secondary rate limits answer 403 or 429 with `retry-after`.
 */

export type ErrorClass =
  /** Transient: retry with backoff (5xx, rate limits, network errors). */
  | 'retry'
  /** A merge conflict or a moved head (409): report, do not retry as is. */
  | 'conflict'
  /** A compare-and-swap ref update lost the race (422 not a fast forward): re-read and re-plan. */
  | 'not-fast-forward'
  /** The thing is gone (404): re-read. */
  | 'not-found'
  /** Anything else: a bug or a permission problem; log and stop. */
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
  return 'permanent';
}

/** Seconds to wait before retrying, from `retry-after` (default 60 s for secondary limits). */
export function retryAfterMs(error: unknown, fallbackMs = 1_000): number {
  const header = (error as HttpErrorLike)?.response?.headers?.['retry-after'];
  const seconds = header === undefined ? Number.NaN : Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds) * 1000;
  return (error as HttpErrorLike)?.status === 403 ? 60_000 : fallbackMs;
}
