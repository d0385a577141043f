import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase } from '../../tests/support/db.ts';
import { createLogger } from '../log/logger.ts';
import { createDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import type { QueueBackend } from './backend.ts';
import { backoffDelay, type LaneHandlers, QueueSystem } from './queue-system.ts';

const log = createLogger({ level: 'silent', format: 'json' });
const ONE = { inbound: 1, outbound: 1, sweeps: 1, inbox: 1 };

async function until<T>(check: () => T | Promise<T>, ms = 15_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('backoffDelay', () => {
  it.each([
    [1, undefined, 1000],
    [2, undefined, 2000],
    [4, undefined, 8000],
    [20, undefined, 600_000],
    [3, { retryAfterMs: 1500 }, 1500],
    [3, { retryAfterMs: 3_600_000 }, 600_000],
  ])('attempt %i with %o waits %i ms (jitter fixed at 0)', (attempt, err, expected) => {
    expect(backoffDelay(attempt, err, () => 0.5)).toBe(expected);
  });
});

const redisUrl = inject('redisUrl');
const backends: Array<[string, boolean]> = [
  ['postgres', true],
  ['redis', Boolean(redisUrl)],
];

describe.each(backends)('queue contract on %s', (kind, available) => {
  let db: Database;
  let dbUrl: string;
  let drop: () => Promise<void>;
  let backend: QueueBackend;
  let system: QueueSystem | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`${kind} is not available on this machine`);
    const fresh = await freshDatabase(`queue_${kind}`);
    dbUrl = fresh.url;
    drop = fresh.drop;
    db = createDatabase(fresh.url);
    await migrate(db);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await system?.close();
    system = undefined;
  });
  afterAll(async () => {
    await db?.end();
    await drop?.();
  });

  /** Each test gets its own namespace, so leftovers of one cannot satisfy another. */
  function start(handlers: LaneHandlers, tuning?: { lockDurationMs: number; stalledIntervalMs: number }): QueueSystem {
    const ns = `t${randomBytes(4).toString('hex')}`;
    backend = kind === 'postgres' ? { kind: 'postgres', databaseUrl: dbUrl, schema: ns } : { kind: 'redis', redisUrl: redisUrl!, prefix: ns };
    system = new QueueSystem(backend, { db, log, ...(tuning ? { tuning } : {}) });
    system.startWorkers(handlers, ONE);
    return system;
  }

  it('retries a failing job, waiting as the error asks, then completes it', async () => {
    const runs: number[] = [];
    const q = start({
      inbound: {
        flaky: async () => {
          runs.push(Date.now());
          if (runs.length < 3) throw Object.assign(new Error('channel answered 503'), { retryAfterMs: 200 });
          return 'done';
        },
      },
    });
    const job = await q.add('inbound', 'flaky', {});
    await until(() => runs.length === 3, 15_000, 'three attempts');
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(190);
    expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(190);
    await until(() => completedState(q, job.id!), 10_000, 'completion');
    const { rows } = await db.query("SELECT * FROM dead_letters WHERE job_id = $1 AND job_name = 'flaky'", [job.id]);
    expect(rows).toHaveLength(0);
  });

  it('deduplicates by job id: the same id added many times runs once', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = start({ outbound: { reconcile: async () => { runs++; await gate; } } });
    for (let i = 0; i < 20; i++) await q.add('outbound', 'reconcile', { i }, { jobId: 'reconcile/shop/variant/42' });
    await until(() => runs === 1, 10_000, 'first run');
    release();
    await new Promise((r) => setTimeout(r, 500));
    expect(runs).toBe(1);
    await expect(q.add('outbound', 'reconcile', {}, { jobId: 'bad:id' })).rejects.toThrow(/must not contain ":"/);
  });

  it('runs a delayed job only once its delay has passed', async () => {
    let ranAt = 0;
    const q = start({ sweeps: { later: async () => void (ranAt = Date.now()) } });
    const job = await q.add('sweeps', 'later', {}, { delay: 800 });
    // The delay counts from the job's creation time, as recorded by the queue.
    await new Promise((r) => setTimeout(r, Math.max(0, job.timestamp + 400 - Date.now())));
    expect(ranAt).toBe(0);
    await until(() => ranAt > 0, 10_000, 'delayed run');
    expect(ranAt - job.timestamp).toBeGreaterThanOrEqual(790);
  });

  it('a job that exhausts its attempts lands in dead letters with its data and error', async () => {
    const q = start({ inbox: { doomed: async () => { throw Object.assign(new Error('still 500'), { retryAfterMs: 10 }); } } });
    const job = await q.add('inbox', 'doomed', { conversation: 'c1' }, { attempts: 3 });
    const row = await waitForDeadLetter(db, job.id!, 'doomed');
    expect(row).toMatchObject({ queue: 'inbox', job_name: 'doomed', error: 'still 500', attempts: 3, data: { conversation: 'c1' } });
  });

  it('an unrecoverable (business) error is parked at once, without retries', async () => {
    let runs = 0;
    const q = start({ outbound: { rejected: async () => { runs++; throw new UnrecoverableError('422: price below minimum'); } } });
    const job = await q.add('outbound', 'rejected', {});
    const row = await waitForDeadLetter(db, job.id!, 'rejected');
    expect(row).toMatchObject({ error: '422: price below minimum', attempts: 1 });
    expect(runs).toBe(1);
  });

  it('graceful close waits for the in-flight job to finish', async () => {
    let finished = false;
    let started = false;
    const q = start({ inbound: { slow: async () => { started = true; await new Promise((r) => setTimeout(r, 700)); finished = true; } } });
    await q.add('inbound', 'slow', {});
    await until(() => started, 10_000, 'start');
    await q.closeWorkers();
    expect(finished).toBe(true);
  });

  it('a job interrupted by kill -9 of its worker process completes after a restart', async () => {
    const tuning = { lockDurationMs: 1_000, stalledIntervalMs: 500 };
    const done: string[] = [];
    // Enqueue first, with no worker of ours for "contract.hang" yet.
    const q = start({}, tuning);
    const job = await q.add('inbound', 'contract.hang', { order: 'A-1' });

    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/hanging-worker.ts', JSON.stringify(backend), dbUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes(`STARTED ${job.id}`), 20_000, 'the child worker to take the job');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // The restarted worker (here, in-process) finds the stalled job once the dead worker's lock expires.
    q.startWorkers({ inbound: { 'contract.hang': async (j) => void done.push(String(j.id)) } }, ONE);
    await until(() => done.includes(String(job.id)), 20_000, 'the interrupted job to complete after restart');
    expect(done.filter((id) => id === String(job.id))).toHaveLength(1);
  });
});

async function completedState(q: QueueSystem, id: string): Promise<boolean> {
  return (await q.queue('inbound').getJobState(id)) === 'completed';
}

/** Job ids restart at 1 in each test's namespace, so the job name identifies the row too. */
function waitForDeadLetter(db: Database, jobId: string, name: string): Promise<Record<string, unknown>> {
  return until(
    async () => (await db.query('SELECT * FROM dead_letters WHERE job_id = $1 AND job_name = $2', [jobId, name])).rows[0],
    15_000,
    `dead letter for ${name} ${jobId}`,
  );
}
