import type { ItemResult } from '../sdk/capabilities.ts';
import type { ConnectorError } from '../sdk/errors.ts';
import type { Hint } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';
import type { ClaimedRequest, RequestLane } from './requests.ts';

/**
 * The hub's activity record, read by the console's per-entity timeline (hint → job → API call → result). Each
 * row names the entity as it was known at that moment (channel id, hub id, SKUs); the timeline joins them
 * through bindings when read, so recording never needs an extra look-up. Retention is bounded by pruneActivity.
 */

export type ActivityStep = 'hint' | 'job' | 'call' | 'result';

export interface ActivityEntry {
  connection: string | null;
  step: ActivityStep;
  entityKind?: string | undefined;
  externalId?: string | undefined;
  internalId?: string | undefined;
  skus?: string[] | undefined;
  outcome: string;
  summary: string;
  durationMs?: number | undefined;
  details?: Record<string, unknown> | undefined;
}

/** Rows older than this are deleted by the hourly maintenance job. */
export const ACTIVITY_RETENTION_DAYS = 14;

/** Longest summary kept: channel error bodies can be large, the timeline needs the gist. */
const SUMMARY_MAX = 500;

/** Activity entries as the JSON document `ACTIVITY_FROM_JSON` reads (one parameter, any number of rows). */
export function activityJson(entries: ActivityEntry[], extra: (index: number) => Record<string, unknown> = () => ({})): string {
  return JSON.stringify(
    entries.map((e, i) => ({
      ...extra(i),
      connection: e.connection,
      step: e.step,
      entity_kind: e.entityKind ?? null,
      external_id: e.externalId ?? null,
      internal_id: e.internalId ?? null,
      skus: e.skus ?? [],
      outcome: e.outcome,
      summary: e.summary.length > SUMMARY_MAX ? `${e.summary.slice(0, SUMMARY_MAX - 1)}…` : e.summary,
      duration_ms: e.durationMs === undefined ? null : Math.round(e.durationMs),
      details: e.details ?? {},
    })),
  );
}

/**
 * `INSERT … SELECT` of the rows in a jsonb parameter `$n`; usable alone or as a step of a larger statement, whose
 * `condition` may use `extraColumns` carried in the rows (e.g. which delivery a row belongs to).
 */
export function activityInsertSql(param: number, condition = 'true', extraColumns = ''): string {
  return `INSERT INTO activity (connection, step, entity_kind, external_id, internal_id, skus, outcome, summary, duration_ms, details)
     SELECT connection, step, entity_kind, external_id, internal_id, coalesce(skus, '{}'), outcome, summary, duration_ms, coalesce(details, '{}')
       FROM jsonb_to_recordset($${param}::jsonb) AS r(connection text, step text, entity_kind text, external_id text, internal_id text,
                                               skus text[], outcome text, summary text, duration_ms integer, details jsonb${extraColumns ? `, ${extraColumns}` : ''})
      WHERE ${condition}`;
}

/** Records entries in one statement (a batch write's per-item results are one insert). */
export async function recordActivity(db: Pick<Database, 'query'>, entries: ActivityEntry | ActivityEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await db.query(activityInsertSql(1), [activityJson(list)]);
}

/** The channel entity a hint is about: kind and the channel's id. */
export function hintEntity(hint: Hint): { entityKind: string; externalId: string } {
  switch (hint.kind) {
    case 'conversation':
      return { entityKind: 'conversation', externalId: hint.externalThreadId };
    case 'delivery':
      return { entityKind: 'delivery', externalId: hint.messageExternalId };
    default:
      return { entityKind: hint.kind, externalId: hint.externalId };
  }
}

export function hintActivity(connection: string, hint: Hint): ActivityEntry {
  const e = hintEntity(hint);
  const product = 'productExternalId' in hint && hint.productExternalId ? hint.productExternalId : undefined;
  const what = hint.kind === 'delivery' ? `delivery ${hint.status} of message ${hint.messageExternalId}` : `${e.entityKind} ${e.externalId}`;
  return {
    connection,
    step: 'hint',
    ...e,
    outcome: 'ok',
    summary: `hint: ${what} may have changed${product ? ` (product ${product})` : ''}`,
    ...(product ? { details: { productExternalId: product } } : {}),
  };
}

/**
 * One processed sync request and what became of it. A failure is recorded with its classification and what the
 * engine does about it, so the timeline says "retried", "dead-lettered" or "paused", not only "failed".
 */
