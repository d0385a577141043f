import type { Database } from '../core/store/database.ts';
import { ACTIVITY_RETENTION_DAYS } from '../core/sync/activity.ts';

/** Webhook dedup rows older than this are pruned: channels stop redelivering long before (Shopify: 48 h). */
export const INBOUND_EVENT_RETENTION_DAYS = 30;

/**
 * Hourly housekeeping in the sweeps lane: prunes the inbound-event dedup table so it does not grow without bound.
 * Returns what it removed, which ends up in the job's result for operators.
 */
export async function pruneInboundEvents(db: Database, retentionDays = INBOUND_EVENT_RETENTION_DAYS): Promise<{ pruned: number }> {
  const res = await db.query(`DELETE FROM inbound_events WHERE received_at < now() - make_interval(days => $1)`, [retentionDays]);
  return { pruned: res.rowCount ?? 0 };
}

/** Prunes the activity record behind the console's timelines, so it stays bounded however busy the hub is. */
/** Receipts that never met their message (sent outside the hub) are dropped after a day. */
export async function pruneEarlyReceipts(db: Database): Promise<{ pruned: number }> {
  const res = await db.query("DELETE FROM early_receipts WHERE received_at < now() - interval '1 day'");
  return { pruned: res.rowCount ?? 0 };
}

export async function pruneActivity(db: Database, retentionDays = ACTIVITY_RETENTION_DAYS): Promise<{ pruned: number }> {
  const res = await db.query('DELETE FROM activity WHERE at < now() - make_interval(days => $1)', [retentionDays]);
  return { pruned: res.rowCount ?? 0 };
}
