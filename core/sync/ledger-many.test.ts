import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import { appendLedger, correctOnHand, correctOnHandMany, stockPositions } from './ledger.ts';

describe('correctOnHandMany: a product\u2019s counts in one transaction, as correctOnHand one by one', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Database;
  let orderId: string;
  const ids: string[] = [];

  const ledger = async (variantId: string) =>
    (await db.query<{ origin: string; quantity: number; kind: string; details: unknown }>('SELECT origin, quantity, kind, details FROM stock_ledger WHERE variant_id = $1 ORDER BY id', [variantId])).rows;
  const onHand = async (variantId: string) => (await db.query<{ on_hand: number }>('SELECT on_hand FROM stock_levels WHERE variant_id = $1', [variantId])).rows[0]?.on_hand;

  beforeAll(async () => {
    fresh = await freshDatabase('ledger_many');
    db = createDatabase(fresh.url);
    await migrate(db);
    const p = await db.query<{ id: string }>(`INSERT INTO products (title) VALUES ('{"en":"Mug"}') RETURNING id`);
    // Pairs: [batched, one by one] for the same observations.
    for (const sku of ['A1', 'A2', 'B1', 'B2']) ids.push((await db.query<{ id: string }>('INSERT INTO variants (product_id, sku) VALUES ($1, $2) RETURNING id', [p.rows[0]!.id, sku])).rows[0]!.id);
    orderId = (await db.query<{ id: string }>(`INSERT INTO orders (connection, external_id, status) VALUES ('allegro', 'A1', 'paid') RETURNING id`)).rows[0]!.id;
  });
  afterAll(async () => {
    await db?.end();
    await fresh?.drop();
  });

  it('writes the same entries and balances, and reports the same changes', async () => {
    const [a1, a2, b1, b2] = ids as [string, string, string, string];
    const observe = async (a: number, b: number) => {
      const many = await correctOnHandMany(db, { connection: 'erp', locationId: 'default', recordsOrders: true, items: [{ externalId: 'm1', variantId: a1, observed: a }, { externalId: 'm2', variantId: b1, observed: b }] });
      const one = [
        await correctOnHand(db, { connection: 'erp', externalId: 's1', variantId: a2, locationId: 'default', observed: a, recordsOrders: true }),
        await correctOnHand(db, { connection: 'erp', externalId: 's2', variantId: b2, locationId: 'default', observed: b, recordsOrders: true }),
      ];
      expect([many.has(a1), many.has(b1)]).toEqual(one);
      return one;
    };
    expect(await observe(5, 0)).toEqual([true, false]);
    expect(await observe(5, 0)).toEqual([false, false]);
    expect(await observe(7, 2)).toEqual([true, true]);
    // A sale of 2 on another channel, not yet recorded by the owner: its stale count is no restock.
    for (const v of [a1, a2]) await appendLedger(db, { origin: `allegro:order:A1:line:${v}:sale`, variantId: v, locationId: 'default', quantity: -2, kind: 'order_line', connection: 'allegro', orderId });
    expect(await observe(7, 2)).toEqual([false, false]);
    expect(await observe(9, 2)).toEqual([true, false]);

    for (const [batched, single] of [[a1, a2], [b1, b2]] as const) {
      expect(await onHand(batched)).toBe(await onHand(single));
      // Origins differ only in the channel item's id (the batched and the single ones must not collide).
      const normal = async (v: string) => (await ledger(v)).map((e) => ({ ...e, origin: e.origin.replace(/line:[^:]+/, 'line').replace(/:[ms](\d):/, ':$1:') }));
      expect(await normal(batched)).toEqual(await normal(single));
    }
    const positions = await stockPositions(db, { connection: 'erp', locationId: 'default', variantIds: [a1, b1], recordsOrders: true });
    expect(positions.get(a1)).toEqual({ onHand: 7, unrecorded: -2 });
    expect(positions.get(b1)).toEqual({ onHand: 2, unrecorded: 0 });
  });
});