export function requestActivity(connection: string, lane: RequestLane, req: ClaimedRequest, error: ConnectorError | undefined, maxAttempts: number): ActivityEntry {
  const entity =
    lane === 'inbound' && req.payload && typeof req.payload === 'object' && 'kind' in req.payload
      ? hintEntity(req.payload as Hint)
      : lane === 'inbound'
        ? { entityKind: req.kind, externalId: req.id }
        : { entityKind: req.kind, internalId: req.id };
  const attempt = req.attempts + 1;
  let outcome = 'ok';
  let summary = `${lane} job: ${req.kind} ${req.id} processed${attempt > 1 ? ` (attempt ${attempt})` : ''}`;
  if (error) {
    outcome = error.kind;
    const then =
      error.kind === 'auth'
        ? 'connection paused as needs_reauth'
        : error.kind === 'business' || attempt >= maxAttempts
          ? 'moved to dead letters'
          : `will be retried (attempt ${attempt} of ${maxAttempts})`;
    summary = `${lane} job: ${req.kind} ${req.id} failed (${error.kind}): ${error.message} → ${then}`;
  }
  return { connection, step: 'job', ...entity, outcome, summary, details: { lane, attempt } };
}

export interface CallItem {
  sku?: string | undefined;
  skus?: string[] | undefined;
  externalId?: string | undefined;
  internalId?: string | undefined;
}

const isItemResults = (value: unknown): value is ItemResult[] =>
  Array.isArray(value) && value.every((r) => r !== null && typeof r === 'object' && typeof (r as { ok?: unknown }).ok === 'boolean');

/**
 * Runs one connector capability call and records it: the call (items, outcome, duration) and, for batch writes,
 * each item's result. A thrown error is recorded with its classification and thrown on unchanged.
 */
export async function recordCall<T>(
  db: Pick<Database, 'query'>,
  conn: { name: string; classify(err: unknown): ConnectorError },
  capability: string,
  entityKind: string,
  items: CallItem[],
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const skus = [...new Set(items.flatMap((i) => [...(i.skus ?? []), ...(i.sku ? [i.sku] : [])]))];
  const single = items.length === 1 ? items[0]! : undefined;
  const base = {
    connection: conn.name,
    step: 'call' as const,
    entityKind,
    externalId: single?.externalId,
    internalId: single?.internalId,
  };
  let result: T;
  try {
    result = await run();
  } catch (err) {
    const e = conn.classify(err);
    await recordActivity(db, { ...base, skus, outcome: e.kind, durationMs: performance.now() - started, summary: `${capability} (${items.length} item${items.length === 1 ? '' : 's'}) failed (${e.kind}): ${e.message}` });
    throw err;
  }
  const durationMs = performance.now() - started;
  if (isItemResults(result)) {
    const failed = result.filter((r) => !r.ok).length;
    const entries: ActivityEntry[] = [
      { ...base, skus, outcome: failed === 0 ? 'ok' : failed === result.length ? 'failed' : 'partial', durationMs, summary: `${capability}: ${items.length} item${items.length === 1 ? '' : 's'}, ${result.length - failed} ok${failed ? `, ${failed} refused` : ''}` },
    ];
    for (const [i, r] of result.entries()) {
      const item = items[i];
      if (!item) continue;
      const label = item.sku ?? item.skus?.join(', ') ?? item.externalId ?? item.internalId ?? `item ${i + 1}`;
      entries.push({
        connection: conn.name,
        step: 'result',
        entityKind,
        externalId: r.ok ? r.externalId : item.externalId,
        internalId: item.internalId,
        skus: item.skus ?? (item.sku ? [item.sku] : []),
        outcome: r.ok ? 'ok' : r.kind,
        summary: r.ok ? `${capability} ${label}: ok (channel id ${r.externalId})` : `${capability} ${label}: ${r.kind}: ${r.message}`,
      });
    }
    await recordActivity(db, entries);
  } else {
    // Reads answer with a snapshot (its SKUs make the call findable from each SKU's timeline) or nothing.
    const found = result !== null && result !== undefined;
    const variants = found && typeof result === 'object' ? (result as { variants?: unknown }).variants : undefined;
    const seen = Array.isArray(variants) ? variants.flatMap((v) => (typeof (v as { sku?: unknown })?.sku === 'string' ? [(v as { sku: string }).sku] : [])) : [];
    const isRead = capability.includes('.read');
    const label = single?.externalId ?? single?.internalId ?? `${items.length} items`;
    const said = isRead ? (found ? 'found' : 'not found on the channel') : 'ok';
    await recordActivity(db, { ...base, skus: [...new Set([...skus, ...seen])], outcome: found || !isRead ? 'ok' : 'not_found', durationMs, summary: `${capability} ${label}: ${said}` });
  }
  return result;
}
