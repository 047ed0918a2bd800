/**
 * A fake Teams Workflows endpoint on 127.0.0.1: `POST /teams/<channel>` records the body and answers
 * 202 like Workflows does, or the next status of an injected script (429 with `Retry-After`, 500).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TeamsPost {
  readonly channel: string;
  readonly body: unknown;
  readonly status: number;
  readonly at: string;
}

export class FakeTeams {
  readonly posts: TeamsPost[] = [];
  /** Statuses to answer before returning to 202 (e.g. `[429, 500]`). */
  readonly script: number[] = [];
  #server: Server | null = null;
  #base = '';

  /** @returns the base URL, e.g. `http://127.0.0.1:4567/teams`. */
  async listen(): Promise<string> {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const channel = decodeURIComponent((req.url ?? '').replace(/^\/teams\//, '').split('?')[0] ?? '');
      const status = this.script.shift() ?? 202;
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      this.posts.push({ channel, body, status, at: new Date().toISOString() });
      res.writeHead(status, status === 429 ? { 'retry-after': '1' } : {});
      res.end();
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/teams`;
    return this.#base;
  }

  url(channel: string): string {
    return `${this.#base}/${encodeURIComponent(channel)}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
