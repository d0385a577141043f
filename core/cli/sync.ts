import type { Command } from 'commander';
import { duration } from '../../mappings/duration.ts';
import { laneHandlers } from '../../workers/index.ts';
import type { Database } from '../store/database.ts';
import { lanesWithWork } from '../sync/requests.ts';
import type { RuntimeConnection } from '../sync/runtime.ts';
import { type CliContext, CliError, selectConnections, withCli } from './context.ts';

const BATCH = 1000;

/** Requests a reconcile of every product, a batch at a time; returns how many products there are. */
async function requestAll(cli: CliContext, only: string | undefined): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    const { rows } = await cli.store.db.query<{ id: string }>('SELECT id FROM products WHERE id > $1::uuid ORDER BY id LIMIT $2', [after, BATCH]);
    if (rows.length === 0) return total;
    await cli.engine.requestReconcile(rows.map((r) => r.id), only);
    total += rows.length;
    if (rows.length < BATCH) return total;
    after = rows[rows.length - 1]!.id;
  }
}

interface Tracked {
  lane: 'sweeps';
  id: string;
  what: string;
}

/** Enqueues a sweep (catalogue compare) and a poll (orders, inquiries, own changes) where the connector has them. */
async function enqueueFull(cli: CliContext, conns: RuntimeConnection[]): Promise<Tracked[]> {
  const tracked: Tracked[] = [];
  // A fresh id per run: an earlier completed sweep kept for inspection must not swallow this one.
  const stamp = Date.now();
  for (const c of conns) {
    const caps = c.def.capabilities;
    if (caps.catalog?.read) {
      const job = await cli.queues.add('sweeps', 'sweep', { connection: c.name }, { jobId: `sync/sweep/${c.name}/${stamp}` });
      tracked.push({ lane: 'sweeps', id: job.id!, what: `sweep of ${c.name}` });
    }
    if (c.def.poll || caps.orders?.read || caps.inquiries?.read) {
      const job = await cli.queues.add('sweeps', 'poll', { connection: c.name }, { jobId: `sync/poll/${c.name}/${stamp}` });
      tracked.push({ lane: 'sweeps', id: job.id!, what: `poll of ${c.name}` });
    }
  }
  return tracked;
}

async function pendingFor(db: Database, names: string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_requests WHERE connection = ANY($1)', [names]);
  return rows[0]!.n;
}

async function pausedAmong(db: Database, names: string[]): Promise<Array<{ connection: string; status: string; status_reason: string | null }>> {
  const { rows } = await db.query<{ connection: string; status: string; status_reason: string | null }>(
    "SELECT connection, status, status_reason FROM connection_state WHERE connection = ANY($1) AND status IN ('needs_reauth', 'paused')",
    [names],
  );
  return rows;
}

/**
 * Runs the engine's workers in this process until the tracked jobs finished and the selected connections have no
 * pending requests. Stops early when a connection gets paused (its work would wait for an operator forever).
 */
