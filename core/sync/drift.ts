import type { Database } from '../store/database.ts';

export interface DriftFinding {
  connection: string;
  kind: 'product' | 'variant';
  internalId: string;
  externalId: string;
  sku: string | null;
  field: string;
  fieldGroup: string;
  expected: unknown;
  actual: unknown;
}

/** Records (or refreshes) an open drift row: the channel shows something other than what it should. */
export async function recordDrift(db: Database, f: DriftFinding): Promise<{ since: Date }> {
  const { rows } = await db.query<{ detected_at: Date }>(
    `INSERT INTO drift (connection, kind, internal_id, external_id, sku, field, field_group, expected, actual)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)
     ON CONFLICT (connection, kind, coalesce(internal_id::text, external_id), field) WHERE resolved_at IS NULL
     DO UPDATE SET expected = EXCLUDED.expected, actual = EXCLUDED.actual
     RETURNING detected_at`,
    [f.connection, f.kind, f.internalId, f.externalId, f.sku, f.field, f.fieldGroup, JSON.stringify(f.expected ?? null), JSON.stringify(f.actual ?? null)],
  );
  return { since: rows[0]!.detected_at };
}

/** Closes open drift rows for a field once the channel shows what it should again. */
export async function resolveDrift(db: Database, connection: string, internalId: string, field: string, resolution: 'converged' | 'overwritten'): Promise<void> {
  await db.query(
    `UPDATE drift SET resolved_at = now(), resolution = $4 WHERE connection = $1 AND internal_id = $2 AND field = $3 AND resolved_at IS NULL`,
    [connection, internalId, field, resolution],
  );
}

/** `resolveDrift` for many (entity, field) pairs in one statement. */
export async function resolveDriftMany(db: Pick<Database, 'query'>, connection: string, items: Array<{ internalId: string; field: string }>, resolution: 'converged' | 'overwritten'): Promise<void> {
  if (items.length === 0) return;
  await db.query(
    `UPDATE drift d SET resolved_at = now(), resolution = $4
       FROM unnest($2::uuid[], $3::text[]) AS r(internal_id, field)
      WHERE d.connection = $1 AND d.internal_id = r.internal_id AND d.field = r.field AND d.resolved_at IS NULL`,
    [connection, items.map((x) => x.internalId), items.map((x) => x.field), resolution],
  );
}

export async function openDrift(db: Database, connection?: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await db.query(
    `SELECT connection, kind, sku, external_id, field, field_group, expected, actual, detected_at FROM drift
      WHERE resolved_at IS NULL ${connection ? 'AND connection = $1' : ''} ORDER BY connection, sku, field`,
    connection ? [connection] : [],
  );
  return rows;
}
