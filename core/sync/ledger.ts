import { transaction, type Database } from '../store/database.ts';

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
  return transaction(db, async (client) => {
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
    return inserted.rowCount === 1;
  });
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
  return transaction(db, async (client) => {
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
    return inserted.rowCount === 1;
  });
}

/**
 * `correctOnHand` for several variants observed together (one product's snapshot): one transaction of a few
 * statements instead of one transaction per variant, with the same entries, origins and balances. Returns the
 * variants whose on-hand was corrected.
 */
export async function correctOnHandMany(
  db: Database,
  c: { connection: string; locationId: string; recordsOrders?: boolean; items: Array<{ externalId: string; variantId: string; observed: number }> },
): Promise<Set<string>> {
  const corrected = new Set<string>();
  if (new Set(c.items.map((i) => i.variantId)).size !== c.items.length) {
    // One variant observed twice: the second compares with the first's result, as one by one.
    for (const i of c.items) if (await correctOnHand(db, { ...c, ...i })) corrected.add(i.variantId);
    return corrected;
  }
  if (c.items.length === 0) return corrected;
  // Balances are locked in one order by every caller, so two of these cannot deadlock each other.
  const items = [...c.items].sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));
  const ids = items.map((i) => i.variantId);
  return transaction(db, async (client) => {
    await client.query(
      `INSERT INTO stock_levels (variant_id, location_id, on_hand)
       SELECT v, $2, 0 FROM unnest($1::uuid[]) WITH ORDINALITY AS t(v, n) ORDER BY n ON CONFLICT DO NOTHING`,
      [ids, c.locationId],
    );
    const { rows } = await client.query<{ variant_id: string; on_hand: number; n: number }>(
      `SELECT s.variant_id, s.on_hand, (SELECT count(*)::int FROM stock_ledger l WHERE l.variant_id = s.variant_id AND l.location_id = s.location_id) AS n
         FROM stock_levels s WHERE s.variant_id = ANY($1::uuid[]) AND s.location_id = $2 ORDER BY s.variant_id FOR UPDATE OF s`,
      [ids, c.locationId],
    );
    const levels = new Map(rows.map((r) => [r.variant_id, r]));
    const unrecorded = new Map<string, number>();
    if (c.recordsOrders) {
      const u = await client.query<{ variant_id: string; n: number }>(
        `SELECT l.variant_id, coalesce(sum(l.quantity), 0)::int AS n
           FROM stock_ledger l JOIN orders o ON o.id = l.order_id
          WHERE l.variant_id = ANY($1::uuid[]) AND l.location_id = $2 AND o.connection <> $3
            AND NOT EXISTS (SELECT 1 FROM bindings b WHERE b.connection = $3 AND b.kind = 'order' AND b.internal_id = l.order_id)
          GROUP BY l.variant_id`,
        [ids, c.locationId, c.connection],
      );
      for (const r of u.rows) unrecorded.set(r.variant_id, r.n);
    }
    const entries: Array<{ origin: string; variant_id: string; quantity: number; kind: LedgerKind; details: Record<string, unknown>; on_hand: number }> = [];
    for (const i of items) {
      const level = levels.get(i.variantId)!;
      const sales = unrecorded.get(i.variantId) ?? 0;
      const ownerExpected = level.on_hand - sales;
      if (ownerExpected === i.observed) continue;
      entries.push({
        origin: `${c.connection}:stock:${i.externalId}:${ownerExpected}->${i.observed}:${level.n}`,
        variant_id: i.variantId, quantity: i.observed - ownerExpected, kind: level.n === 0 ? 'initial' : 'correction',
        details: { observed: i.observed, previous: level.on_hand, ...(sales ? { unrecordedSales: sales } : {}) },
        on_hand: i.observed + sales,
      });
    }
    if (entries.length > 0) {
      const inserted = await client.query<{ variant_id: string }>(
        `INSERT INTO stock_ledger (origin, variant_id, location_id, quantity, kind, connection, details)
         SELECT e.origin, e.variant_id, $2, e.quantity, e.kind, $3, e.details
           FROM jsonb_to_recordset($1::jsonb) AS e(n int, origin text, variant_id uuid, quantity int, kind text, details jsonb)
          ORDER BY e.n
         ON CONFLICT (origin) DO NOTHING RETURNING variant_id`,
        [JSON.stringify(entries.map((e, n) => ({ ...e, n }))), c.locationId, c.connection],
      );
      for (const r of inserted.rows) corrected.add(r.variant_id);
      const updates = entries.filter((e) => corrected.has(e.variant_id));
      if (updates.length > 0) {
        await client.query(
          `UPDATE stock_levels s SET on_hand = u.on_hand, updated_at = now()
             FROM unnest($1::uuid[], $3::int[]) AS u(variant_id, on_hand) WHERE s.variant_id = u.variant_id AND s.location_id = $2`,
          [updates.map((e) => e.variant_id), c.locationId, updates.map((e) => e.on_hand)],
        );
      }
    }
    return corrected;
  });
}

