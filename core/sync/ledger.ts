import type { Database } from '../store/database.ts';

export type LedgerKind = 'order_line' | 'cancellation' | 'refund' | 'return' | 'correction' | 'initial' | 'adjustment';

export interface LedgerEntry {
  /** Idempotency key: one movement, one origin. A replay with the same origin changes nothing. */
  origin: string;
  variantId: string;
  locationId: string;
  quantity: number;
  kind: LedgerKind;
  connection?: string;
  orderId?: string;
  details?: Record<string, unknown>;
}

/**
 * Appends a stock movement and updates the on-hand balance in the same transaction. Returns false (and changes
 * nothing) when an entry with the same origin exists: replayed orders never double-decrement.
 */
export async function appendLedger(db: Database, e: LedgerEntry): Promise<boolean> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query(
      `INSERT INTO stock_ledger (origin, variant_id, location_id, quantity, kind, connection, order_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (origin) DO NOTHING`,
      [e.origin, e.variantId, e.locationId, e.quantity, e.kind, e.connection ?? null, e.orderId ?? null, e.details ?? {}],
    );
    if (inserted.rowCount === 1) {
      await client.query(
        `INSERT INTO stock_levels (variant_id, location_id, on_hand) VALUES ($1, $2, $3)
         ON CONFLICT (variant_id, location_id) DO UPDATE SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand, updated_at = now()`,
        [e.variantId, e.locationId, e.quantity],
      );
    }
    await client.query('COMMIT');
    return inserted.rowCount === 1;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Brings the on-hand of a variant at a location to an absolute value reported by the stock owner (an ERP), as a
 * correction entry. The origin includes the observed and the previous value, so the same observation replayed
 * against the same state is a no-op, and an unchanged value writes nothing at all.
 *
 * When the owner also records the other channels' orders (`recordsOrders`), its count cannot yet include sales it
 * has not been told about: an Allegro sale of 2 leaves Odoo at 35 until its sale order exists. Those sales are
 * added back before comparing, so the owner's stale 35 is not taken as a restock (which would offer the sold units
 * again on every channel until Odoo caught up).
 */
export async function correctOnHand(
  db: Database,
  c: { connection: string; externalId: string; variantId: string; locationId: string; observed: number; recordsOrders?: boolean },
): Promise<boolean> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    // Lock the balance: an order entry landing between our read and our write would otherwise be lost.
    await client.query('INSERT INTO stock_levels (variant_id, location_id, on_hand) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [c.variantId, c.locationId]);
    const { rows } = await client.query<{ on_hand: number; n: number }>(
      `SELECT on_hand, (SELECT count(*)::int FROM stock_ledger WHERE variant_id = $1 AND location_id = $2) AS n
         FROM stock_levels WHERE variant_id = $1 AND location_id = $2 FOR UPDATE`,
      [c.variantId, c.locationId],
    );
    const current = rows[0]!.on_hand;
    const unrecorded = c.recordsOrders ? await unrecordedSales(client, c) : 0;
    // What the owner should show if nothing happened but the sales it already knows about.
    const ownerExpected = current - unrecorded;
    if (ownerExpected === c.observed) {
      await client.query('COMMIT');
      return false;
    }
    const inserted = await client.query(
      `INSERT INTO stock_ledger (origin, variant_id, location_id, quantity, kind, connection, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (origin) DO NOTHING`,
      [
        `${c.connection}:stock:${c.externalId}:${ownerExpected}->${c.observed}:${rows[0]!.n}`,
        c.variantId, c.locationId, c.observed - ownerExpected, rows[0]!.n === 0 ? 'initial' : 'correction', c.connection,
        { observed: c.observed, previous: current, ...(unrecorded ? { unrecordedSales: unrecorded } : {}) },
      ],
    );
    if (inserted.rowCount === 1) {
      await client.query('UPDATE stock_levels SET on_hand = $3, updated_at = now() WHERE variant_id = $1 AND location_id = $2', [c.variantId, c.locationId, c.observed + unrecorded]);
    }
    await client.query('COMMIT');
    return inserted.rowCount === 1;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Net stock movement (negative for sales) of other channels' orders that `connection` has not recorded yet: no
 * linked order binding on it. An order it refused stays here too, so its sale keeps counting against stock.
 */
async function unrecordedSales(
  client: Pick<Database, 'query'>,
  c: { connection: string; variantId: string; locationId: string },
): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT coalesce(sum(l.quantity), 0)::int AS n
       FROM stock_ledger l JOIN orders o ON o.id = l.order_id
      WHERE l.variant_id = $1 AND l.location_id = $2 AND o.connection <> $3
        AND NOT EXISTS (SELECT 1 FROM bindings b WHERE b.connection = $3 AND b.kind = 'order' AND b.internal_id = l.order_id)`,
    [c.variantId, c.locationId, c.connection],
  );
  return rows[0]!.n;
}
