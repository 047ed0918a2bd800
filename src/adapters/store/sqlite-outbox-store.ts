/**
 * The outbox in an embedded SQLite file (better-sqlite3, WAL mode): no server to run. An item is
 * written before any delivery is tried and deleted only after a 2xx, so a crash in between means a
 * retry, never a loss. De-duplication keys are kept for 7 days; the event log (for after-action
 * summaries) is kept.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EventRecord, NewNotification, OutboxItem, OutboxStore } from './outbox-store.js';

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
        'SELECT id, owner, channel, payload, attempts, next_attempt_at AS nextAttemptAt, created_at AS createdAt FROM outbox ORDER BY id LIMIT ?',
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

  close(): void {
    this.#db.close();
  }
}
