import type { Hint } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';
import { activityInsertSql, activityJson, hintActivity } from './activity.ts';
import { ON_REQUEST_CONFLICT, type WorkRequest } from './requests.ts';

/**
 * How hints become inbound work requests, and a webhook delivery's whole intake as one statement.
 * The intake is on the hot path of every webhook: one round trip (no pool checkout held across BEGIN … COMMIT)
 * is what lets one process take hundreds of deliveries a second.
 */

// Messages before their delivery receipts (a receipt applied first would find no message), orders before catalogue.
const PRIORITY: Record<string, number> = { order: 1, conversation: 1, delivery: 2, stock: 2, variant: 4, product: 5 };

/** The entity key of a hint: bursts for the same entity coalesce into one request. */
export function hintKey(hint: Hint): string {
  switch (hint.kind) {
    case 'conversation':
      // Messages are delivered once and carry their content: never coalesce two different messages.
      return `${hint.externalThreadId}/${hint.snapshot?.messages.map((m) => m.externalId).join(',') ?? ''}`;
    case 'delivery':
      return `${hint.messageExternalId}/${hint.status}`;
    default:
      return hint.externalId;
  }
}

/** The inbound requests for some hints, one per entity (the last hint for an entity wins). */
export function hintRequests(connection: string, hints: Hint[]): WorkRequest[] {
  const byEntity = new Map(hints.map((h) => [`${h.kind}\u0000${hintKey(h)}`, h]));
  return [...byEntity.values()].map((h) => ({ connection, lane: 'inbound', kind: h.kind, id: hintKey(h), payload: h, priority: PRIORITY[h.kind] ?? 5 }));
}

/**
 * Records a verified delivery: its event id (when the channel sends one) for deduplication, its hints as inbound
 * requests and their activity rows — all or nothing, in one statement. Returns false for a delivery already
 * recorded (nothing is written then).
 */
export async function recordDelivery(db: Pick<Database, 'query'>, connection: string, eventId: string | undefined, hints: Hint[]): Promise<boolean> {
  const requests = hintRequests(connection, hints).map((r) => ({ kind: r.kind, id: r.id, payload: r.payload, priority: r.priority }));
  // Data-modifying steps of one statement all run; the later ones act only if the event id was new.
  const { rows } = await db.query<{ fresh: boolean }>(
    `WITH event AS (
       INSERT INTO inbound_events (connection, event_id) SELECT $1, $2::text WHERE $2::text IS NOT NULL
       ON CONFLICT DO NOTHING RETURNING 1
     ), fresh AS (SELECT ($2::text IS NULL OR EXISTS (SELECT 1 FROM event)) AS fresh),
     requests AS (
       INSERT INTO sync_requests (connection, lane, entity_kind, entity_id, payload, priority)
       SELECT $1, 'inbound', r.kind, r.id, r.payload, r.priority FROM jsonb_to_recordset($3::jsonb) AS r(kind text, id text, payload jsonb, priority int)
        WHERE (SELECT fresh FROM fresh)
       ${ON_REQUEST_CONFLICT}
     ), activity AS (
       ${activityInsertSql(4, '(SELECT fresh FROM fresh)')}
     )
     SELECT fresh FROM fresh`,
    [connection, eventId ?? null, JSON.stringify(requests), activityJson(hints.map((h) => hintActivity(connection, h)))],
  );
  return rows[0]?.fresh === true;
}
