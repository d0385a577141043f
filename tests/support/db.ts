import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabase, type Database } from '../../core/store/database.ts';
import { migrate } from '../../core/store/migrate.ts';

/**
 * A fresh, empty database on the run's PostgreSQL server for one test file. Returns its URL and a drop function.
 */
export async function freshDatabase(label = 'test'): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = inject('databaseUrl');
  const name = `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A fresh, migrated database for the calling test file: created before its tests, dropped after. Call at the top of
 * a `describe`; the returned function gives the open database inside the tests.
 */
export function useMigratedDatabase(label: string): () => Database {
  let fresh: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    fresh = await freshDatabase(label);
    db = createDatabase(fresh.url);
    await migrate(db);
  });
  afterAll(async () => {
    await db?.end();
    await fresh?.drop();
  });
  return () => db!;
}
