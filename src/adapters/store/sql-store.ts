/**
 * The store on kysely: embedded SQLite (better-sqlite3, WAL) by default, PostgreSQL (`pg`) when a
 * `DATABASE_URL` is given. The schema comes from `migrations.ts` through kysely's `Migrator`. An
 * outbox item is written before any delivery is tried and deleted only after a 2xx, so a crash in
 * between means a retry, never a loss. Several replicas need PostgreSQL: an SQLite file is one
 * host's (its locks do not cross machines).
 *
 * Concurrency: every multi-row change is one transaction; leases, channel claims and delivery ids
 * are single-statement conditional upserts (`INSERT … ON CONFLICT … DO UPDATE … WHERE`), atomic in
 * both engines, so two replicas can never both win. A fenced write checks its lease inside the
 * same transaction (PostgreSQL: `SELECT … FOR UPDATE` on the lease row, so a take-over waits).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  type Generated,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { type Engine, migrations } from './migrations.js';
import {
  type DeadItem,
  type DirtyRepo,
  type EventRecord,
  type Fence,
  type Lease,
  LeaseLostError,
  type NewNotification,
  type OutboxItem,
  type OutboxStats,
  type Selection,
  type Store,
} from './outbox-store.js';

interface Tables {
  outbox: {
    id: Generated<number>;
    owner: string;
    channel: string;
    payload: string;
    attempts: Generated<number>;
    next_attempt_at: number;
    created_at: number;
    last_error: string | null;
  };
  outbox_dead: {
    id: number;
    owner: string;
    channel: string;
    payload: string;
    attempts: number;
    created_at: number;
    last_error: string | null;
    dead_at: number;
    reason: string;
  };
  dedupe: { key: string; created_at: number };
  events: { key: string; repo: string; type: string; task_id: string | null; at: number };
  deliveries: { id: string; event: string; received_at: number };
  leases: { repo: string; holder: string; token: number; expires_at: number };
  dirty: {
    repo: string;
    installation_id: number;
    due_at: number;
    version: number;
    attempts: Generated<number>;
  };
  active: { repo: string; installation_id: number; seen_at: number };
  channel_claims: { channel: string; holder: string; expires_at: number; last_post_at: Generated<number> };
}

const DEDUPE_TTL_MS = 7 * 24 * 3_600_000;
/** GitHub lets a delivery be redelivered for 3 days; ids are kept a little longer. */
const DELIVERY_TTL_MS = 4 * 24 * 3_600_000;

// int8 (bigint) columns and COUNT(*) come back from pg as strings; every one here is a time in ms
// or a count, well inside Number.MAX_SAFE_INTEGER.
pg.types.setTypeParser(20, (value) => Number(value));

/** Where the store lives: `databaseUrl` (PostgreSQL) wins over `dataDir` (SQLite, `:memory:` for tests). */
export interface StoreLocation {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
}

export class SqlStore implements Store {
  readonly #db: Kysely<Tables>;
  readonly engine: Engine;

