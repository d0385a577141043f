import { Hono } from 'hono';
import { z } from 'zod';
import { datetimeToMs, parseOdooDatetime } from './clock.ts';
import * as orm from './orm.ts';
import { deliverOrder } from './sale.ts';
import { findOrCreateQuant, setQuantQuantity } from './stock.ts';
import { getValue, type Env } from './store.ts';
import type { ServerContext } from './context.ts';

/**
 * Simulator-only routes under `/__sandbox` that stand in for people working in Odoo:
 * - `POST /__sandbox/stock`  `{sku | productId, location?, warehouse?, quantity | delta}` → the quant after the
 *   change. Warehouse work (a count, a receipt, a breakage): updates `stock.quant.quantity` and its `write_date`,
 *   never the product's (as in Odoo, where quantities are computed).
 * - `POST /__sandbox/orders/:id/deliver` → ships a confirmed sale order (reserved stock leaves the warehouse).
 * - `POST /__sandbox/clock` `{advanceSeconds} | {now: "YYYY-MM-DD HH:MM:SS"}` → moves the server clock.
 */
export const stockChangeSchema = z
  .object({
    sku: z.string().optional(),
    productId: z.number().int().positive().optional(),
    /** Location id or complete name (e.g. "WH/Stock"). */
    location: z.union([z.number().int().positive(), z.string()]).optional(),
    /** Warehouse code or id: its stock location. Ignored when `location` is given. */
    warehouse: z.union([z.number().int().positive(), z.string()]).optional(),
    quantity: z.number().optional(),
    delta: z.number().optional(),
  })
  .refine((v) => (v.sku === undefined) !== (v.productId === undefined), { message: 'give exactly one of sku, productId' })
  .refine((v) => (v.quantity === undefined) !== (v.delta === undefined), { message: 'give exactly one of quantity, delta' });

export const clockSchema = z.union([z.object({ advanceSeconds: z.number() }), z.object({ now: z.string() })]);

export function adminRoutes(s: ServerContext, clock: { offsetMs: number; base: () => number }): Hono {
  const app = new Hono();
  const env = (): Env => ({ db: s.db, uid: s.db.rows('res.users')[0]?.id ?? 1, context: {} });

  app.post('/stock', async (c) => {
    const parsed = stockChangeSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ ok: false, error: parsed.error.issues }, 400);
    const b = parsed.data;
    const e = env();
    const product = b.productId !== undefined
      ? s.db.row('product.product', b.productId)
      : s.db.rows('product.product').find((p) => p.default_code === b.sku);
    if (!product) return c.json({ ok: false, error: 'no such product' }, 404);
    let locationId: number | undefined;
    if (typeof b.location === 'number') locationId = s.db.row('stock.location', b.location)?.id;
    else if (typeof b.location === 'string') {
      locationId = s.db.rows('stock.location').find((l) => getValue(e, 'stock.location', l, 'complete_name') === b.location)?.id;
    } else {
      const wh = b.warehouse === undefined
        ? s.db.rows('stock.warehouse').sort((x, y) => x.id - y.id)[0]
        : s.db.rows('stock.warehouse').find((w) => w.id === b.warehouse || w.code === b.warehouse);
      locationId = wh?.lot_stock_id as number | undefined;
    }
    if (!locationId) return c.json({ ok: false, error: 'no such location or warehouse' }, 404);
    const quant = findOrCreateQuant(e, product.id, locationId);
    setQuantQuantity(e, quant, b.quantity ?? (quant.quantity as number) + b.delta!);
    return c.json(orm.read(e, 'stock.quant', [quant.id], ['product_id', 'location_id', 'quantity', 'reserved_quantity', 'write_date'])[0]);
  });

  app.post('/orders/:id/deliver', (c) => {
    const order = s.db.row('sale.order', Number(c.req.param('id')));
    if (!order) return c.json({ ok: false, error: 'no such sale.order' }, 404);
    if (order.state !== 'sale') return c.json({ ok: false, error: `order is in state ${String(order.state)}` }, 409);
    deliverOrder(env(), order);
    return c.json({ ok: true });
  });

  app.post('/clock', async (c) => {
    const parsed = clockSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ ok: false, error: parsed.error.issues }, 400);
    if ('advanceSeconds' in parsed.data) clock.offsetMs += parsed.data.advanceSeconds * 1000;
    else {
      const at = parseOdooDatetime(parsed.data.now);
      if (!at) return c.json({ ok: false, error: 'now must be "YYYY-MM-DD HH:MM:SS"' }, 400);
      clock.offsetMs = datetimeToMs(at) - clock.base();
    }
    return c.json({ ok: true, now: s.db.now() });
  });
  return app;
}
