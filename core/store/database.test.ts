import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../tests/support/db.ts';
import { createDatabase, transaction } from './database.ts';

describe('transaction', () => {
  it('commits what the work wrote when it returns, and rolls all of it back when it throws', async () => {
    const fresh = await freshDatabase('transaction');
    const db = createDatabase(fresh.url, { max: 2 });
    try {
      await db.query('CREATE TABLE t (n int PRIMARY KEY)');
      expect(await transaction(db, async (c) => (await c.query('INSERT INTO t VALUES (1), (2) RETURNING n')).rowCount)).toBe(2);

      const failure = transaction(db, async (c) => {
        await c.query('INSERT INTO t VALUES (3)');
        await c.query('INSERT INTO t VALUES (1)'); // duplicate key: the whole unit fails
      });
      await expect(failure).rejects.toMatchObject({ code: '23505' });
      expect((await db.query<{ n: number }>('SELECT n FROM t ORDER BY n')).rows.map((r) => r.n)).toEqual([1, 2]);

      // The failed unit's client went back to the pool usable (one left in its aborted transaction would answer
      // 25P02 to anything): both clients of the pool work.
      const counts = await Promise.all([0, 1].map(() => transaction(db, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n)));
      expect(counts).toEqual([2, 2]);
      expect(db.totalCount).toBeLessThanOrEqual(2);
      expect((await db.query<{ open: number }>("SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'")).rows[0]!.open).toBe(0);
    } finally {
      await db.end();
      await fresh.drop();
    }
  });
});
