import { describe, expect, it } from 'vitest';
import { createOdooSimulator } from './index.ts';
import { fixedClock, json2, kw } from './test-helpers.ts';

function setup(clock = fixedClock('2025-11-20 08:00:00')) {
  const sim = createOdooSimulator({
    clock: clock.now,
    seed: {
      partners: [{ id: 50, name: 'Allegro buyer' }],
      warehouses: [{ id: 2, code: 'KRK', name: 'Kraków' }],
      products: [
        { id: 18, name: 'Kubek', sku: 'SKU-123', listPrice: 40, stock: [{ quantity: 25, reserved: 3 }, { location: 'KRK/Stock', quantity: 10, reserved: 1 }] },
        { id: 19, name: 'Talerz', sku: 'SKU-456', listPrice: 20, stock: [{ quantity: 4 }] },
      ],
      pricelists: [{
        id: 7, name: 'Allegro', currency: 'PLN',
        items: [
          { sku: 'SKU-123', computePrice: 'fixed', fixedPrice: 35, dateStart: '2025-11-01 00:00:00', dateEnd: '2025-11-30 23:59:59' },
          { computePrice: 'percentage', percentPrice: 10 },
        ],
      }],
    },
  });
  return { sim, clock };
}

const STOCK_FIELDS = ['qty_available', 'free_qty', 'virtual_available', 'outgoing_qty'];
async function stock(sim: ReturnType<typeof setup>['sim'], id: number, context: Record<string, unknown> = {}) {
  const res = await json2(sim, 'product.product', 'read', { ids: [id], fields: STOCK_FIELDS, context });
  const { id: _id, ...q } = res.body[0];
  return q;
}

