import { describe, expect, it } from 'vitest';
import { useMigratedDatabase } from '../../tests/support/db.ts';
import { requestWork } from './requests.ts';

describe('requestWork', () => {
  const database = useMigratedDatabase('requests');

  it('records a whole catalogue fanned out to five connections (far beyond one statement\'s 65,535 parameters)', async () => {
    const db = database();
    const ids = Array.from({ length: 25_000 }, (_, i) => `p${i}`);
    const requests = ['c1', 'c2', 'c3', 'c4', 'c5'].flatMap((connection) => ids.map((id) => ({ connection, lane: 'outbound' as const, kind: 'product', id, priority: 3 })));
    await requestWork(db, requests);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM sync_requests')).rows[0]!.n)).toBe(125_000);
    // Asked again: still one row per entity, the most urgent priority kept.
    await requestWork(db, [{ connection: 'c1', lane: 'outbound', kind: 'product', id: 'p0', priority: 1 }]);
    await requestWork(db, [{ connection: 'c1', lane: 'outbound', kind: 'product', id: 'p0', priority: 4 }]);
    expect((await db.query('SELECT priority FROM sync_requests WHERE connection = $1 AND entity_id = $2', ['c1', 'p0'])).rows).toEqual([{ priority: 1 }]);
  }, 60_000);
});
