import type { Hint } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';
import { type ActivityEntry, activityInsertSql, activityJson, hintActivity } from './activity.ts';
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

/** A verified webhook delivery or a poll's report: what the hub must take in. */
export interface Delivery {
  connection: string;
  /** The channel's id of this delivery, when it sends one: a second delivery with the same id is a duplicate. */
  eventId: string | undefined;
  hints: Hint[];
}

/**
 * Records verified deliveries in one statement: each one's event id (when the channel sends one) for
 * deduplication, its hints as inbound requests and their activity rows. All or nothing. Returns, per delivery,
 * false for one already recorded (nothing of it is written) or repeated earlier in the same list.
 */
export async function recordDeliveries(db: Pick<Database, 'query'>, deliveries: Delivery[]): Promise<boolean[]> {
  const seen = new Set<string>();
  const input: Array<{ n: number; connection: string; event_id: string | null }> = [];
  const requests: unknown[] = [];
  const activity: ActivityEntry[] = [];
  const activityOwner: number[] = [];
  deliveries.forEach((d, n) => {
    if (d.eventId !== undefined) {
      const key = `${d.connection}\u0000${d.eventId}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    input.push({ n, connection: d.connection, event_id: d.eventId ?? null });
    for (const r of hintRequests(d.connection, d.hints)) requests.push({ n, connection: d.connection, kind: r.kind, id: r.id, payload: r.payload, priority: r.priority });
    for (const h of d.hints) {
      activity.push(hintActivity(d.connection, h));
      activityOwner.push(n);
    }
  });
  // Data-modifying steps of one statement all run; the later ones take only the deliveries whose event was new.
  // Several deliveries hinting at one entity leave one request (the latest hint's payload).
  const { rows } = await db.query<{ n: number }>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(n int, connection text, event_id text)
     ), event AS (
       INSERT INTO inbound_events (connection, event_id) SELECT connection, event_id FROM input WHERE event_id IS NOT NULL
       ON CONFLICT DO NOTHING RETURNING connection, event_id
     ), fresh AS (
       SELECT i.n FROM input i
        WHERE i.event_id IS NULL OR EXISTS (SELECT 1 FROM event e WHERE e.connection = i.connection AND e.event_id = i.event_id)
     ), requests AS (
       INSERT INTO sync_requests (connection, lane, entity_kind, entity_id, payload, priority)
       SELECT DISTINCT ON (r.connection, r.kind, r.id) r.connection, 'inbound', r.kind, r.id, r.payload, r.priority
         FROM jsonb_to_recordset($2::jsonb) AS r(n int, connection text, kind text, id text, payload jsonb, priority int)
        WHERE r.n IN (SELECT n FROM fresh)
        ORDER BY r.connection, r.kind, r.id, r.n DESC
       ${ON_REQUEST_CONFLICT}
     ), activity AS (
       ${activityInsertSql(3, 'r.n IN (SELECT n FROM fresh)', 'n int')}
     )
     SELECT n FROM fresh`,
    [JSON.stringify(input), JSON.stringify(requests), activityJson(activity, (i) => ({ n: activityOwner[i] }))],
  );
  const fresh = new Set(rows.map((r) => r.n));
  return deliveries.map((_, n) => fresh.has(n));
}

/** Records one delivery (see `recordDeliveries`). */
export async function recordDelivery(db: Pick<Database, 'query'>, connection: string, eventId: string | undefined, hints: Hint[]): Promise<boolean> {
  const [fresh] = await recordDeliveries(db, [{ connection, eventId, hints }]);
  return fresh === true;
}

/** Most deliveries one statement records. */
const MAX_BATCH = 200;

/**
 * Group commit for the intake: deliveries that arrive while a statement is running are recorded together by the
 * next one, so a burst of webhooks costs a few round trips instead of one each, and a quiet hub still records a
 * delivery at once. If a statement fails, its deliveries are tried one by one, so one unstorable delivery fails
 * alone (its channel retries it) and never takes the others with it.
 */
export class IntakeBatcher {
  private waiting: Array<{ delivery: Delivery; resolve(fresh: boolean): void; reject(err: unknown): void }> = [];
  private flushing = false;

  constructor(private readonly db: Pick<Database, 'query'>) {}

  submit(delivery: Delivery): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ delivery, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          const fresh = await recordDeliveries(this.db, batch.map((b) => b.delivery));
          batch.forEach((b, i) => b.resolve(fresh[i]!));
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          for (const b of batch) await recordDeliveries(this.db, [b.delivery]).then(([f]) => b.resolve(f!), (e: unknown) => b.reject(e));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
