/**
 * `taskgraph-coordinator outbox list|retry|purge [--dead]`: an operator's view of the Teams outbox
 * the server uses (`DATA_DIR`, default ./data; the server's own `.env` is read too). Safe while the
 * server runs: SQLite's WAL lets both open the file, and every change is one transaction.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DeadItem, OutboxItem, OutboxStore, Selection } from '../../adapters/store/outbox-store.js';
import { SqlStore } from '../../adapters/store/sql-store.js';
import { payloadEvent } from '../../domain/notify/notifications.js';
import { type CliIo, EXIT } from '../io.js';

export interface OutboxOptions {
  readonly dead?: boolean;
  readonly format: 'text' | 'json';
  /** Defaults to `DATA_DIR`, then ./data. */
  readonly dataDir?: string;
}

/** Thrown for a store the command cannot open; the CLI exits 2 with the message. */
export class OutboxStoreError extends Error {
  override readonly name = 'OutboxStoreError';
}

/**
 * Opens the server's store: PostgreSQL when `DATABASE_URL` is set (and no `--data-dir` is given),
 * else the SQLite file in the data directory.
 * @throws OutboxStoreError when the data directory holds no store, or PostgreSQL cannot be reached.
 */
export async function openServerStore(options: OutboxOptions, env: NodeJS.ProcessEnv): Promise<OutboxStore> {
  if (env.DATABASE_URL && !options.dataDir) {
    try {
      return await SqlStore.open({ databaseUrl: env.DATABASE_URL });
    } catch (error) {
      throw new OutboxStoreError(`cannot open the store at DATABASE_URL: ${(error as Error).message}`);
    }
  }
  const dir = options.dataDir ?? env.DATA_DIR ?? './data';
  if (!existsSync(path.join(dir, 'coordinator.sqlite')))
    throw new OutboxStoreError(
      `no outbox in ${dir} (coordinator.sqlite is missing): is DATA_DIR the server's?`,
    );
  return SqlStore.open({ dataDir: dir });
}

/** @returns 0, or 2 for a refused selection. */
export async function runOutbox(
  verb: 'list' | 'retry' | 'purge',
  ids: readonly string[],
  options: OutboxOptions,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const numbers = ids.map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n <= 0)) {
    io.err(`taskgraph-coordinator: outbox ids are positive integers (got ${ids.join(' ')})\n`);
    return EXIT.usage;
  }
  const which: Selection = numbers.length > 0 ? numbers : 'all';
  if (verb === 'purge' && !options.dead && which === 'all') {
    io.err(
      'taskgraph-coordinator: outbox purge deletes waiting items only by id (outbox purge <id>...); use --dead to purge dead letters\n',
    );
    return EXIT.usage;
  }
  if (env === process.env) {
    try {
      process.loadEnvFile?.('.env'); // the server's own settings (DATA_DIR), as `npm start` reads them
    } catch {
      // no .env: the environment alone is used
    }
  }
  const store = await openServerStore(options, env);
  try {
    if (verb === 'list') return await list(store, options, io);
    const now = Date.now();
    const count =
      verb === 'retry'
        ? options.dead
          ? await store.revive(which, now)
          : await store.retryNow(which, now)
        : await store.purge(options.dead ? 'dead' : 'pending', which);
    const what = options.dead ? 'dead letter' : 'waiting item';
    const done = verb === 'retry' ? (options.dead ? 'back in the queue, due now' : 'due now') : 'deleted';
    if (options.format === 'json') io.out(`${JSON.stringify({ verb, dead: !!options.dead, count })}\n`);
    else io.out(`${count} ${what}${count === 1 ? '' : 's'} ${done}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function list(store: OutboxStore, options: OutboxOptions, io: CliIo): Promise<number> {
  const items: (OutboxItem | DeadItem)[] = options.dead
    ? await store.dead(10_000)
    : await store.pending(10_000);
  const rows = items.map((item) => ({
    id: item.id,
    owner: item.owner,
    channel: item.channel,
    event: payloadEvent(item.payload) ?? '?',
    attempts: item.attempts,
    createdAt: new Date(item.createdAt).toISOString(),
    ...('deadAt' in item
      ? { deadAt: new Date(item.deadAt).toISOString(), reason: item.reason }
      : { nextAttemptAt: new Date(item.nextAttemptAt).toISOString(), lastError: item.lastError }),
  }));
  if (options.format === 'json') {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.out(options.dead ? 'no dead letters\n' : 'the outbox is empty\n');
    return EXIT.ok;
  }
  for (const row of rows) {
    const tail =
      'reason' in row
        ? `dead ${row.deadAt}: ${row.reason}`
        : `next ${row.nextAttemptAt}${row.lastError ? `, last: ${row.lastError}` : ''}`;
    io.out(
      `#${row.id} ${row.owner}/${row.channel} ${row.event} (${row.attempts} attempts, queued ${row.createdAt}) ${tail}\n`,
    );
  }
  return EXIT.ok;
}
