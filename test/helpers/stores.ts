/**
 * The store engines a test runs against: embedded SQLite always, PostgreSQL when `DATABASE_URL` is
 * set (as `.ci/run` sets it), each PostgreSQL test in a fresh schema of its own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshSchema } from '../../sim/pg-schema.js';
import { SqlStore } from '../../src/adapters/store/sql-store.js';

export interface Engine {
  readonly name: 'sqlite' | 'postgres';
  /** A new, empty store location; `open` can be called on it more than once (two replicas). */
  fresh(): Promise<{ open: () => Promise<SqlStore>; location: { dataDir?: string; databaseUrl?: string } }>;
}

const sqlite: Engine = {
  name: 'sqlite',
  fresh: async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'store-'));
    return { open: () => SqlStore.open({ dataDir }), location: { dataDir } };
  },
};

/** PostgreSQL in a schema of its own (`search_path` set through the URL's `options`). */
function postgres(url: string): Engine {
  return {
    name: 'postgres',
    fresh: async () => {
      const databaseUrl = await freshSchema(url, 't');
      return { open: () => SqlStore.open({ databaseUrl }), location: { databaseUrl } };
    },
  };
}

/** The engines to run: SQLite, and PostgreSQL when `DATABASE_URL` is set. */
export const ENGINES: readonly Engine[] = process.env.DATABASE_URL
  ? [sqlite, postgres(process.env.DATABASE_URL)]
  : [sqlite];

/** Why the PostgreSQL cases are not in this run (null when they are). */
export const POSTGRES_SKIPPED = process.env.DATABASE_URL
  ? null
  : 'DATABASE_URL is not set: the PostgreSQL store tests are skipped (.ci/run sets it)';
