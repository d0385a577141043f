import { describe, expect, it } from 'vitest';
import { useMigratedDatabase } from '../../tests/support/db.ts';
import { IntakeBatcher, recordDeliveries } from './intake.ts';

describe('webhook intake', () => {
  const database = useMigratedDatabase('intake');
  const count = async (sql: string) => Number((await database().query<{ n: string }>(sql)).rows[0]!.n);

  it('records a batch in one statement: duplicates (earlier or in the same batch) store nothing, one request per entity', async () => {
    const db = database();
    const fresh1 = await recordDeliveries(db, [{ connection: 'shop', eventId: 'e1', hints: [{ kind: 'order', externalId: 'o1' }] }]);
    expect(fresh1).toEqual([true]);
    const result = await recordDeliveries(db, [
      { connection: 'shop', eventId: 'e1', hints: [{ kind: 'order', externalId: 'o9' }] }, // recorded before
      { connection: 'shop', eventId: 'e2', hints: [{ kind: 'order', externalId: 'o2' }, { kind: 'stock', externalId: 's1' }] },
      { connection: 'shop', eventId: 'e2', hints: [{ kind: 'order', externalId: 'o8' }] }, // repeated in this batch
      { connection: 'other', eventId: 'e2', hints: [{ kind: 'order', externalId: 'o2' }] }, // same id, other connection
      { connection: 'shop', eventId: 'e3', hints: [{ kind: 'order', externalId: 'o2' }] }, // same entity as e2
      { connection: 'shop', eventId: undefined, hints: [{ kind: 'product', externalId: 'p1' }] },
    ]);
    expect(result).toEqual([false, true, false, true, true, true]);
    const requests = (await db.query<{ connection: string; entity_kind: string; entity_id: string }>('SELECT connection, entity_kind, entity_id FROM sync_requests ORDER BY 1, 2, 3')).rows;
    expect(requests.map((r) => `${r.connection}/${r.entity_kind}/${r.entity_id}`)).toEqual(['other/order/o2', 'shop/order/o1', 'shop/order/o2', 'shop/product/p1', 'shop/stock/s1']);
    // One activity row per hint of each fresh delivery: 1 (e1) + 2 (e2) + 1 (other) + 1 (e3) + 1 (no id).
    expect(await count("SELECT count(*) AS n FROM activity WHERE step = 'hint'")).toBe(6);
    expect(await count('SELECT count(*) AS n FROM inbound_events')).toBe(4);
  });

  it('the batcher groups concurrent deliveries, answers each, and one unstorable delivery fails alone', async () => {
    const db = database();
    const batcher = new IntakeBatcher(db);
    const ok = Array.from({ length: 20 }, (_, i) => batcher.submit({ connection: 'shop', eventId: `b${i}`, hints: [{ kind: 'order', externalId: `bo${i}` }] }));
    // PostgreSQL refuses a NUL character in text: the statement holding it fails, the others must still land.
    const bad = batcher.submit({ connection: 'shop', eventId: 'bad\u0000id', hints: [] });
    const again = batcher.submit({ connection: 'shop', eventId: 'b3', hints: [{ kind: 'order', externalId: 'bo3' }] });
    expect(await Promise.all(ok)).toEqual(Array.from({ length: 20 }, () => true));
    await expect(bad).rejects.toThrow();
    expect(await again).toBe(false);
    expect(await count("SELECT count(*) AS n FROM sync_requests WHERE entity_id LIKE 'bo%'")).toBe(20);
  });
});
