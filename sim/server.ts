/**
 * The stand-in's HTTP server on 127.0.0.1: GitHub's REST API under `/api/v3` (what Probot calls with
 * `GHE_HOST=127.0.0.1:PORT GHE_PROTOCOL=http`), a request log by route template, and fault
 * injection (latency, a share of 502s, secondary-rate-limit 403s with `retry-after`).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Actor, HttpError, type Hub } from './hub.js';
import { ROUTES, type Route } from './routes.js';

export interface Faults {
  /** Added to every API response, ms. */
  latencyMs: number;
  /** Share of API requests answered 502 (0..1). */
  errorRate: number;
  /** Share of API requests answered 403 secondary rate limit with `retry-after: 1` (0..1). */
  rateLimitRate: number;
}

export interface LoggedRequest {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly atMs: number;
  /** Time spent answering, ms (latency faults included). */
  readonly durationMs: number;
  /** GitHub's message of a 4xx answer other than 404 (refusals, conflicts, races). */
  readonly message?: string;
  /** Set when a user (not the app) made the request, e.g. the demo's maintainer. */
  readonly user?: string;
}

const COMPILED = ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = route.template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  return { route, names, regex: new RegExp(`^${pattern}$`) };
});

/** Finds the route of a method and path (path without `/api/v3`). */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  for (const { route, names, regex } of COMPILED) {
    if (route.method !== method) continue;
    const match = regex.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] as string);
    });
    return { route, params };
  }
  return null;
}

/** Token prefix that makes a request act as a user (the demo's admin applying protection). */
export const USER_TOKEN_PREFIX = 'stand-in-user:';

/**
 * Who calls: `Authorization: token stand-in-user:<login>` is that user (for setting up a
 * repository as its admin would); any other credential (the app's JWT or installation token) is the app.
 */
function callerOf(hub: Hub, authorization: string | undefined): Actor {
  const token = (authorization ?? '').replace(/^(token|bearer)\s+/i, '');
  if (token.startsWith(USER_TOKEN_PREFIX))
    return { login: token.slice(USER_TOKEN_PREFIX.length), type: 'User' };
  return hub.appActor;
}

export class StandInServer {
  readonly log: LoggedRequest[] = [];
  readonly faults: Faults = { latencyMs: 0, errorRate: 0, rateLimitRate: 0 };
  #server: Server | null = null;
  readonly #hub: Hub;
  readonly #random: () => number;

  constructor(hub: Hub, random: () => number = Math.random) {
    this.#hub = hub;
    this.#random = random;
  }

  /** Listens on 127.0.0.1 (port 0: any free port). @returns `host:port` for GHE_HOST. */
  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/api\/v3/, '').replace(/\/$/, '') || '/';
    const matched = matchRoute(method, path);
    const route = matched?.route.template ?? path;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}, text?: string) => {
      // Conditional requests, as GitHub answers them: a weak ETag of the body, 304 when it matches.
      if (method === 'GET' && status === 200 && text === undefined) {
        const etag = `W/"${createHash('sha1')
          .update(JSON.stringify(body ?? {}))
          .digest('hex')}"`;
        if (req.headers['if-none-match'] === etag) {
          this.log.push({
            method,
            route,
            status: 304,
            atMs: Date.now(),
            durationMs: performance.now() - startedAt,
          });
          res.writeHead(304, { etag });
          res.end();
          return;
        }
        headers = { ...headers, etag };
      }
      const message =
        status >= 400 && status < 500 && status !== 404
          ? String((body as { message?: unknown })?.message ?? '')
          : undefined;
      const token = String(req.headers.authorization ?? '').replace(/^(token|bearer)\s+/i, '');
      this.log.push({
        method,
        route,
        status,
        atMs: Date.now(),
        durationMs: performance.now() - startedAt,
        ...(message ? { message } : {}),
        ...(token.startsWith(USER_TOKEN_PREFIX) ? { user: token.slice(USER_TOKEN_PREFIX.length) } : {}),
      });
      if (status === 204) {
        res.writeHead(204, headers);
        res.end();
        return;
      }
      if (text !== undefined) {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        res.end(text);
        return;
      }
      const json = JSON.stringify(body ?? {});
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(json);
    };

    if (!matched)
      return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const roll = this.#random();
    if (roll < this.faults.errorRate) return send(502, { message: 'Server Error' });
    if (roll < this.faults.errorRate + this.faults.rateLimitRate) {
      return send(
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        },
        { 'retry-after': '1' },
      );
    }
    let body: Record<string, unknown> = {};
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { message: 'Problems parsing JSON' });
      }
    }
    try {
      const response = await matched.route.handle(this.#hub, {
        params: matched.params,
        query: url.searchParams,
        body,
        headers: { ...req.headers, 'x-stand-in-url': `http://${req.headers.host}${url.pathname}` },
        actor: callerOf(this.#hub, req.headers.authorization),
      });
      send(response.status, response.body, response.headers, response.text);
    } catch (error) {
      if (error instanceof HttpError) return send(error.status, { message: error.message }, error.headers);
      throw error;
    }
  }
}
