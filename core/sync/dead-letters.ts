import { z } from 'zod';
import { LANES, type Lane } from '../queue/lanes.ts';
import type { QueueSystem } from '../queue/queue-system.ts';
import { transaction, type Database } from '../store/database.ts';
import { type RequestLane, requestWork } from './requests.ts';

export interface DeadLetter {
  id: number;
  queue: string;
  jobName: string;
  jobId: string | null;
  data: unknown;
  error: string;
  attempts: number;
  failedAt: string;
  replayedAt: string | null;
  replayJobId: string | null;
}

type Row = {
  id: string; queue: string; job_name: string; job_id: string | null; data: unknown; error: string; attempts: number;
  failed_at: Date; replayed_at: Date | null; replay_job_id: string | null;
};

const toDeadLetter = (r: Row): DeadLetter => ({
  id: Number(r.id), queue: r.queue, jobName: r.job_name, jobId: r.job_id, data: r.data, error: r.error, attempts: r.attempts,
  failedAt: new Date(r.failed_at).toISOString(), replayedAt: r.replayed_at ? new Date(r.replayed_at).toISOString() : null, replayJobId: r.replay_job_id,
});

/** The engine's own dead letters (job_name `request:<kind>`): one sync request that failed for good. */
const engineRequest = z.object({
  connection: z.string().min(1),
  lane: z.enum(['inbound', 'outbound']),
  kind: z.string().min(1),
  id: z.string().min(1),
  payload: z.unknown().optional(),
});

/** Dead letters, oldest first; replayed ones only when asked. */
export async function listDeadLetters(db: Database, options: { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> {
  const { rows } = await db.query<Row>(`SELECT * FROM dead_letters ${options.includeReplayed ? '' : 'WHERE replayed_at IS NULL'} ORDER BY failed_at, id`);
  return rows.map(toDeadLetter);
}

/** A replay that must not happen (already replayed, unknown id, unreadable row): the message says why. */
export class ReplayRefused extends Error {}

export interface ReplayDeps {
  db: Database;
  queues: QueueSystem;
  /** Makes sure a drain job exists for the connection's lane (Engine.kick), so a running worker picks it up at once. */
  kick(connection: string, lane: RequestLane): Promise<void>;
}

export interface Replayed {
  id: number;
  via: 'request' | 'job';
  replayJobId: string;
  connection?: string;
}

/**
 * Replays one dead letter, once. The row is claimed first (`replayed_at` set in a transaction that commits only
 * once the work is re-enqueued), so two operators replaying the same row cannot both succeed.
 * - Engine requests (`request:<kind>`) become a sync_request again, drained like any other.
 * - Plain BullMQ jobs are added again to their lane with their data, under a job id derived from the row, so
 *   even a crash between enqueue and commit cannot add the same replay twice.
 */
export async function replayDeadLetter(deps: ReplayDeps, id: number): Promise<Replayed> {
  const { result, kick } = await transaction(deps.db, async (client) => {
    const { rows } = await client.query<Row>('SELECT * FROM dead_letters WHERE id = $1 FOR UPDATE', [id]);
    const row = rows[0];
    if (!row) throw new ReplayRefused(`dead letter ${id} does not exist`);
    if (row.replayed_at) {
      throw new ReplayRefused(`dead letter ${id} was already replayed at ${new Date(row.replayed_at).toISOString()} (as ${row.replay_job_id ?? 'unknown'}); it is not replayed twice`);
    }
    let replayed: Replayed;
    let kick: { connection: string; lane: RequestLane } | undefined;
    if (row.job_name.startsWith('request:')) {
      const parsed = engineRequest.safeParse(row.data);
      if (!parsed.success) throw new ReplayRefused(`dead letter ${id} (${row.job_name}) has unreadable data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const r = parsed.data;
      await requestWork(client, [{ connection: r.connection, lane: r.lane, kind: r.kind, id: r.id, payload: r.payload ?? {}, priority: 1 }]);
      replayed = { id, via: 'request', replayJobId: `request/${r.connection}/${r.lane}/${r.kind}/${r.id}`, connection: r.connection };
      kick = { connection: r.connection, lane: r.lane };
    } else {
      if (!(LANES as readonly string[]).includes(row.queue)) throw new ReplayRefused(`dead letter ${id} names queue "${row.queue}", which is not a lane (${LANES.join(', ')})`);
      const job = await deps.queues.add(row.queue as Lane, row.job_name, row.data, { jobId: `replay/${id}` });
      const connection = (row.data as { connection?: unknown } | null)?.connection;
      replayed = { id, via: 'job', replayJobId: `${row.queue}/${job.id}`, ...(typeof connection === 'string' ? { connection } : {}) };
    }
    await client.query('UPDATE dead_letters SET replayed_at = now(), replay_job_id = $2 WHERE id = $1', [id, replayed.replayJobId]);
    return { result: replayed, kick };
  });
  if (kick) await deps.kick(kick.connection, kick.lane);
  return result;
}

/** Replays every open dead letter; one refusal does not stop the others. */
export async function replayAll(deps: ReplayDeps): Promise<{ replayed: Replayed[]; refused: Array<{ id: number; reason: string }> }> {
  const replayed: Replayed[] = [];
  const refused: Array<{ id: number; reason: string }> = [];
  for (const d of await listDeadLetters(deps.db)) {
    try {
      replayed.push(await replayDeadLetter(deps, d.id));
    } catch (err) {
      if (!(err instanceof ReplayRefused)) throw err;
      refused.push({ id: d.id, reason: err.message });
    }
  }
  return { replayed, refused };
}
