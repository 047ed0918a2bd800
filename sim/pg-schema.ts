/**
 * A PostgreSQL schema of its own for one demo run, bench run or test (the store's tables are
 * created there by its migrations), so runs sharing one database never see each other's rows.
 */
import pg from 'pg';

/** Creates `<prefix>_<random>` in the database `url` names. @returns the URL with `search_path` set to it. */
export async function freshSchema(url: string, prefix = 'demo'): Promise<string> {
  const schema = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}