  /**
   * Opens the store and migrates it to the latest schema.
   * @throws the driver's error when the database cannot be reached, and the Migrator's when a
   *   migration fails (nothing of that migration is kept: each runs in a transaction).
   */
  static async open(location: StoreLocation): Promise<SqlStore> {
    const store = location.databaseUrl
      ? new SqlStore(
          new Kysely<Tables>({
            dialect: new PostgresDialect({
              pool: new pg.Pool({ connectionString: location.databaseUrl, max: 5 }),
            }),
          }),
          'postgres',
        )
      : new SqlStore(
          new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqliteFile(location.dataDir) }) }),
          'sqlite',
        );
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  private constructor(db: Kysely<Tables>, engine: Engine) {
    this.#db = db;
    this.engine = engine;
  }

  /** Runs every migration not yet applied. @returns the names applied now. */
  async migrate(): Promise<string[]> {
    // The Migrator's own tables go in the schema the store uses (PostgreSQL: the first schema of the
    // search_path), so two stores in two schemas of one database never share a migration history.
    const schema =
      this.engine === 'postgres'
        ? (await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(this.#db)).rows[0]?.schema
        : undefined;
    const migrator = new Migrator({
      db: this.#db,
      provider: migrations(this.engine),
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  // --- the journal and the outbox ---

  async recordEvent(event: EventRecord): Promise<void> {
    await this.#db
      .insertInto('events')
      .values(eventRow(event))
      .onConflict((c) => c.column('key').doNothing())
      .execute();
  }

  async publish(
    event: EventRecord,
    notifications: readonly NewNotification[],
    fence?: Fence,
  ): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      if (fence) await this.#checkFence(trx, fence, event.atMs);
      const fresh = await trx
        .insertInto('events')
        .values(eventRow(event))
        .onConflict((c) => c.column('key').doNothing())
        .executeTakeFirst();
      if (Number(fresh.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      for (const n of notifications) await enqueueIn(trx, { ...n, nowMs: event.atMs });
      return true;
    });
  }

  async unannounced(repo: string, keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const known = await this.#db
      .selectFrom('events')
      .select('key')
      .where(
        'key',
        'in',
        keys.map((k) => `${repo}:${k}`),
      )
      .execute();
    const seen = new Set(known.map((r) => r.key.slice(repo.length + 1)));
    return keys.filter((k) => !seen.has(k));
  }

  async hasHistory(repo: string): Promise<boolean> {
    return (
      (await this.#db
        .selectFrom('events')
        .select('key')
        .where('repo', '=', repo)
        .limit(1)
        .executeTakeFirst()) !== undefined
    );
  }

  async events(repo: string): Promise<EventRecord[]> {
    const rows = await this.#db
      .selectFrom('events')
      .select(['key', 'repo', 'type', 'task_id', 'at'])
      .where('repo', '=', repo)
      .orderBy('at')
      .orderBy(sql.ref(this.engine === 'postgres' ? 'seq' : 'rowid'))
      .execute();
    return rows.map((r) => ({
      repo: r.repo,
      type: r.type,
      key: r.key.slice(repo.length + 1),
      taskId: r.task_id,
      atMs: Number(r.at),
    }));
  }

  async enqueue(item: {
    dedupeKey: string;
    owner: string;
    channel: string;
    payload: string;
    nowMs: number;
  }): Promise<boolean> {
    return this.#db.transaction().execute((trx) => enqueueIn(trx, item));
  }

  async pending(limit: number): Promise<OutboxItem[]> {
    const rows = await this.#db.selectFrom('outbox').selectAll().orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      owner: r.owner,
      channel: r.channel,
      payload: r.payload,
      attempts: Number(r.attempts),
      nextAttemptAt: Number(r.next_attempt_at),
      createdAt: Number(r.created_at),
      lastError: r.last_error,
    }));
  }

  async delivered(ids: readonly number[]): Promise<void> {
    if (ids.length > 0)
      await this.#db
        .deleteFrom('outbox')
        .where('id', 'in', [...ids])
        .execute();
  }

  async retryLater(id: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.#db
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        next_attempt_at: nextAttemptAt,
        last_error: error.slice(0, 500),
      }))
      .where('id', '=', id)
      .execute();
  }

  async deadLetter(ids: readonly number[], reason: string, nowMs: number): Promise<void> {
    if (ids.length === 0) return;
    const why = reason.slice(0, 500);
    await this.#db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
      for (const r of rows)
        await trx
          .insertInto('outbox_dead')
          .values({
            id: Number(r.id),
            owner: r.owner,
            channel: r.channel,
            payload: r.payload,
            attempts: Number(r.attempts) + 1,
            created_at: Number(r.created_at),
            last_error: why,
            dead_at: nowMs,
            reason: why,
          })
          .execute();
      await trx
        .deleteFrom('outbox')
        .where('id', 'in', [...ids])
        .execute();
    });
  }

  async dead(limit: number): Promise<DeadItem[]> {
    const rows = await this.#db.selectFrom('outbox_dead').selectAll().orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      owner: r.owner,
      channel: r.channel,
      payload: r.payload,
      attempts: Number(r.attempts),
      createdAt: Number(r.created_at),
      lastError: r.last_error,
      deadAt: Number(r.dead_at),
      reason: r.reason,
    }));
  }

  async revive(which: Selection, nowMs: number): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('outbox_dead').selectAll();
      if (which !== 'all') query = query.where('id', 'in', which.length > 0 ? [...which] : [-1]);
      const rows = await query.execute();
      for (const r of rows) {
        await trx
          .insertInto('outbox')
          .values({
            id: Number(r.id),
            owner: r.owner,
            channel: r.channel,
            payload: r.payload,
            attempts: 0,
            next_attempt_at: nowMs,
            created_at: Number(r.created_at),
            last_error: r.last_error,
          } as never)
          .execute();
        await trx.deleteFrom('outbox_dead').where('id', '=', r.id).execute();
      }
      return rows.length;
    });
  }

  async retryNow(which: Selection, nowMs: number): Promise<number> {
    let query = this.#db.updateTable('outbox').set({ next_attempt_at: nowMs });
    if (which !== 'all') query = query.where('id', 'in', which.length > 0 ? [...which] : [-1]);
    return Number((await query.executeTakeFirst()).numUpdatedRows);
  }

  async purge(kind: 'pending' | 'dead', which: Selection): Promise<number> {
    const ids = which === 'all' ? null : which.length > 0 ? [...which] : [-1];
    const result =
      kind === 'dead'
        ? await (ids
            ? this.#db.deleteFrom('outbox_dead').where('id', 'in', ids)
            : this.#db.deleteFrom('outbox_dead')
          ).executeTakeFirst()
        : await (ids
            ? this.#db.deleteFrom('outbox').where('id', 'in', ids)
            : this.#db.deleteFrom('outbox')
          ).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async stats(): Promise<OutboxStats> {
    const pending = await this.#db
      .selectFrom('outbox')
      .select(['owner', 'channel', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['owner', 'channel'])
      .orderBy('owner')
      .orderBy('channel')
      .execute();
    const oldest = await this.#db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .executeTakeFirst();
    const dead = await this.#db
      .selectFrom('outbox_dead')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    const at = oldest?.at;
    return {
      pending: pending.map((p) => ({ owner: p.owner, channel: p.channel, count: Number(p.count) })),
      oldestCreatedAt: at === null || at === undefined ? null : Number(at),
      dead: Number(dead?.n ?? 0),
    };
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.#db);
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  // --- what replicas share ---

  async recordDelivery(id: string, event: string, nowMs: number): Promise<boolean> {
    await this.#db
      .deleteFrom('deliveries')
      .where('received_at', '<', nowMs - DELIVERY_TTL_MS)
      .execute();
    const result = await this.#db
      .insertInto('deliveries')
      .values({ id, event, received_at: nowMs })
      .onConflict((c) => c.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async acquireLease(repo: string, holder: string, ttlMs: number, nowMs: number): Promise<Lease | null> {
    const row = await this.#db
      .insertInto('leases')
      .values({ repo, holder, token: 1, expires_at: nowMs + ttlMs })
      .onConflict((c) =>
        c
          .column('repo')
          .doUpdateSet((eb) => ({
            holder: eb.ref('excluded.holder'),
            expires_at: eb.ref('excluded.expires_at'),
            // A take-over (another holder, or our own expired lease) moves the token on.
            token: eb
              .case()
              .when(eb.and([eb('leases.holder', '=', holder), eb('leases.expires_at', '>=', nowMs)]))
              .then(eb.ref('leases.token'))
              .else(eb('leases.token', '+', 1))
              .end(),
          }))
          .where((eb) => eb.or([eb('leases.expires_at', '<', nowMs), eb('leases.holder', '=', holder)])),
      )
      .returning(['repo', 'holder', 'token', 'expires_at'])
      .executeTakeFirst();
    return row
      ? { repo: row.repo, holder: row.holder, token: Number(row.token), expiresAt: Number(row.expires_at) }
      : null;
  }

  async renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease | null> {
    const result = await this.#db
      .updateTable('leases')
      .set({ expires_at: nowMs + ttlMs })
      .where('repo', '=', lease.repo)
      .where('holder', '=', lease.holder)
      .where('token', '=', lease.token)
      .where('expires_at', '>=', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0 ? { ...lease, expiresAt: nowMs + ttlMs } : null;
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.#db
      .updateTable('leases')
      .set({ expires_at: 0 })
      .where('repo', '=', lease.repo)
      .where('holder', '=', lease.holder)
      .where('token', '=', lease.token)
      .execute();
  }

  async markDirty(repo: string, installationId: number, dueAt: number): Promise<void> {
    await this.#db
      .insertInto('dirty')
      .values({ repo, installation_id: installationId, due_at: dueAt, version: 1 })
      .onConflict((c) =>
        c.column('repo').doUpdateSet((eb) => ({
          installation_id: eb.ref('excluded.installation_id'),
          due_at: sql<number>`CASE WHEN ${eb.ref('excluded.due_at')} < ${eb.ref('dirty.due_at')} THEN ${eb.ref('excluded.due_at')} ELSE ${eb.ref('dirty.due_at')} END`,
          version: eb('dirty.version', '+', 1),
        })),
      )
      .execute();
  }

  async dueDirty(holder: string, nowMs: number, limit: number): Promise<DirtyRepo[]> {
    const rows = await this.#db
      .selectFrom('dirty')
      .leftJoin('leases', 'leases.repo', 'dirty.repo')
      .select(['dirty.repo', 'dirty.installation_id', 'dirty.due_at', 'dirty.version', 'dirty.attempts'])
      .where('dirty.due_at', '<=', nowMs)
      .where((eb) =>
        eb.or([
          eb('leases.repo', 'is', null),
          eb('leases.expires_at', '<', nowMs),
          eb('leases.holder', '=', holder),
        ]),
      )
      .orderBy('dirty.due_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      repo: r.repo,
      installationId: Number(r.installation_id),
      dueAt: Number(r.due_at),
      version: Number(r.version),
      attempts: Number(r.attempts),
    }));
  }

  async dirtyOf(repo: string): Promise<DirtyRepo | null> {
    const r = await this.#db.selectFrom('dirty').selectAll().where('repo', '=', repo).executeTakeFirst();
    return r
      ? {
          repo: r.repo,
          installationId: Number(r.installation_id),
          dueAt: Number(r.due_at),
          version: Number(r.version),
          attempts: Number(r.attempts),
        }
      : null;
  }

  async cleanDirty(repo: string, version: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('dirty').where('repo', '=', repo).where('version', '=', version).execute();
      // A mark that came in meanwhile stays, but the run succeeded: its backoff starts over.
      await trx.updateTable('dirty').set({ attempts: 0 }).where('repo', '=', repo).execute();
    });
  }

  async deferDirty(repo: string, dueAt: number): Promise<void> {
    await this.#db
      .updateTable('dirty')
      .set((eb) => ({ due_at: dueAt, attempts: eb('attempts', '+', 1) }))
      .where('repo', '=', repo)
      .execute();
  }

  async setActive(repo: string, installationId: number, active: boolean, nowMs: number): Promise<void> {
    if (!active) {
      await this.#db.deleteFrom('active').where('repo', '=', repo).execute();
      return;
    }
    await this.#db
      .insertInto('active')
      .values({ repo, installation_id: installationId, seen_at: nowMs })
      .onConflict((c) => c.column('repo').doUpdateSet({ installation_id: installationId, seen_at: nowMs }))
      .execute();
  }

  async activeRepos(): Promise<{ repo: string; installationId: number }[]> {
    const rows = await this.#db
      .selectFrom('active')
      .select(['repo', 'installation_id'])
      .orderBy('repo')
      .execute();
    return rows.map((r) => ({ repo: r.repo, installationId: Number(r.installation_id) }));
  }

  async claimChannel(
    channel: string,
    holder: string,
    ttlMs: number,
    nowMs: number,
  ): Promise<{ lastPostAt: number } | null> {
    const row = await this.#db
      .insertInto('channel_claims')
      .values({ channel, holder, expires_at: nowMs + ttlMs })
      .onConflict((c) =>
        c
          .column('channel')
          .doUpdateSet((eb) => ({
            holder: eb.ref('excluded.holder'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([eb('channel_claims.expires_at', '<', nowMs), eb('channel_claims.holder', '=', holder)]),
          ),
      )
      .returning(['last_post_at'])
      .executeTakeFirst();
    return row ? { lastPostAt: Number(row.last_post_at) } : null;
  }

  async postedToChannel(channel: string, holder: string, atMs: number): Promise<void> {
    await this.#db
      .updateTable('channel_claims')
      .set({ last_post_at: atMs })
      .where('channel', '=', channel)
      .where('holder', '=', holder)
      .execute();
  }

  async #checkFence(trx: Transaction<Tables>, fence: Fence, nowMs: number): Promise<void> {
    let query = trx
      .selectFrom('leases')
      .select('token')
      .where('repo', '=', fence.repo)
      .where('holder', '=', fence.holder)
      .where('token', '=', fence.token)
      .where('expires_at', '>=', nowMs);
    if (this.engine === 'postgres') query = query.forUpdate();
    if (!(await query.executeTakeFirst())) throw new LeaseLostError(fence.repo);
  }
}

function sqliteFile(dataDir = './data'): Database.Database {
  let db: Database.Database;
  if (dataDir === ':memory:') db = new Database(':memory:');
  else {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(path.join(dataDir, 'coordinator.sqlite'));
  }
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

function eventRow(event: EventRecord): Tables['events'] {
  return {
    key: `${event.repo}:${event.key}`,
    repo: event.repo,
    type: event.type,
    task_id: event.taskId,
    at: event.atMs,
  };
}

/** Adds an outbox item unless its de-duplication key was ever enqueued (within 7 days). */
async function enqueueIn(
  trx: Transaction<Tables>,
  item: { dedupeKey: string; owner: string; channel: string; payload: string; nowMs: number },
): Promise<boolean> {
  await trx
    .deleteFrom('dedupe')
    .where('created_at', '<', item.nowMs - DEDUPE_TTL_MS)
    .execute();
  const fresh = await trx
    .insertInto('dedupe')
    .values({ key: item.dedupeKey, created_at: item.nowMs })
    .onConflict((c) => c.column('key').doNothing())
    .executeTakeFirst();
  if (Number(fresh.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  await trx
    .insertInto('outbox')
    .values({
      owner: item.owner,
      channel: item.channel,
      payload: item.payload,
      next_attempt_at: item.nowMs,
      created_at: item.nowMs,
    })
    .execute();
  return true;
}
