import type { Lane } from '../queue/lanes.ts';
import type { QueueSystem } from '../queue/queue-system.ts';
import type { Database } from '../store/database.ts';
import type { RuntimeConnection } from './runtime.ts';

export interface ConnectionStatus {
  connection: string;
  connector: string;
  /** See {@link connectionHealth}: ok | degraded | needs_reauth | paused; ok when the hub has recorded nothing yet. */
  health: string;
  reason: string | null;
  lastHintAt: string | null;
  /** Pending sync_requests per lane, and how many of them already failed at least once. */
  pending: { inbound: number; outbound: number };
  retrying: number;
  deadLetters: number;
  drift: number;
  unlinked: number;
  owns: string[];
  receives: string[];
}

export interface StatusReport {
  queue: { backend: string; lanes: Record<Lane, Record<string, number>> | undefined; error?: string };
  connections: ConnectionStatus[];
  /** Open dead letters that name no configured connection (hub jobs, or connections since removed). */
  otherDeadLetters: number;
}

type CountRow = { connection: string; n: number };

/** A connection with retryable failures this recent is `degraded` (rate-limited, timing out, 5xx), even if they healed. */
export const DEGRADED_WINDOW_MINUTES = 5;

/**
 * The one definition of a connection's health, shared by `omnihub status` and the console:
 * - `needs_reauth` / `paused`: as recorded by the engine (its work waits for an operator);
 * - `degraded`: work is being retried now, or retryable failures (429, 5xx, timeouts) happened in the last
 *   DEGRADED_WINDOW_MINUTES, or the engine marked it `failing`: it works, slowly or partly;
 * - `ok` otherwise.
 */
export function connectionHealth(input: {
  status: string | undefined; reason: string | null | undefined; retrying: number; lastRetryError: string | null | undefined;
  recentFailures: number; lastFailure: string | null | undefined;
}): { health: string; reason: string | null } {
  if (input.status === 'needs_reauth' || input.status === 'paused') return { health: input.status, reason: input.reason ?? null };
  if (input.retrying > 0) return { health: 'degraded', reason: `${input.retrying} request${input.retrying === 1 ? '' : 's'} being retried${input.lastRetryError ? `; last error: ${input.lastRetryError}` : ''}` };
  if (input.recentFailures > 0) return { health: 'degraded', reason: `retryable failures in the last ${DEGRADED_WINDOW_MINUTES} min (rate limits, timeouts or 5xx)${input.lastFailure ? `; latest: ${input.lastFailure}` : ''}` };
  if (input.status === 'failing') return { health: 'degraded', reason: input.reason ?? 'marked failing by the engine' };
  return { health: 'ok', reason: null };
}

async function countBy(db: Database, sql: string): Promise<Map<string, number>> {
  const { rows } = await db.query<CountRow>(sql);
  return new Map(rows.map((r) => [r.connection, r.n]));
}

/**
 * Per connection: connector, health, last hint, pending work per lane, dead letters, drift, unlinked items and
 * owned field groups; plus the queue's depth per lane. A queue that cannot be reached is reported, not fatal:
 * the database half of the report is what an operator needs most when things are broken.
 */
export async function statusReport(db: Database, connections: RuntimeConnection[], queues: QueueSystem | undefined): Promise<StatusReport> {
  const [states, pending, dead, drift, unlinked, failures] = await Promise.all([
    db.query<{ connection: string; status: string; status_reason: string | null; last_hint_at: Date | null }>('SELECT connection, status, status_reason, last_hint_at FROM connection_state'),
    db.query<{ connection: string; lane: 'inbound' | 'outbound'; n: number; retrying: number; last_error: string | null }>(
      `SELECT connection, lane, count(*)::int AS n, count(*) FILTER (WHERE attempts > 0)::int AS retrying,
              (array_agg(last_error ORDER BY requested_at DESC) FILTER (WHERE attempts > 0 AND last_error IS NOT NULL))[1] AS last_error
         FROM sync_requests GROUP BY connection, lane`,
    ),
    countBy(db, "SELECT coalesce(data->>'connection', '') AS connection, count(*)::int AS n FROM dead_letters WHERE replayed_at IS NULL GROUP BY 1"),
    countBy(db, 'SELECT connection, count(*)::int AS n FROM drift WHERE resolved_at IS NULL GROUP BY connection'),
    countBy(db, "SELECT connection, count(*)::int AS n FROM bindings WHERE link_state <> 'linked' GROUP BY connection"),
    db.query<{ connection: string; n: number; last: string | null }>(
      `SELECT connection, count(*)::int AS n, (array_agg(summary ORDER BY at DESC))[1] AS last FROM activity
        WHERE outcome = 'retryable' AND step IN ('job', 'call') AND at > now() - make_interval(mins => $1) GROUP BY connection`,
      [DEGRADED_WINDOW_MINUTES],
    ),
  ]);
  const failuresOf = new Map(failures.rows.map((f) => [f.connection, f]));
  const stateOf = new Map(states.rows.map((s) => [s.connection, s]));
  const report: ConnectionStatus[] = connections.map((c) => {
    const s = stateOf.get(c.name);
    const lanes = pending.rows.filter((p) => p.connection === c.name);
    const retrying = lanes.reduce((sum, l) => sum + l.retrying, 0);
    const recent = failuresOf.get(c.name);
    const { health, reason } = connectionHealth({
      status: s?.status, reason: s?.status_reason, retrying, lastRetryError: lanes.find((l) => l.last_error)?.last_error, recentFailures: recent?.n ?? 0, lastFailure: recent?.last,
    });
    return {
      connection: c.name,
      connector: `${c.def.name}@${c.def.version}`,
      health,
      reason,
      lastHintAt: s?.last_hint_at ? new Date(s.last_hint_at).toISOString() : null,
      pending: {
        inbound: lanes.find((l) => l.lane === 'inbound')?.n ?? 0,
        outbound: lanes.find((l) => l.lane === 'outbound')?.n ?? 0,
      },
      retrying,
      deadLetters: dead.get(c.name) ?? 0,
      drift: drift.get(c.name) ?? 0,
      unlinked: unlinked.get(c.name) ?? 0,
      owns: [...c.owns],
      receives: [...c.policy.receives],
    };
  });
  const named = new Set(connections.map((c) => c.name));
  const otherDeadLetters = [...dead.entries()].filter(([name]) => !named.has(name)).reduce((sum, [, n]) => sum + n, 0);

  let queue: StatusReport['queue'] = { backend: 'none', lanes: undefined };
  if (queues) {
    try {
      await queues.ping();
      queue = { backend: queues.backend.kind, lanes: await queues.counts() };
    } catch (err) {
      queue = { backend: queues.backend.kind, lanes: undefined, error: (err as Error).message };
    }
  }
  return { queue, connections: report, otherDeadLetters };
}
