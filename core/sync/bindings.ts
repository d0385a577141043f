import type { Database } from '../store/database.ts';

export type LinkState = 'linked' | 'unlinked' | 'ambiguous';

/** What the hub last pushed to or saw on the channel for one field group: a hash to diff, the value for CAS. */
export interface GroupRecord {
  hash: string;
  value?: unknown;
  at?: string;
}

export interface Binding {
  id: number;
  connection: string;
  kind: string;
  externalId: string;
  internalId: string | null;
  linkState: LinkState;
  linkReason: string | null;
  origin: string;
  sku: string | null;
  productExternalId: string | null;
  pushed: Record<string, GroupRecord>;
  seen: Record<string, GroupRecord>;
  parkedReason: string | null;
}

type Row = {
  id: string; connection: string; kind: string; external_id: string; internal_id: string | null; link_state: LinkState;
  link_reason: string | null; origin: string; sku: string | null; product_external_id: string | null;
  pushed: Record<string, GroupRecord>; seen: Record<string, GroupRecord>; parked_reason: string | null;
};

const toBinding = (r: Row): Binding => ({
  id: Number(r.id), connection: r.connection, kind: r.kind, externalId: r.external_id, internalId: r.internal_id,
  linkState: r.link_state, linkReason: r.link_reason, origin: r.origin, sku: r.sku, productExternalId: r.product_external_id,
  pushed: r.pushed ?? {}, seen: r.seen ?? {}, parkedReason: r.parked_reason,
});

function mergeById(entries: Array<{ id: number; groups: Record<string, GroupRecord> }>): Array<{ id: number; groups: Record<string, GroupRecord> }> {
  const byId = new Map<number, Record<string, GroupRecord>>();
  for (const e of entries) byId.set(e.id, { ...byId.get(e.id), ...e.groups });
  return [...byId].map(([id, groups]) => ({ id, groups }));
}

/**
 * The bindings table: `(connection, kind, external id) ↔ internal id`, with link state and what was last pushed
 * and seen. Items that cannot be linked are stored as unlinked/ambiguous with the reason — listed, never skipped.
 */
export class Bindings {
  constructor(private readonly db: Database) {}

  async byExternal(connection: string, kind: string, externalId: string): Promise<Binding | undefined> {
    const { rows } = await this.db.query<Row>('SELECT * FROM bindings WHERE connection = $1 AND kind = $2 AND external_id = $3', [connection, kind, externalId]);
    return rows[0] && toBinding(rows[0]);
  }

  /** Variant bindings by external id, each with its canonical variant's product (null when that variant is gone). */
  async variantsByExternal(connection: string, externalIds: string[]): Promise<Map<string, { binding: Binding; productId: string | null }>> {
    if (externalIds.length === 0) return new Map();
    const { rows } = await this.db.query<Row & { variant_product_id: string | null }>(
      `SELECT b.*, v.product_id AS variant_product_id FROM bindings b LEFT JOIN variants v ON v.id = b.internal_id
        WHERE b.connection = $1 AND b.kind = 'variant' AND b.external_id = ANY($2::text[])`,
      [connection, externalIds],
    );
    return new Map(rows.map((r) => [r.external_id, { binding: toBinding(r), productId: r.variant_product_id }]));
  }

  async byInternal(connection: string, kind: string, internalIds: string[]): Promise<Map<string, Binding>> {
    if (internalIds.length === 0) return new Map();
    const { rows } = await this.db.query<Row>(
      "SELECT * FROM bindings WHERE connection = $1 AND kind = $2 AND internal_id = ANY($3::uuid[]) AND link_state = 'linked'",
      [connection, kind, internalIds],
    );
    return new Map(rows.map((r) => [r.internal_id!, toBinding(r)]));
  }

  async all(connection: string, kind: string): Promise<Binding[]> {
    const { rows } = await this.db.query<Row>('SELECT * FROM bindings WHERE connection = $1 AND kind = $2 ORDER BY id', [connection, kind]);
    return rows.map(toBinding);
  }