describe('Odoo stock, pricelists and sale orders', () => {
  it('computes free_qty = on hand − reserved per warehouse, per location, and across warehouses', async () => {
    const { sim } = setup();
    expect(await stock(sim, 18, { warehouse: 1 })).toEqual({ qty_available: 25, free_qty: 22, virtual_available: 25, outgoing_qty: 0 });
    expect(await stock(sim, 18, { warehouse: 2 })).toEqual({ qty_available: 10, free_qty: 9, virtual_available: 10, outgoing_qty: 0 });
    expect(await stock(sim, 18, { warehouse: 'Krak' })).toMatchObject({ free_qty: 9 });
    expect(await stock(sim, 18, { location: 'KRK/Stock' })).toMatchObject({ free_qty: 9 });
    expect(await stock(sim, 18)).toEqual({ qty_available: 35, free_qty: 31, virtual_available: 35, outgoing_qty: 0 });
  });

  it('filters on computed stock fields in domains', async () => {
    const { sim } = setup();
    const res = await json2(sim, 'product.product', 'search', { domain: [['free_qty', '>', 5]], context: { warehouse: 1 } });
    expect(res.body).toEqual([18]);
  });

  it('confirming a sale order reserves stock; cancelling releases it; delivering consumes it', async () => {
    const { sim, clock } = setup();
    const created = await kw(sim, 'sale.order', 'create', [{
      partner_id: 50, pricelist_id: 7, client_order_ref: 'allegro-123',
      order_line: [[0, 0, { product_id: 18, product_uom_qty: 5 }], [0, 0, { product_id: 19, product_uom_qty: 6 }]],
    }]);
    const orderId = created.body.result as number;
    expect(await stock(sim, 18, { warehouse: 1 })).toMatchObject({ free_qty: 22 }); // a quotation reserves nothing
    clock.advance(60);
    expect((await kw(sim, 'sale.order', 'action_confirm', [[orderId]])).body.result).toBe(true);
    expect(await stock(sim, 18, { warehouse: 1 })).toEqual({ qty_available: 25, free_qty: 17, virtual_available: 20, outgoing_qty: 5 });
    expect(await stock(sim, 18, { warehouse: 2 })).toMatchObject({ free_qty: 9 }); // other warehouse untouched
    // Only 4 plates: 4 reserved, 2 short; the forecast goes negative.
    expect(await stock(sim, 19, { warehouse: 1 })).toEqual({ qty_available: 4, free_qty: 0, virtual_available: -2, outgoing_qty: 6 });
    const quants = await kw(sim, 'stock.quant', 'search_read', [[['product_id', '=', 18], ['warehouse_id', '=', 1]]], { fields: ['reserved_quantity', 'write_date'] });
    expect(quants.body.result).toEqual([{ id: expect.any(Number), reserved_quantity: 8, write_date: '2025-11-20 08:01:00' }]);
    const again = await kw(sim, 'sale.order', 'action_confirm', [[orderId]]);
    expect(again.body.error.data).toMatchObject({ name: 'odoo.exceptions.UserError' });

    await kw(sim, 'sale.order', 'action_cancel', [[orderId]]);
    expect(await stock(sim, 18, { warehouse: 1 })).toEqual({ qty_available: 25, free_qty: 22, virtual_available: 25, outgoing_qty: 0 });

    await kw(sim, 'sale.order', 'action_draft', [[orderId]]);
    await kw(sim, 'sale.order', 'action_confirm', [[orderId]]);
    const delivered = await sim.app.request(`/__sandbox/orders/${orderId}/deliver`, { method: 'POST' });
    expect(delivered.status).toBe(200);
    expect(await stock(sim, 18, { warehouse: 1 })).toEqual({ qty_available: 20, free_qty: 17, virtual_available: 20, outgoing_qty: 0 });
    const lines = await kw(sim, 'sale.order.line', 'search_read', [[['order_id', '=', orderId]]], { fields: ['qty_delivered'] });
    expect(lines.body.result.map((l: { qty_delivered: number }) => l.qty_delivered)).toEqual([5, 6]);
    expect((await kw(sim, 'sale.order', 'unlink', [[orderId]])).body.error.data.name).toBe('odoo.exceptions.UserError');
  });

  it('prices order lines from the pricelist: fixed within its dates, else the percentage rule', async () => {
    const { sim, clock } = setup();
    const order = async () => {
      const id = (await kw(sim, 'sale.order', 'create', [{ partner_id: 50, pricelist_id: 7, order_line: [[0, 0, { product_id: 18 }], [0, 0, { product_id: 19, price_unit: 99 }]] }])).body.result;
      const read = await kw(sim, 'sale.order', 'read', [[id]], { fields: ['name', 'currency_id', 'amount_total', 'order_line'] });
      const lines = await kw(sim, 'sale.order.line', 'read', [read.body.result[0].order_line], { fields: ['price_unit', 'product_id'] });
      return { order: read.body.result[0], prices: lines.body.result.map((l: { price_unit: number }) => l.price_unit) };
    };
    const inside = await order();
    expect(inside.prices).toEqual([35, 99]); // explicit price_unit wins
    expect(inside.order).toMatchObject({ name: 'S00001', amount_total: 134, currency_id: [3, 'PLN'] });
    clock.set('2025-12-01 00:00:00');
    expect((await order()).prices).toEqual([36, 99]); // 40 − 10 %
  });

  it('stock changes move stock.quant write_date (not product write_date): the change-detection poll finds them', async () => {
    const { sim, clock } = setup();
    const cursor = '2025-11-20 08:00:00';
    const poll = async () =>
      (await json2(sim, 'stock.quant', 'search_read', {
        domain: [['write_date', '>', cursor], ['location_id.usage', '=', 'internal']],
        fields: ['product_id', 'quantity', 'write_date'],
        order: 'write_date asc, id asc',
      })).body;
    expect(await poll()).toEqual([]);
    clock.advance(30);
    const change = await sim.app.request('/__sandbox/stock', { method: 'POST', body: JSON.stringify({ sku: 'SKU-456', warehouse: 'WH', delta: 6 }) });
    expect(change.status).toBe(200);
    expect(await poll()).toEqual([{ id: expect.any(Number), product_id: [19, '[SKU-456] Talerz'], quantity: 10, write_date: '2025-11-20 08:00:30' }]);
    const products = await json2(sim, 'product.product', 'search_read', { domain: [['write_date', '>', cursor]], fields: ['id'] });
    expect(products.body).toEqual([]);
    expect(await stock(sim, 19, { warehouse: 1 })).toMatchObject({ free_qty: 10 });
  });

  it('inventory adjustments: quants are created/counted in inventory mode and applied; direct edits are refused', async () => {
    const { sim } = setup();
    const refused = await json2(sim, 'stock.quant', 'create', { vals_list: [{ product_id: 19, location_id: 8, inventory_quantity: 7 }] });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe("Quant's creation is restricted, you can't do this operation.");
    const ids = await json2(sim, 'stock.quant', 'create', { vals_list: [{ product_id: 19, location_id: 8, inventory_quantity: 7 }], context: { inventory_mode: true } });
    expect(ids.status).toBe(200);
    await json2(sim, 'stock.quant', 'action_apply_inventory', { ids: ids.body });
    expect(await stock(sim, 19, { warehouse: 1 })).toMatchObject({ qty_available: 7 });
    const edit = await json2(sim, 'stock.quant', 'write', { ids: ids.body, vals: { quantity: 100 } });
    expect(edit.status).toBe(422);
    expect(edit.body.message).toBe("Quant's editing is restricted, you can't do this operation.");
  });

  it('has version-specific product types: product on 17.0, is_storable on 18+', async () => {
    const old = createOdooSimulator({ serverVersion: '17.0', seed: { products: [{ name: 'A', sku: 'A' }] } });
    const neu = createOdooSimulator({ serverVersion: '19.0', seed: { products: [{ name: 'A', sku: 'A' }] } });
    expect((await kw(old, 'product.template', 'search_read', [[]], { fields: ['type'] })).body.result[0].type).toBe('product');
    expect((await kw(neu, 'product.template', 'search_read', [[]], { fields: ['type', 'is_storable'] })).body.result[0]).toMatchObject({ type: 'consu', is_storable: true });
    expect((await kw(old, 'product.template', 'search_read', [[]], { fields: ['is_storable'] })).body.error.data.name).toBe('builtins.ValueError');
  });
});
