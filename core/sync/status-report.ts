import type { Lane } from '../queue/lanes.ts';
import type { QueueSystem } from '../queue/queue-system.ts';
import type { Database } from '../store/database.ts';
import type { RuntimeConnection } from './runtime.ts';

export interface ConnectionStatus {
  connection: string;
  connector: string;
  /** ok | needs_reauth | paused | failing; ok when the hub has recorded nothing yet. */
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
  const [states, pending, dead, drift, unlinked] = await Promise.all([
    db.query<{ connection: string; status: string; status_reason: string | null; last_hint_at: Date | null }>('SELECT connection, status, status_reason, last_hint_at FROM connection_state'),
    db.query<{ connection: string; lane: 'inbound' | 'outbound'; n: number; retrying: number }>(
      'SELECT connection, lane, count(*)::int AS n, count(*) FILTER (WHERE attempts > 0)::int AS retrying FROM sync_requests GROUP BY connection, lane',
    ),
    countBy(db, "SELECT coalesce(data->>'connection', '') AS connection, count(*)::int AS n FROM dead_letters WHERE replayed_at IS NULL GROUP BY 1"),
    countBy(db, 'SELECT connection, count(*)::int AS n FROM drift WHERE resolved_at IS NULL GROUP BY connection'),
    countBy(db, "SELECT connection, count(*)::int AS n FROM bindings WHERE link_state <> 'linked' GROUP BY connection"),
  ]);
  const stateOf = new Map(states.rows.map((s) => [s.connection, s]));
  const report: ConnectionStatus[] = connections.map((c) => {
    const s = stateOf.get(c.name);
    const lanes = pending.rows.filter((p) => p.connection === c.name);
    return {
      connection: c.name,
      connector: `${c.def.name}@${c.def.version}`,
      health: s?.status ?? 'ok',
      reason: s?.status_reason ?? null,
      lastHintAt: s?.last_hint_at ? new Date(s.last_hint_at).toISOString() : null,
      pending: {
        inbound: lanes.find((l) => l.lane === 'inbound')?.n ?? 0,
        outbound: lanes.find((l) => l.lane === 'outbound')?.n ?? 0,
      },
      retrying: lanes.reduce((sum, l) => sum + l.retrying, 0),
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
