/**
 * The outbox in an embedded SQLite file (better-sqlite3, WAL mode): no server to run. An item is
 * written before any delivery is tried and deleted only after a 2xx, so a crash in between means a
 * retry, never a loss; an item refused for good moves to `outbox_dead`, where it is kept until an
 * operator retries or purges it. De-duplication keys are kept for 7 days; the event log (for
 * after-action summaries) is kept.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  DeadItem,
  EventRecord,
  NewNotification,
  OutboxItem,
  OutboxStats,
  OutboxStore,
  Selection,
} from './outbox-store.js';

const DEDUPE_TTL_MS = 7 * 24 * 3_600_000;

export class SqliteOutboxStore implements OutboxStore {
  readonly #db: Database.Database;

  /** Opens (creating when needed) `<dataDir>/coordinator.sqlite`; `:memory:` for tests. */
  static open(dataDir: string): SqliteOutboxStore {
    if (dataDir === ':memory:') return new SqliteOutboxStore(new Database(':memory:'));
    mkdirSync(dataDir, { recursive: true });
    return new SqliteOutboxStore(new Database(path.join(dataDir, 'coordinator.sqlite')));
  }

  private constructor(db: Database.Database) {
    this.#db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        owner TEXT NOT NULL,
        channel TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_error TEXT
      );
      CREATE TABLE IF NOT EXISTS dedupe (key TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS events (
        key TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        type TEXT NOT NULL,
        task_id TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS events_by_repo ON events (repo, at);
      CREATE TABLE IF NOT EXISTS outbox_dead (
        id INTEGER PRIMARY KEY,
        owner TEXT NOT NULL,
        channel TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_error TEXT,
        dead_at INTEGER NOT NULL,
        reason TEXT NOT NULL
      );
    `);
  }

  recordEvent(event: EventRecord): void {
    this.#db
      .prepare('INSERT OR IGNORE INTO events (key, repo, type, task_id, at) VALUES (?, ?, ?, ?, ?)')
      .run(`${event.repo}:${event.key}`, event.repo, event.type, event.taskId, event.atMs);
  }

  publish(event: EventRecord, notifications: readonly NewNotification[]): boolean {
    return this.#db.transaction(() => {
      const fresh = this.#db
        .prepare('INSERT OR IGNORE INTO events (key, repo, type, task_id, at) VALUES (?, ?, ?, ?, ?)')
        .run(`${event.repo}:${event.key}`, event.repo, event.type, event.taskId, event.atMs);
      if (fresh.changes === 0) return false;
      for (const n of notifications) this.enqueue({ ...n, nowMs: event.atMs });
      return true;
    })();
  }

  hasHistory(repo: string): boolean {
    return this.#db.prepare('SELECT 1 FROM events WHERE repo = ? LIMIT 1').get(repo) !== undefined;
  }

  events(repo: string): EventRecord[] {
    const rows = this.#db
      .prepare(
        'SELECT key, repo, type, task_id AS taskId, at AS atMs FROM events WHERE repo = ? ORDER BY at, rowid',
      )
      .all(repo) as EventRecord[];
    return rows.map((row) => ({ ...row, key: row.key.slice(repo.length + 1) }));
  }

  enqueue(item: {
    dedupeKey: string;
    owner: string;
    channel: string;
    payload: string;
    nowMs: number;
  }): boolean {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM dedupe WHERE created_at < ?').run(item.nowMs - DEDUPE_TTL_MS);
      const fresh = this.#db
        .prepare('INSERT OR IGNORE INTO dedupe (key, created_at) VALUES (?, ?)')
        .run(item.dedupeKey, item.nowMs);
      if (fresh.changes === 0) return false;
      this.#db
        .prepare(
          'INSERT INTO outbox (owner, channel, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(item.owner, item.channel, item.payload, item.nowMs, item.nowMs);
      return true;
    })();
  }

  pending(limit: number): OutboxItem[] {
    const rows = this.#db
      .prepare(
        'SELECT id, owner, channel, payload, attempts, next_attempt_at AS nextAttemptAt, created_at AS createdAt, last_error AS lastError FROM outbox ORDER BY id LIMIT ?',
      )
      .all(limit) as OutboxItem[];
    return rows;
  }

  delivered(ids: readonly number[]): void {
    const remove = this.#db.prepare('DELETE FROM outbox WHERE id = ?');
    this.#db.transaction(() => {
      for (const id of ids) remove.run(id);
    })();
  }

  retryLater(id: number, nextAttemptAt: number, error: string): void {
    this.#db
      .prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(nextAttemptAt, error.slice(0, 500), id);
  }

  deadLetter(ids: readonly number[], reason: string, nowMs: number): void {
    const move = this.#db.prepare(
      `INSERT INTO outbox_dead (id, owner, channel, payload, attempts, created_at, last_error, dead_at, reason)
       SELECT id, owner, channel, payload, attempts + 1, created_at, ?, ?, ? FROM outbox WHERE id = ?`,
    );
    const remove = this.#db.prepare('DELETE FROM outbox WHERE id = ?');
    this.#db.transaction(() => {
      for (const id of ids) {
        move.run(reason.slice(0, 500), nowMs, reason.slice(0, 500), id);
        remove.run(id);
      }
    })();
  }

  dead(limit: number): DeadItem[] {
    return this.#db
      .prepare(
        'SELECT id, owner, channel, payload, attempts, created_at AS createdAt, last_error AS lastError, dead_at AS deadAt, reason FROM outbox_dead ORDER BY id LIMIT ?',
      )
      .all(limit) as DeadItem[];
  }

  revive(which: Selection, nowMs: number): number {
    const ids = this.#ids('outbox_dead', which);
    const move = this.#db.prepare(
      `INSERT INTO outbox (id, owner, channel, payload, attempts, next_attempt_at, created_at, last_error)
       SELECT id, owner, channel, payload, 0, ?, created_at, last_error FROM outbox_dead WHERE id = ?`,
    );
    const remove = this.#db.prepare('DELETE FROM outbox_dead WHERE id = ?');
    return this.#db.transaction(() => {
      let moved = 0;
      for (const id of ids) moved += move.run(nowMs, id).changes && remove.run(id).changes;
      return moved;
    })();
  }

  retryNow(which: Selection, nowMs: number): number {
    const update = this.#db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE id = ?');
    return this.#db.transaction(() =>
      this.#ids('outbox', which).reduce((n, id) => n + update.run(nowMs, id).changes, 0),
    )();
  }

  purge(kind: 'pending' | 'dead', which: Selection): number {
    const table = kind === 'dead' ? 'outbox_dead' : 'outbox';
    const remove = this.#db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    return this.#db.transaction(() =>
      this.#ids(table, which).reduce((n, id) => n + remove.run(id).changes, 0),
    )();
  }

  stats(): OutboxStats {
    const pending = this.#db
      .prepare(
        'SELECT owner, channel, COUNT(*) AS count FROM outbox GROUP BY owner, channel ORDER BY owner, channel',
      )
      .all() as { owner: string; channel: string; count: number }[];
    const oldest = this.#db.prepare('SELECT MIN(created_at) AS at FROM outbox').get() as {
      at: number | null;
    };
    const dead = this.#db.prepare('SELECT COUNT(*) AS n FROM outbox_dead').get() as { n: number };
    return { pending, oldestCreatedAt: oldest.at, dead: dead.n };
  }

  ping(): void {
    this.#db.prepare('SELECT 1').get();
  }

  close(): void {
    this.#db.close();
  }

  #ids(table: 'outbox' | 'outbox_dead', which: Selection): number[] {
    if (which !== 'all') return [...which];
    return (this.#db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as { id: number }[]).map(
      (r) => r.id,
    );
  }
}
