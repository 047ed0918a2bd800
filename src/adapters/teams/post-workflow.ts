/**
 * POSTs one message to a Teams Workflows URL. Redirects are never followed (a redirect could carry
 * the credential elsewhere); any 2xx counts as accepted (Workflows answers 202, queued);
 * `Retry-After` on 429 is returned in ms. Network errors and timeouts come back as status 0.
 */
import type { WorkflowsMessage } from '../../domain/notify/cards.js';

export interface PostResult {
  /** HTTP status, or 0 for a network error or timeout. */
  readonly status: number;
  readonly retryAfterMs: number | null;
}

export type PostMessage = (url: string, message: WorkflowsMessage) => Promise<PostResult>;

/** The real poster (fetch), with a per-request timeout in ms. */
export function workflowPoster(timeoutMs = 10_000): PostMessage {
  return async (url, message) => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      const header = response.headers.get('retry-after');
      const seconds = header === null ? Number.NaN : Number(header);
      return { status: response.status, retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : null };
    } catch {
      return { status: 0, retryAfterMs: null };
    }
  };
}