async function waitUntilDone(cli: CliContext, names: string[], tracked: Tracked[], timeoutMs: number, started: Date): Promise<number> {
  const ctx = { db: cli.store.db, queues: cli.queues };
  const handlers = laneHandlers(ctx);
  const engineHandlers = cli.engine.handlers();
  for (const lane of Object.keys(engineHandlers) as Array<keyof typeof engineHandlers>) handlers[lane] = { ...(handlers[lane] ?? {}), ...engineHandlers[lane] };
  cli.queues.startWorkers(handlers, cli.config.queue.concurrency);
  process.stdout.write(`waiting (up to ${Math.round(timeoutMs / 1000)} s) with workers in this process…\n`);

  const deadline = Date.now() + timeoutMs;
  const open = new Map(tracked.map((t) => [t.id, t]));
  const failures: string[] = [];
  let quiet = 0;
  while (Date.now() < deadline) {
    for (const t of [...open.values()]) {
      const job = await cli.queues.queue(t.lane).getJob(t.id);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'completed' || state === 'unknown') open.delete(t.id);
      else if (state === 'failed') {
        open.delete(t.id);
        failures.push(`${t.what} failed: ${job?.failedReason ?? 'no reason recorded'}`);
      }
    }
    const paused = await pausedAmong(cli.store.db, names);
    if (paused.length > 0) {
      for (const p of paused) {
        process.stderr.write(`${p.connection} is ${p.status}${p.status_reason ? ` (${p.status_reason})` : ''}: its work waits until an operator acts${p.status === 'needs_reauth' ? ` (fix the credentials, then: omnihub reauth ${p.connection})` : ''}\n`);
      }
      return 1;
    }
    const pending = await pendingFor(cli.store.db, names);
    // What Engine.start's tick does, for the selected connections only (this process registers no schedules):
    // a drain job exists for every lane with pending work, e.g. after a retried drain gave up its job.
    if (pending > 0) {
      for (const { connection, lane } of await lanesWithWork(cli.store.db)) if (names.includes(connection)) await cli.engine.kick(connection, lane);
    }
    quiet = open.size === 0 && pending === 0 ? quiet + 1 : 0;
    if (quiet >= 2) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (quiet < 2) {
    const pending = await pendingFor(cli.store.db, names);
    process.stderr.write(
      `timed out after ${Math.round(timeoutMs / 1000)} s: ${pending} request${pending === 1 ? '' : 's'} still pending${open.size ? `, ${[...open.values()].map((t) => t.what).join(', ')} not finished` : ''}. ` +
        'They stay queued: running workers continue them (see omnihub status).\n',
    );
    return 1;
  }
  for (const f of failures) process.stderr.write(`${f}\n`);
  const { rows } = await cli.store.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM dead_letters WHERE failed_at >= $1 AND data->>'connection' = ANY($2) AND replayed_at IS NULL",
    [started, names],
  );
  const dead = rows[0]!.n;
  if (dead > 0) process.stderr.write(`${dead} request${dead === 1 ? '' : 's'} failed for good and went to dead letters: see omnihub dead-letters\n`);
  if (failures.length > 0 || dead > 0) return 1;
  process.stdout.write(`done: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} in sync (no pending requests)\n`);
  return 0;
}

export function syncCommand(program: Command): void {
  program
    .command('sync')
    .description('request a reconcile of every product for one or every connection (running workers do the work)')
    .option('--connection <name>', 'only this connection')
    .option('--full', 'also enqueue a sweep (compare the whole channel catalogue) and a poll of each selected connection')
    .option('--wait', 'run workers in this process and wait until the selected connections have no pending requests')
    .option('--timeout <duration>', 'with --wait: how long to wait at most, e.g. 30s, 10m', '10m')
    .action((opts: { connection?: string; full?: boolean; wait?: boolean; timeout: string }) => {
      const timeout = duration.safeParse(opts.timeout);
      if (!timeout.success) {
        process.stderr.write(`omnihub sync: --timeout "${opts.timeout}" ${timeout.error.issues[0]!.message}\n`);
        process.exitCode = 2;
        return;
      }
      return withCli(program.opts().config, 'sync', { workers: Boolean(opts.wait) }, async (cli) => {
        const conns = selectConnections(cli, opts.connection);
        if (conns.length === 0) throw new CliError('omnihub sync: no connections are configured: nothing to sync');
        const started = new Date((await cli.store.db.query<{ now: Date }>('SELECT now()')).rows[0]!.now);
        const products = await requestAll(cli, opts.connection);
        const receiving = conns.filter((c) => c.policy.receives.length > 0).map((c) => c.name);
        const idle = conns.filter((c) => c.policy.receives.length === 0).map((c) => c.name);
        process.stdout.write(
          `requested a reconcile of ${products} product${products === 1 ? '' : 's'} for ${receiving.join(', ') || 'no connection'}` +
            `${idle.length ? ` (${idle.join(', ')} receive${idle.length === 1 ? 's' : ''} no field groups)` : ''}\n`,
        );
        const tracked = opts.full ? await enqueueFull(cli, conns) : [];
        if (tracked.length) process.stdout.write(`enqueued: ${tracked.map((t) => t.what).join(', ')}\n`);
        if (!opts.wait) {
          process.stdout.write('running workers (omnihub start / omnihub worker) will process it; follow with omnihub status, or use --wait to process it here\n');
          return 0;
        }
        return waitUntilDone(cli, conns.map((c) => c.name), tracked, timeout.data, started);
      });
    });
}