  /** Links (or records as unlinked/ambiguous, with the reason) a channel entity. */
  async upsert(b: {
    connection: string; kind: string; externalId: string; internalId: string | null; linkState: LinkState;
    linkReason?: string | null; origin: string; sku?: string | null; productExternalId?: string | null;
  }): Promise<Binding> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO bindings (connection, kind, external_id, internal_id, link_state, link_reason, origin, sku, product_external_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (connection, kind, external_id) DO UPDATE SET
         internal_id = EXCLUDED.internal_id, link_state = EXCLUDED.link_state, link_reason = EXCLUDED.link_reason,
         origin = CASE WHEN bindings.link_state = 'linked' AND EXCLUDED.link_state = 'linked' THEN bindings.origin ELSE EXCLUDED.origin END,
         sku = EXCLUDED.sku, product_external_id = COALESCE(EXCLUDED.product_external_id, bindings.product_external_id), updated_at = now()
       RETURNING *`,
      [b.connection, b.kind, b.externalId, b.internalId, b.linkState, b.linkReason ?? null, b.origin, b.sku ?? null, b.productExternalId ?? null],
    );
    return toBinding(rows[0]!);
  }

  /** Records what was written for some field groups. */
  async markPushed(id: number, groups: Record<string, GroupRecord>): Promise<void> {
    await this.db.query(
      'UPDATE bindings SET pushed = pushed || $2::jsonb, last_pushed_at = now(), parked_reason = NULL, updated_at = now() WHERE id = $1',
      [id, JSON.stringify(groups)],
    );
  }

  async markSeen(id: number, groups: Record<string, GroupRecord>): Promise<void> {
    await this.db.query('UPDATE bindings SET seen = seen || $2::jsonb, last_seen_at = now() WHERE id = $1', [id, JSON.stringify(groups)]);
  }

  /**
   * `markPushed` for many bindings in one statement, with the same `||` merge. Entries for one binding are merged
   * in order first: an UPDATE … FROM applies only one matching row per target row.
   */
  async markPushedMany(entries: Array<{ id: number; groups: Record<string, GroupRecord> }>, db: Pick<Database, 'query'> = this.db): Promise<void> {
    if (entries.length === 0) return;
    await db.query(
      `UPDATE bindings b SET pushed = b.pushed || e.groups, last_pushed_at = now(), parked_reason = NULL, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS e(id bigint, groups jsonb) WHERE b.id = e.id`,
      [JSON.stringify(mergeById(entries))],
    );
  }

  /** `markSeen` for many bindings in one statement (same merge as `markPushedMany`). */
  async markSeenMany(entries: Array<{ id: number; groups: Record<string, GroupRecord> }>): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `UPDATE bindings b SET seen = b.seen || e.groups, last_seen_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS e(id bigint, groups jsonb) WHERE b.id = e.id`,
      [JSON.stringify(mergeById(entries))],
    );
  }

  /**
   * `upsert` of many bindings in one statement; returns them in the order given. All or nothing: a constraint
   * violation (or the same external id twice) fails the whole statement, so a caller that must know which item
   * violated falls back to `upsert` one by one.
   */
  async upsertMany(items: Array<Parameters<Bindings['upsert']>[0]>, db: Pick<Database, 'query'> = this.db): Promise<Binding[]> {
    if (items.length === 0) return [];
    const { rows } = await db.query<Row>(
      `INSERT INTO bindings (connection, kind, external_id, internal_id, link_state, link_reason, origin, sku, product_external_id)
       SELECT connection, kind, external_id, internal_id, link_state, link_reason, origin, sku, product_external_id
         FROM jsonb_to_recordset($1::jsonb) AS e(n int, connection text, kind text, external_id text, internal_id uuid, link_state text,
              link_reason text, origin text, sku text, product_external_id text)
        ORDER BY n
       ON CONFLICT (connection, kind, external_id) DO UPDATE SET
         internal_id = EXCLUDED.internal_id, link_state = EXCLUDED.link_state, link_reason = EXCLUDED.link_reason,
         origin = CASE WHEN bindings.link_state = 'linked' AND EXCLUDED.link_state = 'linked' THEN bindings.origin ELSE EXCLUDED.origin END,
         sku = EXCLUDED.sku, product_external_id = COALESCE(EXCLUDED.product_external_id, bindings.product_external_id), updated_at = now()
       RETURNING *`,
      [JSON.stringify(items.map((b, n) => ({
        n, connection: b.connection, kind: b.kind, external_id: b.externalId, internal_id: b.internalId, link_state: b.linkState,
        link_reason: b.linkReason ?? null, origin: b.origin, sku: b.sku ?? null, product_external_id: b.productExternalId ?? null,
      })))],
    );
    const byKey = new Map(rows.map((r) => [`${r.connection}\u0000${r.kind}\u0000${r.external_id}`, toBinding(r)]));
    return items.map((b) => byKey.get(`${b.connection}\u0000${b.kind}\u0000${b.externalId}`)!);
  }

  async park(id: number, reason: string): Promise<void> {
    await this.db.query('UPDATE bindings SET parked_reason = $2, updated_at = now() WHERE id = $1', [id, reason.slice(0, 2000)]);
  }

  async unlinked(connection?: string): Promise<Binding[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM bindings WHERE link_state <> 'linked' ${connection ? 'AND connection = $1' : ''} ORDER BY connection, kind, external_id`,
      connection ? [connection] : [],
    );
    return rows.map(toBinding);
  }
}
