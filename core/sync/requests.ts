import type { Database } from '../store/database.ts';

export type RequestLane = 'inbound' | 'outbound';

export interface WorkRequest {
  connection: string;
  lane: RequestLane;
  kind: string;
  id: string;
  payload?: unknown;
  /** Lower runs first: 1 for orders and stock, 5 for catalogue. */
  priority?: number;
}

export interface ClaimedRequest {
  kind: string;
  id: string;
  payload: unknown;
  /** Exactly as stored (microseconds), so "requested again since" is decided without rounding. */
  requestedAt: string;
  attempts: number;
}

/** A request for an entity already pending only refreshes it: one row per entity, however many hints. */
export const ON_REQUEST_CONFLICT = `ON CONFLICT (connection, lane, entity_kind, entity_id) DO UPDATE
       SET payload = EXCLUDED.payload, requested_at = clock_timestamp(), priority = LEAST(sync_requests.priority, EXCLUDED.priority)`;

/**
 * Records that an entity needs work. Idempotent: a second request for the same entity only refreshes its time
 * (and payload), so a burst of 1,000 hints for one SKU is one row, processed once.
 */
export async function requestWork(db: Pick<Database, "query">, requests: WorkRequest[]): Promise<void> {
  // One row per entity even within a batch (PostgreSQL refuses to update a row twice in one statement).
  const unique = [...new Map(requests.map((r) => [`${r.connection}\u0000${r.lane}\u0000${r.kind}\u0000${r.id}`, r])).values()];
  // One jsonb parameter however many rows (a statement takes at most 65,535 parameters: a catalogue of 25,000
  // products fanned out to five connections is 125,000 requests), in statements of a bounded size.
  for (let i = 0; i < unique.length; i += REQUESTS_PER_STATEMENT) {
    const rows = unique.slice(i, i + REQUESTS_PER_STATEMENT).map((r) => ({ connection: r.connection, lane: r.lane, kind: r.kind, id: r.id, payload: r.payload ?? {}, priority: r.priority ?? 5 }));
    await db.query(
      `INSERT INTO sync_requests (connection, lane, entity_kind, entity_id, payload, priority)
       SELECT connection, lane, kind, id, payload, priority FROM jsonb_to_recordset($1::jsonb) AS r(connection text, lane text, kind text, id text, payload jsonb, priority int)
       ${ON_REQUEST_CONFLICT}`,
      [JSON.stringify(rows)],
    );
  }
}

const REQUESTS_PER_STATEMENT = 10_000;

/** The oldest pending requests of one connection and lane, most urgent first. */
export async function pendingBatch(db: Database, connection: string, lane: RequestLane, limit: number, kinds?: string[]): Promise<ClaimedRequest[]> {
  const { rows } = await db.query<{ entity_kind: string; entity_id: string; payload: unknown; requested_at: string; attempts: number }>(
    `SELECT entity_kind, entity_id, payload, requested_at::text AS requested_at, attempts FROM sync_requests
      WHERE connection = $1 AND lane = $2 ${kinds ? 'AND entity_kind = ANY($4)' : ''}
      ORDER BY priority, requested_at LIMIT $3`,
    kinds ? [connection, lane, limit, kinds] : [connection, lane, limit],
  );
  return rows.map((r) => ({ kind: r.entity_kind, id: r.entity_id, payload: r.payload, requestedAt: r.requested_at, attempts: r.attempts }));
}

/**
 * Marks requests done — unless they were requested again while we worked (a newer requested_at), in which case
 * they stay for the next drain.
 */
export async function completeRequests(db: Database, connection: string, lane: RequestLane, done: ClaimedRequest[]): Promise<void> {
  if (done.length === 0) return;
  await db.query(
    `DELETE FROM sync_requests s USING unnest($3::text[], $4::text[], $5::timestamptz[]) AS d(kind, id, at)
      WHERE s.connection = $1 AND s.lane = $2 AND s.entity_kind = d.kind AND s.entity_id = d.id AND s.requested_at <= d.at`,
    [connection, lane, done.map((d) => d.kind), done.map((d) => d.id), done.map((d) => d.requestedAt)],
  );
}

/** Counts a failed attempt on a request (retried by the next drain) with its reason. */
export async function failRequest(db: Database, connection: string, lane: RequestLane, req: ClaimedRequest, error: string): Promise<void> {
  await db.query(
    `UPDATE sync_requests SET attempts = attempts + 1, last_error = $5 WHERE connection = $1 AND lane = $2 AND entity_kind = $3 AND entity_id = $4`,
    [connection, lane, req.kind, req.id, error.slice(0, 2000)],
  );
}

/** Connections and lanes with pending work, for the scheduler that makes sure a drain job exists for each. */
export async function lanesWithWork(db: Database): Promise<Array<{ connection: string; lane: RequestLane; oldest: Date }>> {
  const { rows } = await db.query<{ connection: string; lane: RequestLane; oldest: Date }>(
    'SELECT connection, lane, min(requested_at) AS oldest FROM sync_requests GROUP BY connection, lane',
  );
  return rows;
}
