import pg from 'pg';

export type Database = pg.Pool;

/** A connection pool with bounded waits, so a stopped server surfaces as an error instead of a hang. */
export function createDatabase(url: string, options: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    // Room for concurrent drains, each of which may hold a lock connection while it queries on others.
    max: options.max ?? 20,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'omnihub',
  });
  // An idle client losing its server (PostgreSQL restarted) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Likewise a client checked out (a transaction, an advisory lock held between queries) when the server goes: its
  // next query fails and the pool discards it on release; the 'error' event alone must not end the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Runs `work` in one transaction on one pooled client: COMMIT when it returns, ROLLBACK when it throws, and the
 * error goes on to the caller. A client whose ROLLBACK fails too (its server gone) is discarded, not pooled again.
 */
export async function transaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
