import { z } from 'zod';
import type { Database } from '../store/database.ts';

export const timelineKind = z.enum(['sku', 'order', 'conversation']);
export type TimelineKind = z.infer<typeof timelineKind>;

export interface TimelineEvent {
  at: string;
  connection: string | null;
  /** hint → job → call → result, plus drift detected/resolved. */
  step: 'hint' | 'job' | 'call' | 'result' | 'drift';
  entityKind: string | null;
  outcome: string;
  summary: string;
  durationMs: number | null;
  skus: string[];
}

export interface Timeline {
  kind: TimelineKind;
  id: string;
  /** What the entity is, in words ("SKU KUB-001: Kubek", "order 1042 on shopify"); undefined when unknown. */
  title: string | undefined;
  found: boolean;
  events: TimelineEvent[];
  /** True when older events exist beyond the ones returned. */
  truncated: boolean;
}

/** Most events one timeline shows (the newest). */
export const TIMELINE_LIMIT = 300;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The channel-side names of an entity: (connection, entity kind, external id) as activity rows carry them. */
type Keys = { internalIds: string[]; skus: string[]; triples: Array<[string, string, string]> };

async function skuKeys(db: Database, sku: string): Promise<{ keys: Keys; title: string | undefined; found: boolean }> {
  const { rows: variants } = await db.query<{ id: string; product_id: string; title: string | null }>(
    `SELECT v.id, v.product_id, coalesce(p.title->>'en', (SELECT value FROM jsonb_each_text(p.title) LIMIT 1)) AS title
       FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = $1`,
    [sku],
  );
  const v = variants[0];
  const internalIds = v ? [v.id, v.product_id] : [];
  const { rows: bound } = await db.query<{ connection: string; kind: string; external_id: string; product_external_id: string | null }>(
    `SELECT connection, kind, external_id, product_external_id FROM bindings
      WHERE (kind = 'variant' AND (sku = $1 OR internal_id::text = $2)) OR (kind = 'product' AND internal_id::text = $3)`,
    [sku, v?.id ?? '', v?.product_id ?? ''],
  );
  const triples: Array<[string, string, string]> = [];
  for (const b of bound) {
    if (b.kind === 'variant') {
      triples.push([b.connection, 'variant', b.external_id], [b.connection, 'stock', b.external_id]);
      if (b.product_external_id) triples.push([b.connection, 'product', b.product_external_id]);
    } else triples.push([b.connection, 'product', b.external_id]);
  }
  const found = Boolean(v) || bound.length > 0;
  return { keys: { internalIds, skus: [sku], triples }, title: found ? `SKU ${sku}${v?.title ? `: ${v.title}` : ''}` : undefined, found };
}

async function orderKeys(db: Database, id: string): Promise<{ keys: Keys; title: string | undefined; found: boolean }> {
  if (!UUID.test(id)) return { keys: { internalIds: [], skus: [], triples: [] }, title: undefined, found: false };
  const { rows } = await db.query<{ connection: string; external_id: string; number: string | null; status: string; state: string }>(
    'SELECT connection, external_id, number, status, state FROM orders WHERE id = $1', [id],
  );
  const o = rows[0];
  if (!o) return { keys: { internalIds: [id], skus: [], triples: [] }, title: undefined, found: false };
  const { rows: recorded } = await db.query<{ connection: string; external_id: string }>("SELECT connection, external_id FROM bindings WHERE kind = 'order' AND internal_id = $1", [id]);
  return {
    keys: { internalIds: [id], skus: [], triples: [[o.connection, 'order', o.external_id], ...recorded.map((r): [string, string, string] => [r.connection, 'order', r.external_id])] },
    title: `order ${o.number ?? o.external_id} on ${o.connection} (${o.status}${o.state === 'needs_mapping' ? ', needs mapping' : ''})`,
    found: true,
  };
}

