import type { Database } from '../store/database.ts';
import type { RuntimeConnection } from './runtime.ts';

export interface DriftRow {
  id: number;
  connection: string;
  kind: string;
  sku: string | null;
  externalId: string | null;
  internalId: string | null;
  field: string;
  fieldGroup: string;
  expected: unknown;
  actual: unknown;
  /** The connection that owns the field group (whose value is the truth), or null when nobody owns it. */
  owner: string | null;
  /** What the hub does about it: the resolution once resolved, else the connection's onDrift policy. */
  action: 'overwrite' | 'report' | 'adopt' | 'overwritten' | 'adopted' | 'converged';
  open: boolean;
  detectedAt: string;
  resolvedAt: string | null;
}

/** Resolved drift stays in the report this long, so an operator sees what was healed recently. */
export const RESOLVED_DRIFT_HOURS = 24;

/**
 * The drift report: per SKU and field, what the channel should show (expected), what it shows (actual), who owns
 * the field, and the action taken (overwrite / report / adopt, or how it was resolved). Open rows first.
 */
export async function driftReport(
  db: Database,
  connections: RuntimeConnection[],
  filter: { connection?: string | undefined; sku?: string | undefined; includeResolved?: boolean } = {},
): Promise<DriftRow[]> {
  const params: unknown[] = [filter.includeResolved === false ? 0 : RESOLVED_DRIFT_HOURS];
  const where = ['(resolved_at IS NULL OR resolved_at > now() - make_interval(hours => $1))'];
  if (filter.connection) where.push(`connection = $${params.push(filter.connection)}`);
  if (filter.sku) where.push(`sku = $${params.push(filter.sku)}`);
  const { rows } = await db.query<{
    id: string; connection: string; kind: string; sku: string | null; external_id: string | null; internal_id: string | null; field: string;
    field_group: string; expected: unknown; actual: unknown; detected_at: Date; resolved_at: Date | null; resolution: string | null;
  }>(
    `SELECT id, connection, kind, sku, external_id, internal_id::text, field, field_group, expected, actual, detected_at, resolved_at, resolution
       FROM drift WHERE ${where.join(' AND ')}
      ORDER BY resolved_at IS NOT NULL, sku NULLS LAST, field, connection LIMIT 1000`,
    params,
  );
  const byName = new Map(connections.map((c) => [c.name, c]));
  return rows.map((r) => {
    const owner = connections.find((c) => c.owns.includes(r.field_group as never))?.name ?? null;
    const policy = byName.get(r.connection)?.onDrift ?? 'report';
    return {
      id: Number(r.id), connection: r.connection, kind: r.kind, sku: r.sku, externalId: r.external_id, internalId: r.internal_id, field: r.field,
      fieldGroup: r.field_group, expected: r.expected, actual: r.actual, owner,
      action: (r.resolution as DriftRow['action'] | null) ?? policy,
      open: r.resolved_at === null,
      detectedAt: new Date(r.detected_at).toISOString(),
      resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    };
  });
}
