import type { Database } from '../store/database.ts';

export interface UnlinkedItem {
  /** 'binding': a channel item the hub could not link to the catalogue; 'order': an order waiting for a SKU mapping. */
  source: 'binding' | 'order';
  connection: string;
  kind: string;
  externalId: string;
  sku: string | null;
  state: 'unlinked' | 'ambiguous' | 'needs_mapping';
  reason: string;
  /** The hub's order id, for the order's timeline. */
  orderId: string | null;
  since: string;
}

/**
 * Everything that could not be linked, with the reason: channel items left `unlinked` or `ambiguous` by linking,
 * and orders stored as `needs_mapping` (each with the lines whose SKU is unknown). Nothing is skipped silently.
 */
export async function unlinkedReport(db: Database, filter: { connection?: string | undefined } = {}): Promise<UnlinkedItem[]> {
  const params = filter.connection ? [filter.connection] : [];
  const [bindings, orders] = await Promise.all([
    db.query<{ connection: string; kind: string; external_id: string; sku: string | null; link_state: 'unlinked' | 'ambiguous'; link_reason: string | null; updated_at: Date }>(
      `SELECT connection, kind, external_id, sku, link_state, link_reason, updated_at FROM bindings
        WHERE link_state <> 'linked' ${filter.connection ? 'AND connection = $1' : ''}
        ORDER BY connection, kind, sku NULLS LAST, external_id LIMIT 2000`,
      params,
    ),
    db.query<{ id: string; connection: string; external_id: string; number: string | null; updated_at: Date; lines: string | null }>(
      `SELECT o.id, o.connection, o.external_id, o.number, o.updated_at,
              (SELECT string_agg(coalesce('"' || l.sku || '"', 'a line without SKU') || coalesce(' (' || l.title || ')', ''), ', ' ORDER BY l.external_line_id)
                 FROM order_lines l WHERE l.order_id = o.id AND l.state = 'needs_mapping') AS lines
         FROM orders o WHERE o.state = 'needs_mapping' ${filter.connection ? 'AND o.connection = $1' : ''}
        ORDER BY o.updated_at DESC LIMIT 1000`,
      params,
    ),
  ]);
  return [
    ...bindings.rows.map((b): UnlinkedItem => ({
      source: 'binding', connection: b.connection, kind: b.kind, externalId: b.external_id, sku: b.sku, state: b.link_state,
      reason: b.link_reason ?? 'no reason recorded', orderId: null, since: new Date(b.updated_at).toISOString(),
    })),
    ...orders.rows.map((o): UnlinkedItem => ({
      source: 'order', connection: o.connection, kind: 'order', externalId: o.number ? `${o.external_id} (#${o.number})` : o.external_id, sku: null, state: 'needs_mapping',
      reason: o.lines ? `no catalogue variant for ${o.lines}; stock moves once the SKU exists or is linked` : 'waiting for a SKU mapping',
      orderId: o.id, since: new Date(o.updated_at).toISOString(),
    })),
  ];
}
