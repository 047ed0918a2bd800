/**
 * The webhook endpoint, bounded before anything else: GitHub never delivers payloads over 25 MB
 * (docs: "Webhook events and payloads", payload cap), so a body announced or streamed beyond that is
 * refused with 413 before it is read into memory. Then the headers GitHub sends (`X-GitHub-Event`,
 * `X-GitHub-Delivery`, `X-Hub-Signature-256`), the signature (HMAC-SHA256 of the raw body,
 * compared in constant time by @octokit/webhooks-methods), and the JSON. Every refusal is answered
 * with a short reason and logged once with the delivery id, event, size and reason, never the body;
 * an exception's text never reaches the response. Accepted deliveries go to Probot's `receive`
 * (handlers only enqueue); the answer waits at most `ackAfterMs` (GitHub gives up after 10 s).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verify } from '@octokit/webhooks-methods';
import type { Logger } from 'probot';

/** GitHub's own payload limit, bytes. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface WebhookEvent {
  readonly id: string;
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

export interface IntakeOptions {
  readonly secret: string;
  readonly receive: (event: WebhookEvent) => Promise<void>;
  readonly log: Pick<Logger, 'warn' | 'error'>;
  /** Body limit, bytes (default `MAX_WEBHOOK_BYTES`). */
  readonly maxBytes?: number;
  /** How long the answer waits for the handlers, ms (default 9 s; then 202). */
  readonly ackAfterMs?: number;
  /**
   * Records a verified delivery id. @returns false for a redelivery of an id already handled (it
   * is answered 200 and not handled again: `X-GitHub-Delivery` is unchanged on redelivery).
   * Optional; an error here lets the delivery through (better twice than never).
   */
  readonly firstSeen?: (delivery: string, event: string) => Promise<boolean>;
  /** Counts deliveries by event and outcome (metrics); optional. */
  readonly onDelivery?: (event: string, outcome: 'accepted' | 'refused') => void;
}

/** How long a connection whose body was refused with 413 may keep sending before it is closed (ms). */
export const REFUSED_BODY_GRACE_MS = 1_000;

/** Handles one request to the webhook path. Never throws. */
export function webhookIntake(
  options: IntakeOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  return async (req, res) => {
    const delivery = header(req, 'x-github-delivery');
    const event = header(req, 'x-github-event');
    const signature = header(req, 'x-hub-signature-256');
    const announced = Number(req.headers['content-length'] ?? Number.NaN);
    const refuse = (status: number, reason: string, bytes: number | null) => {
      options.log.warn({ delivery, event, bytes, reason }, 'webhook delivery refused');
      options.onDelivery?.(event ?? 'unknown', 'refused');
      answer(res, status, { error: reason });
      // Discard the rest of a refused body. A 413 also closes the connection, but only after the
      // answer is flushed and the client had a moment to read it: closing a socket with unread input
      // sends a TCP reset, which can discard the answer on the client's side (so no
      // `connection: close`, which makes Node close it as soon as the answer is written).
      req.resume();
      if (status === 413)
        res.once('finish', () => setTimeout(() => req.destroy(), REFUSED_BODY_GRACE_MS).unref());
    };
    if (req.method !== 'POST') return refuse(405, 'webhooks are POST requests', null);
    if (!event || !delivery || !signature)
      return refuse(400, 'missing X-GitHub-Event, X-GitHub-Delivery or X-Hub-Signature-256', null);
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? '')))
      return refuse(415, 'content type must be application/json', null);
    if (Number.isFinite(announced) && announced > maxBytes)
      return refuse(413, `payloads over ${maxBytes} bytes are refused (GitHub never sends them)`, announced);

    const body = await readBounded(req, maxBytes);
    if (body === 'too-large')
      return refuse(
        413,
        `payloads over ${maxBytes} bytes are refused (GitHub never sends them)`,
        maxBytes + 1,
      );
    if (body === 'aborted') return refuse(400, 'the request body was cut off', null);
    const bytes = body.length;
    const text = body.toString('utf8');
    if (!(await verify(options.secret, text, signature).catch(() => false)))
      return refuse(400, 'signature does not match the body', bytes);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return refuse(400, 'payload is not valid JSON', bytes);
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      return refuse(400, 'payload is not a JSON object', bytes);

    const fresh = options.firstSeen ? await options.firstSeen(delivery, event).catch(() => true) : true;
    if (!fresh) {
      answer(res, 200, { ok: true, note: 'already received' });
      return;
    }
    options.onDelivery?.(event, 'accepted');
    const handled = options
      .receive({ id: delivery, name: event, payload: payload as Record<string, unknown> })
      .then(() => 'done' as const)
      .catch((error: unknown) => {
        options.log.error(
          { delivery, event, bytes, reason: error instanceof Error ? error.message : String(error) },
          'webhook handlers failed',
        );
        return 'failed' as const;
      });
    const outcome = await Promise.race([
      handled,
      sleep(options.ackAfterMs ?? 9_000).then(() => 'slow' as const),
    ]);
    if (outcome === 'failed') answer(res, 500, { error: 'the handlers failed; see the server log' });
    else if (outcome === 'slow') answer(res, 202, { ok: true, note: 'still processing' });
    else answer(res, 200, { ok: true });
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.length <= 256 ? text : null;
}

/** Reads the body, stopping as soon as it passes `maxBytes`. */
function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: Buffer | 'too-large' | 'aborted') => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        finish('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('aborted', () => finish('aborted'));
    req.on('error', () => finish('aborted'));
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
