import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import { appendLedger, correctOnHand } from './ledger.ts';

describe('correctOnHand: the stock owner reports absolute counts', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Database;
  let variantId: string;
  let orderId: string;

  const onHand = async () => (await db.query<{ on_hand: number }>('SELECT on_hand FROM stock_levels WHERE variant_id = $1', [variantId])).rows[0]!.on_hand;
  const observe = (observed: number) => correctOnHand(db, { connection: 'erp', externalId: '1', variantId, locationId: 'default', observed, recordsOrders: true });

  beforeAll(async () => {
    fresh = await freshDatabase('ledger');
    db = createDatabase(fresh.url);
    await migrate(db);
    const p = await db.query<{ id: string }>(`INSERT INTO products (title) VALUES ('{"en":"Mug"}') RETURNING id`);
    variantId = (await db.query<{ id: string }>(`INSERT INTO variants (product_id, sku) VALUES ($1, 'MUG') RETURNING id`, [p.rows[0]!.id])).rows[0]!.id;
    orderId = (await db.query<{ id: string }>(`INSERT INTO orders (connection, external_id, status) VALUES ('allegro', 'A1', 'paid') RETURNING id`)).rows[0]!.id;
  });
  afterAll(async () => {
    await db?.end();
    await fresh?.drop();
  });

  it('a sale the owner has not recorded yet is not undone by its stale count, and counts once it is recorded', async () => {
    expect(await observe(35)).toBe(true);
    expect(await onHand()).toBe(35);
    await appendLedger(db, { origin: 'allegro:order:A1:line:1:sale', variantId, locationId: 'default', quantity: -2, kind: 'order_line', connection: 'allegro', orderId });
    expect(await onHand()).toBe(33);

    // Odoo still shows 35: it does not know the Allegro sale yet. Not a restock.
    expect(await observe(35)).toBe(false);
    expect(await onHand()).toBe(33);
    // A real count change meanwhile (3 units found) is applied on top of the pending sale.
    expect(await observe(38)).toBe(true);
    expect(await onHand()).toBe(36);

    // The hub records the order in Odoo; Odoo's count now includes the sale.
    await db.query(`INSERT INTO bindings (connection, kind, external_id, internal_id, link_state, origin) VALUES ('erp', 'order', 'SO1', $1, 'linked', 'created')`, [orderId]);
    expect(await observe(36)).toBe(false);
    expect(await onHand()).toBe(36);

    const { rows } = await db.query<{ quantity: number }>("SELECT quantity FROM stock_ledger WHERE variant_id = $1 AND kind IN ('initial', 'correction') ORDER BY id", [variantId]);
    expect(rows.map((r) => r.quantity)).toEqual([35, 3]);
  });

  it('without order recording, the owner\u2019s count is taken as is', async () => {
    const before = await onHand();
    expect(await correctOnHand(db, { connection: 'wms', externalId: 'x', variantId, locationId: 'default', observed: before + 4 })).toBe(true);
    expect(await onHand()).toBe(before + 4);
  });
});