async function conversationKeys(db: Database, id: string): Promise<{ keys: Keys; title: string | undefined; found: boolean }> {
  if (!UUID.test(id)) return { keys: { internalIds: [], skus: [], triples: [] }, title: undefined, found: false };
  const { rows } = await db.query<{ connection: string; external_thread_id: string; subject: string | null }>(
    'SELECT connection, external_thread_id, subject FROM conversations WHERE id = $1', [id],
  );
  const c = rows[0];
  if (!c) return { keys: { internalIds: [id], skus: [], triples: [] }, title: undefined, found: false };
  const { rows: messages } = await db.query<{ external_id: string }>('SELECT external_id FROM messages WHERE conversation_id = $1 AND external_id IS NOT NULL', [id]);
  return {
    keys: {
      internalIds: [id],
      skus: [],
      triples: [[c.connection, 'conversation', c.external_thread_id], ...messages.map((m): [string, string, string] => [c.connection, 'delivery', m.external_id])],
    },
    title: `conversation ${c.subject ? `"${c.subject}" ` : ''}on ${c.connection} (thread ${c.external_thread_id})`,
    found: true,
  };
}

/**
 * Everything the hub recorded about one SKU, order or conversation, oldest first: hints received, jobs processed
 * (with the failure classification), connector calls and their per-item results, and (for SKUs) drift found and
 * resolved. Activity rows are matched by hub id, SKU, or the channel ids the bindings give the entity.
 */
export async function buildTimeline(db: Database, kind: TimelineKind, id: string, limit = TIMELINE_LIMIT): Promise<Timeline> {
  const { keys, title, found } = kind === 'sku' ? await skuKeys(db, id) : kind === 'order' ? await orderKeys(db, id) : await conversationKeys(db, id);
  const { rows } = await db.query<{ at: Date; connection: string | null; step: TimelineEvent['step']; entity_kind: string | null; outcome: string; summary: string; duration_ms: number | null; skus: string[] }>(
    `WITH keys AS (SELECT * FROM unnest($3::text[], $4::text[], $5::text[]) AS k(connection, entity_kind, external_id))
     SELECT at, connection, step, entity_kind, outcome, summary, duration_ms, skus FROM (
       -- Three indexed look-ups (hub id, SKU, channel id) rather than one OR that would scan the whole table.
       SELECT a.at, a.id, a.connection, a.step, a.entity_kind, a.outcome, a.summary, a.duration_ms, a.skus FROM activity a
        WHERE a.id IN (
          SELECT id FROM activity WHERE internal_id = ANY($1::text[])
          UNION SELECT id FROM activity WHERE skus && $2::text[]
          UNION SELECT x.id FROM activity x JOIN keys k ON k.connection = x.connection AND k.external_id = x.external_id AND k.entity_kind = x.entity_kind)
       UNION ALL
       SELECT d.detected_at, -d.id, d.connection, 'drift', d.kind, 'drift',
              'drift on ' || d.field || ': expected ' || coalesce(d.expected::text, 'null') || ', channel shows ' || coalesce(d.actual::text, 'null'), NULL, ARRAY[d.sku]
         FROM drift d WHERE $6::boolean AND d.sku = ANY($2::text[])
       UNION ALL
       SELECT d.resolved_at, -d.id, d.connection, 'drift', d.kind, d.resolution, 'drift on ' || d.field || ' resolved: ' || d.resolution, NULL, ARRAY[d.sku]
         FROM drift d WHERE $6::boolean AND d.sku = ANY($2::text[]) AND d.resolved_at IS NOT NULL
     ) e ORDER BY at DESC, id DESC LIMIT $7`,
    [keys.internalIds, keys.skus, keys.triples.map((t) => t[0]), keys.triples.map((t) => t[1]), keys.triples.map((t) => t[2]), kind === 'sku', limit + 1],
  );
  const truncated = rows.length > limit;
  const events = rows.slice(0, limit).reverse().map((r): TimelineEvent => ({
    at: new Date(r.at).toISOString(), connection: r.connection, step: r.step, entityKind: r.entity_kind, outcome: r.outcome, summary: r.summary,
    durationMs: r.duration_ms, skus: r.skus ?? [],
  }));
  return { kind, id, title, found: found || events.length > 0, events, truncated };
}
