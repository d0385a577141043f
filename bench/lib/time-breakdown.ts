import type { Database } from '../../core/store/database.ts';

/**
 * Where the time went, from the hub's own activity record (the rows the console's timelines are built from):
 * per connection and capability, how many channel calls, how long they took and how busy they kept the
 * connection; and per connection, how long an inbound hint waited until its drain had processed it. These are
 * the queue metrics that say which stage bounds a scenario's latency.
 */
export interface TimeBreakdown {
  calls: Array<{ connection: string; capability: string; calls: number; medianMs: number; p99Ms: number; totalSeconds: number; busyShare: number }>;
  hintToProcessed: Array<{ connection: string; kind: string; hints: number; medianSeconds: number; p99Seconds: number }>;
}

export async function timeBreakdown(db: Pick<Database, 'query'>, from: Date, to: Date): Promise<TimeBreakdown> {
  const seconds = Math.max(0.001, (to.getTime() - from.getTime()) / 1000);
  const { rows: calls } = await db.query<{ connection: string; capability: string; calls: number; median: number; p99: number; total: number }>(
    `SELECT connection, substring(summary from '^[A-Za-z.]+') AS capability, count(*)::int AS calls,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS median,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99,
            sum(duration_ms) / 1000.0 AS total
       FROM activity WHERE step = 'call' AND at BETWEEN $1 AND $2
      GROUP BY 1, 2 ORDER BY total DESC`,
    [from, to],
  );
  const { rows: waits } = await db.query<{ connection: string; kind: string; hints: number; median: number; p99: number }>(
    `SELECT h.connection, h.entity_kind AS kind, count(*)::int AS hints,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM j.at - h.at)) AS median,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM j.at - h.at)) AS p99
       FROM activity h
       JOIN LATERAL (SELECT at FROM activity j WHERE j.step = 'job' AND j.connection = h.connection AND j.external_id = h.external_id AND j.at >= h.at ORDER BY j.at LIMIT 1) j ON true
      WHERE h.step = 'hint' AND h.at BETWEEN $1 AND $2
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [from, to],
  );
  const round = (n: number, d = 1) => Number(Number(n).toFixed(d));
  return {
    calls: calls.map((c) => ({ connection: c.connection, capability: c.capability, calls: c.calls, medianMs: round(c.median), p99Ms: round(c.p99), totalSeconds: round(c.total, 2), busyShare: round(c.total / seconds, 3) })),
    hintToProcessed: waits.map((w) => ({ connection: w.connection, kind: w.kind, hints: w.hints, medianSeconds: round(w.median, 3), p99Seconds: round(w.p99, 3) })),
  };
}
