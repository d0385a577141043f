import type { OrderSnapshot } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';
import type { Bindings } from './bindings.ts';
import { variantsByEan, variantsBySku } from './canonical.ts';
import { appendLedger } from './ledger.ts';
import type { RuntimeConnection } from './runtime.ts';

const FINAL = new Set(['open', 'paid', 'fulfilled']);

export interface IngestResult {
  orderId: string;
  /** Products whose stock moved: every connection must reconcile them. */
  changed: Set<string>;
  needsMapping: boolean;
  /** True when the order is new or changed (other channels, such as the ERP, should record it). */
  recordable: boolean;
  /** False while the order is not final (Allegro before READY_FOR_PROCESSING): nobody records it yet. */
  final: boolean;
  /**
   * Products of every mapped line, moved now or by an earlier ingest of the same order. A replay after a crash
   * between the ledger entry and the reconcile request finds nothing to move, yet the reconcile is still owed.
   */
  touched: Set<string>;
}

/**
 * Stores an order and moves stock for it, idempotently: each line's sale, cancellation and each refunded unit is
 * one ledger entry keyed by its origin, so a replayed or redelivered order never moves stock twice. A line whose
 * SKU cannot be resolved leaves the order in `needs_mapping` (stored, never lost) until the mapping appears.
 */
export async function ingestOrder(db: Database, bindings: Bindings, conn: RuntimeConnection, order: OrderSnapshot): Promise<IngestResult> {
  const { rows } = await db.query<{ id: string; changed: boolean }>(
    `WITH prev AS (SELECT raw FROM orders WHERE connection = $1 AND external_id = $2)
     INSERT INTO orders (connection, external_id, number, status, currency, total, placed_at, channel_updated_at, raw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (connection, external_id) DO UPDATE SET status = EXCLUDED.status, number = EXCLUDED.number,
       currency = EXCLUDED.currency, total = EXCLUDED.total, channel_updated_at = EXCLUDED.channel_updated_at, raw = EXCLUDED.raw,
       updated_at = now()
     RETURNING id, (SELECT raw FROM prev) IS DISTINCT FROM $9::jsonb AS changed`,
    [conn.name, order.externalId, order.number ?? null, order.status, order.currency ?? null, order.total ?? null, order.placedAt ?? null, order.updatedAt ?? null, JSON.stringify(order)],
  );
  const orderId = rows[0]!.id;
  const changed = new Set<string>();
  const touched = new Set<string>();
  let needsMapping = false;

  const skus = order.lines.map((l) => l.sku).filter((s): s is string => Boolean(s));
  const bySku = await variantsBySku(db, skus);
  for (const line of order.lines) {
    let variant = line.sku ? bySku.get(line.sku) : undefined;
    if (!variant && line.variantExternalId) {
      const b = await bindings.byExternal(conn.name, 'variant', line.variantExternalId);
      if (b?.linkState === 'linked' && b.internalId) {
        const r = await db.query<{ product_id: string }>('SELECT product_id FROM variants WHERE id = $1', [b.internalId]);
        if (r.rows[0]) variant = { id: b.internalId, productId: r.rows[0].product_id };
      }
    }
    if (!variant && line.ean) {
      const byEan = await variantsByEan(db, line.ean);
      if (byEan.length === 1) variant = byEan[0];
    }
    await db.query(
      `INSERT INTO order_lines (order_id, external_line_id, sku, variant_id, title, quantity, unit_price, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (order_id, external_line_id) DO UPDATE SET sku = EXCLUDED.sku, variant_id = EXCLUDED.variant_id,
         quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price, state = EXCLUDED.state`,
      [orderId, line.externalId, line.sku, variant?.id ?? null, line.title ?? null, line.quantity, line.unitPrice ?? null, variant ? 'ok' : 'needs_mapping'],
    );
    if (!variant) {
      needsMapping = true;
      continue;
    }
    touched.add(variant.productId);
    const base = `${conn.name}:order:${order.externalId}:line:${line.externalId}`;
    const entry = { variantId: variant.id, locationId: conn.saleLocation, connection: conn.name, orderId };
    // A placed but not yet final order (Allegro before READY_FOR_PROCESSING) holds its units as a reservation, so
    // no other channel sells them meanwhile; the reservation ends when the order becomes final or is cancelled.
    if (order.status === 'pending') {
      if (line.quantity === 0) continue;
      const held = await db.query(
        `INSERT INTO reservations (origin, variant_id, location_id, quantity, order_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (origin) DO NOTHING`,
        [`${base}:reserve`, variant.id, conn.saleLocation, line.quantity, orderId],
      );
      if (held.rowCount) changed.add(variant.productId);
      continue;
    }
    const released = await db.query('UPDATE reservations SET released_at = now() WHERE origin = $1 AND released_at IS NULL', [`${base}:reserve`]);
    if (released.rowCount) changed.add(variant.productId);
    if (FINAL.has(order.status) || order.status === 'refunded') {
      if (await appendLedger(db, { ...entry, origin: `${base}:sale`, quantity: -line.quantity, kind: 'order_line' })) changed.add(variant.productId);
    }
    if (order.status === 'cancelled') {
      // Compensate only a sale that was recorded: a pending order cancelled before it was final never moved stock.
      const { rowCount } = await db.query('SELECT 1 FROM stock_ledger WHERE origin = $1', [`${base}:sale`]);
      if (rowCount && (await appendLedger(db, { ...entry, origin: `${base}:cancel`, quantity: line.quantity, kind: 'cancellation' }))) changed.add(variant.productId);
    }
    const refunded = order.status === 'cancelled' ? 0 : Math.min(line.refundedQuantity ?? 0, line.quantity);
    for (let unit = 1; unit <= refunded; unit++) {
      if (await appendLedger(db, { ...entry, origin: `${base}:refund:${unit}`, quantity: 1, kind: 'refund' })) changed.add(variant.productId);
    }
  }
  await db.query('UPDATE orders SET state = $2 WHERE id = $1', [orderId, needsMapping ? 'needs_mapping' : 'ok']);
  return { orderId, changed, needsMapping, recordable: rows[0]!.changed && order.status !== 'pending', final: order.status !== 'pending', touched };
}
