/**
 * The app's HTTP server (Probot 14 leaves serving to the app: "mount the middleware in your own
 * server"): the bounded webhook intake at `/api/github/webhooks`, `GET /ping`, and whatever routes
 * the caller adds (health, metrics). Everything else is 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const WEBHOOK_PATH = '/api/github/webhooks';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServer {
  readonly server: Server;
  /** Listens; @returns the port (0 picks a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting connections and closes idle ones; resolves when every connection is closed. */
  close(): Promise<void>;
}

/**
 * Builds the server.
 * @param routes `METHOD /path` -> handler; the webhook route is one of them.
 */
export function httpServer(
  routes: Readonly<Record<string, RouteHandler>>,
  onError: (error: unknown) => void,
): HttpServer {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handler = routes[`${req.method} ${path}`];
    if (!handler) {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        onError(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal error"}');
      });
  });
  // A slow client never holds a socket for long: headers within 10 s, the whole request within 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