/**
 * What `correctOnHand` compares an observation with, for many variants in one query: the on-hand at a location and
 * (with `recordsOrders`) the other channels' sales `connection` has not recorded yet. A variant without a balance
 * row is absent. An observation equal to on-hand − unrecorded is one `correctOnHand` would leave unchanged.
 */
export async function stockPositions(
  db: Pick<Database, 'query'>,
  c: { connection: string; locationId: string; variantIds: string[]; recordsOrders: boolean },
): Promise<Map<string, { onHand: number; unrecorded: number }>> {
  if (c.variantIds.length === 0) return new Map();
  const { rows } = await db.query<{ variant_id: string; on_hand: number; unrecorded: number }>(
    `SELECT s.variant_id, s.on_hand,
            CASE WHEN $4 THEN (SELECT coalesce(sum(l.quantity), 0)::int
                                 FROM stock_ledger l JOIN orders o ON o.id = l.order_id
                                WHERE l.variant_id = s.variant_id AND l.location_id = s.location_id AND o.connection <> $3
                                  AND NOT EXISTS (SELECT 1 FROM bindings b WHERE b.connection = $3 AND b.kind = 'order' AND b.internal_id = l.order_id))
                 ELSE 0 END AS unrecorded
       FROM stock_levels s WHERE s.variant_id = ANY($1::uuid[]) AND s.location_id = $2`,
    [c.variantIds, c.locationId, c.connection, c.recordsOrders],
  );
  return new Map(rows.map((r) => [r.variant_id, { onHand: r.on_hand, unrecorded: r.unrecorded }]));
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

/**
 * The first counts of variants just created in the caller's transaction (no balance, no ledger entry, no order can
 * reference them yet), for many variants in two statements: the same 'initial' entries and balances
 * `correctOnHand` would write for them — a balance of 0 and no entry for a count of 0.
 */
export async function recordInitialStock(
  db: Pick<Database, 'query'>,
  c: { connection: string; locationId: string; items: Array<{ externalId: string; variantId: string; observed: number }> },
): Promise<void> {
  if (c.items.length === 0) return;
  const entries = c.items.filter((i) => i.observed !== 0);
  const recorded = new Set<string>();
  if (entries.length > 0) {
    const inserted = await db.query<{ variant_id: string }>(
      `INSERT INTO stock_ledger (origin, variant_id, location_id, quantity, kind, connection, details)
       SELECT e.origin, e.variant_id, $2, e.quantity, 'initial', $3, e.details
         FROM jsonb_to_recordset($1::jsonb) AS e(n int, origin text, variant_id uuid, quantity int, details jsonb)
        ORDER BY e.n
       ON CONFLICT (origin) DO NOTHING RETURNING variant_id`,
      [JSON.stringify(entries.map((i, n) => ({
        n, origin: `${c.connection}:stock:${i.externalId}:0->${i.observed}:0`, variant_id: i.variantId, quantity: i.observed,
        details: { observed: i.observed, previous: 0 },
      }))), c.locationId, c.connection],
    );
    for (const r of inserted.rows) recorded.add(r.variant_id);
  }
  await db.query(
    `INSERT INTO stock_levels (variant_id, location_id, on_hand)
     SELECT v, $2, h FROM unnest($1::uuid[], $3::int[]) WITH ORDINALITY AS t(v, h, n) ORDER BY n`,
    [c.items.map((i) => i.variantId), c.locationId, c.items.map((i) => (recorded.has(i.variantId) ? i.observed : 0))],
  );
}
