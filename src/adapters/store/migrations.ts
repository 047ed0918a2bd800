/**
 * The store's schema as versioned kysely migrations (run by kysely's `Migrator`, which keeps its
 * own `kysely_migration` bookkeeping table and lock). Times are ms since the epoch (bigint in
 * PostgreSQL, integer in SQLite). Every `CREATE` says `IF NOT EXISTS`: a SQLite file written by the
 * versions before the Migrator (same tables, same columns) is adopted as migration 001 as it is.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

/** @returns the migrations in order of their names (the Migrator sorts by name). */
export function migrations(engine: Engine): MigrationProvider {
  const ms = engine === 'postgres' ? 'bigint' : 'integer';
  const initial: Migration = {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('outbox')
        .ifNotExists()
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
          engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', ms, (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createTable('dedupe')
        .ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('events')
        .ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('at', ms, (c) => c.notNull())
        // Insertion order for events of the same ms (SQLite orders by its implicit rowid).
        .$call((t) => (engine === 'postgres' ? t.addColumn('seq', 'bigserial') : t))
        .execute();
      await db.schema
        .createIndex('events_by_repo')
        .ifNotExists()
        .on('events')
        .columns(['repo', 'at'])
        .execute();
      await db.schema
        .createTable('outbox_dead')
        .ifNotExists()
        .addColumn('id', ms, (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('dead_at', ms, (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
    },
  };
  const replicas: Migration = {
    async up(db: Kysely<unknown>) {
      // X-GitHub-Delivery ids seen (a redelivery is a no-op).
      await db.schema
        .createTable('deliveries')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('received_at', ms, (c) => c.notNull())
        .execute();
      // One row per repository, kept after release so the fencing token only grows.
      await db.schema
        .createTable('leases')
        .ifNotExists()
        .addColumn('repo', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('token', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .execute();
      // Repositories to reconcile (a webhook arrived, a retry is due); `version` grows with each mark.
      await db.schema
        .createTable('dirty')
        .ifNotExists()
        .addColumn('repo', 'text', (c) => c.primaryKey())
        .addColumn('installation_id', ms, (c) => c.notNull())
        .addColumn('due_at', ms, (c) => c.notNull())
        .addColumn('version', ms, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // The resync's set: repositories whose last reconcile saw open task PRs or a batch.
      await db.schema
        .createTable('active')
        .ifNotExists()
        .addColumn('repo', 'text', (c) => c.primaryKey())
        .addColumn('installation_id', ms, (c) => c.notNull())
        .addColumn('seen_at', ms, (c) => c.notNull())
        .execute();
      // Which replica delivers a Teams channel now, and when it last posted (shared pacing).
      await db.schema
        .createTable('channel_claims')
        .ifNotExists()
        .addColumn('channel', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('last_post_at', ms, (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
  return { getMigrations: async () => ({ '001_outbox': initial, '002_replicas': replicas }) };
}
