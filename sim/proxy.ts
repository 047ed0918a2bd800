/**
 * A round-robin load balancer for the demo's replicas: one webhook URL, each delivery forwarded to
 * the next replica in turn; a replica that does not answer (killed, restarting) or answers 503
 * (shutting down) is skipped for the next one, as a load balancer with health checks would. What
 * a replica answers goes back to the sender unchanged.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class RoundRobinProxy {
  readonly #server: Server;
  #next = 0;
  /** Deliveries forwarded per replica (index), for the report. */
  readonly forwarded: number[];

  /** @param targets the replicas' base URLs (`http://127.0.0.1:<port>`). */
  constructor(readonly targets: readonly string[]) {
    this.forwarded = targets.map(() => 0);
    this.#server = createServer((req, res) => {
      void this.#forward(req).then(
        ({ status, headers, body }) => res.writeHead(status, headers).end(body),
        () =>
          res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"no replica answered"}'),
      );
    });
  }

  /** Listens on 127.0.0.1. @returns the port. */
  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as AddressInfo).port)),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #forward(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string' && name !== 'host' && name !== 'connection' && name !== 'content-length')
        headers[name] = value;
    let last: unknown = null;
    for (let tried = 0; tried < this.targets.length; tried++) {
      const index = this.#next++ % this.targets.length;
      try {
        const answer = await fetch(`${this.targets[index]}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(body.length > 0 ? { body } : {}),
          signal: AbortSignal.timeout(15_000),
        });
        if (answer.status === 503) continue;
        this.forwarded[index] = (this.forwarded[index] ?? 0) + 1;
        return {
          status: answer.status,
          headers: { 'content-type': answer.headers.get('content-type') ?? 'application/json' },
          body: Buffer.from(await answer.arrayBuffer()),
        };
      } catch (error) {
        last = error;
      }
    }
    throw last ?? new Error('every replica refused');
  }
}
