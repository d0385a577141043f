import pg from 'pg';

export type Database = pg.Pool;

/** A connection pool with bounded waits, so a stopped server surfaces as an error instead of a hang. */
export function createDatabase(url: string, options: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'omnihub',
  });
  // An idle client losing its server (PostgreSQL restarted) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}
