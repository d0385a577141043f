import { benchEngine } from '../lib/hub.ts';
import { ownCpuSeconds, startPostgres, startRedis } from '../lib/infra.ts';
import memchannel, { memStore, memStores, seedMemStore } from '../lib/memory-channel.ts';
import { rawBullmq } from '../lib/raw-bullmq.ts';
import { parseArgs, progress, report } from '../lib/result.ts';
import { ratio, summarize } from '../lib/stats.ts';

/**
 * Scenario 5: what the engine itself costs. An in-process ERP (no HTTP, no rate limit) changes the stock of K
 * products; each change is a hint → inbound drain (read, apply, ledger) → reconcile requests for 5 connections →
 * outbound drains (desired state, hash compare, batched stock write). Measured: wall time until all 5 in-process
 * channels show every new quantity, and CPU of the hub process plus the database (and Redis) per canonical change.
 * The ceiling: BullMQ's own throughput of no-op jobs on the same backend (one job per channel update, the
 * job-per-item design the engine's batched drains avoid).
 */
const SCENARIO = 'engine-overhead';
const args = parseArgs();
const PRODUCTS = args.full ? 2_000 : 100;
const CHANGES = PRODUCTS; // every product changes once per round
const ROUNDS = args.full ? 5 : 3;
const TARGETS = ['c1', 'c2', 'c3', 'c4', 'c5'];
const OUTBOUND_CONCURRENCY = 2; // the hub's lanes and raw BullMQ's worker alike

const pgServer = await startPostgres(SCENARIO);
const redis = await startRedis();

const yaml = (tag: string) => `
ownership: { content: erp, price: erp, stock: erp, category: erp, status: erp }
defaults: { schedules: { poll: 1h, sweep: 24h } }
queue: { concurrency: { inbound: ${OUTBOUND_CONCURRENCY}, outbound: ${OUTBOUND_CONCURRENCY} } }
connections:
  erp: { connector: memchannel, config: { store: "${tag}-erp" } }
${TARGETS.map((t) => `  ${t}: { connector: memchannel, config: { store: "${tag}-${t}" } }`).join('\n')}
`;

async function waitFor(what: string, check: () => boolean, ms = 600_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Index/sequential scans and rows written per table so far (PostgreSQL's own statistics of the hub database). */
async function tableOps(db: { query: <R>(sql: string) => Promise<{ rows: R[] }> }): Promise<Map<string, { scans: number; rows: number }>> {
  await db.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await db.query<{ t: string; scans: string; rows: string }>(
    "SELECT relname AS t, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans, n_tup_ins + n_tup_upd + n_tup_del AS rows FROM pg_stat_user_tables WHERE schemaname = 'public'",
  );
  return new Map(rows.map((r) => [r.t, { scans: Number(r.scans), rows: Number(r.rows) }]));
}

const figures: Record<string, unknown> = {};
const ratios: Record<string, number> = {};
const targets: Record<string, { target: string; met: boolean }> = {};
for (const kind of ['postgres', 'redis'] as const) {
  const tag = kind;
  memStores.clear();
  const erp = seedMemStore(`${tag}-erp`, PRODUCTS, 1);
  const hub = await benchEngine(pgServer, `${SCENARIO}_${kind}`, yaml(tag), [memchannel], kind === 'redis' ? { redisUrl: redis.url } : {});
  // Initial sync: the ERP's catalogue created on the five channels (setup, timed for information).
  const t0 = performance.now();
  await hub.engine.sweep('erp');
  await waitFor('initial sync', () => TARGETS.every((t) => memStore(`${tag}-${t}`).variants.size === PRODUCTS));
  const initialSeconds = (performance.now() - t0) / 1000;
  await hub.settle(120_000);
  progress(SCENARIO, `${kind}: initial sync of ${PRODUCTS} products to 5 channels in ${initialSeconds.toFixed(1)} s`);

  const rates: number[] = [];
  const cpuPerChange: number[] = [];
  const hubCpuPerChange: number[] = [];
  const storeCpuPerChange: number[] = [];
  let perChangeTableOps: Record<string, { scans: number; rowsWritten: number }> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    const stock = 100 + round;
    await new Promise((r) => setTimeout(r, 1_100)); // statistics reach pg_stat_user_tables with a delay
    const ops0 = await tableOps(hub.db);
    const cpu0 = ownCpuSeconds();
    const db0 = pgServer.cpuSeconds() + (kind === 'redis' ? redis.cpuSeconds() : 0);
    const start = performance.now();
    for (const v of erp.variants.values()) v.stock = stock;
    // What the ERP's poll would emit: one hint per changed product, in batches as a poll page would.
    const ids = [...erp.products.keys()];
    for (let i = 0; i < ids.length; i += 100) await hub.engine.hint('erp', ids.slice(i, i + 100).map((id) => ({ kind: 'product' as const, externalId: id })));
    await hub.engine.kick('erp', 'inbound');
    await waitFor(`round ${round}`, () => TARGETS.every((t) => [...memStore(`${tag}-${t}`).variants.values()].every((v) => v.stock === stock)));
    const seconds = (performance.now() - start) / 1000;
    const hubCpu = ownCpuSeconds() - cpu0;
    const storeCpu = pgServer.cpuSeconds() + (kind === 'redis' ? redis.cpuSeconds() : 0) - db0;
    rates.push((CHANGES * TARGETS.length) / seconds);
    hubCpuPerChange.push((hubCpu * 1000) / CHANGES);
    storeCpuPerChange.push((storeCpu * 1000) / CHANGES);
    cpuPerChange.push(((hubCpu + storeCpu) * 1000) / CHANGES);
    progress(SCENARIO, `${kind} round ${round}: ${CHANGES} changes × 5 in ${seconds.toFixed(2)} s, hub ${hubCpu.toFixed(2)} s CPU, store ${storeCpu.toFixed(2)} s CPU`);
    await hub.settle(120_000);
    await new Promise((r) => setTimeout(r, 1_100));
    const ops1 = await tableOps(hub.db);
    perChangeTableOps = Object.fromEntries(
      [...ops1]
        .map(([t, o]) => [t, { scans: Number(((o.scans - (ops0.get(t)?.scans ?? 0)) / CHANGES).toFixed(2)), rowsWritten: Number(((o.rows - (ops0.get(t)?.rows ?? 0)) / CHANGES).toFixed(2)) }] as const)
        .filter(([, o]) => o.scans > 0 || o.rowsWritten > 0)
        .sort((a, b) => b[1].scans + b[1].rowsWritten - (a[1].scans + a[1].rowsWritten)),
    );
  }
  const writeCalls = TARGETS.reduce((a, t) => a + memStore(`${tag}-${t}`).writes.calls, 0);
  await hub.close();

  // The ceiling: as many no-op jobs as channel updates, on the same backend.
  const jobs = CHANGES * TARGETS.length;
  const raw: number[] = [];
  const rawCpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const fresh = kind === 'postgres' ? await pgServer.fresh('raw_bullmq') : undefined;
    const cpu0 = ownCpuSeconds();
    const db0 = pgServer.cpuSeconds() + (kind === 'redis' ? redis.cpuSeconds() : 0);
    const r = await rawBullmq(kind === 'postgres' ? { kind: 'postgres', databaseUrl: fresh!.url } : { kind: 'redis', redisUrl: redis.url, prefix: 'rawbench' }, jobs, OUTBOUND_CONCURRENCY);
    const cpu = ownCpuSeconds() - cpu0 + pgServer.cpuSeconds() + (kind === 'redis' ? redis.cpuSeconds() : 0) - db0;
    raw.push(jobs / r.seconds);
    rawCpu.push((cpu * 1000) / jobs);
    await fresh?.drop();
    progress(SCENARIO, `${kind} raw BullMQ: ${jobs} no-op jobs at ${Math.round(jobs / r.seconds)}/s`);
  }
  const hubRate = summarize(rates, 1).median;
  const rawRate = summarize(raw, 1).median;
  figures[kind] = {
    initialSyncSeconds: Number(initialSeconds.toFixed(2)),
    channelUpdatesPerSecond: summarize(rates, 1),
    cpuMsPerCanonicalChange: summarize(cpuPerChange, 3),
    hubProcessCpuMsPerChange: summarize(hubCpuPerChange, 3),
    storeCpuMsPerChange: summarize(storeCpuPerChange, 3),
    channelWriteCallsTotal: writeCalls,
    perChangeTableOpsLastRound: perChangeTableOps,
    rawBullmqJobsPerSecond: summarize(raw, 1),
    rawBullmqCpuMsPerJob: summarize(rawCpu, 3),
  };
  ratios[`${kind}.updatesPerSecondVsRawBullmqJobs`] = ratio(hubRate, rawRate);
  targets[`${kind}.vsRawBullmq`] = { target: '≥ 0.5 of raw BullMQ', met: hubRate / rawRate >= 0.5 };
}

report({
  scenario: SCENARIO,
  mode: args.full ? 'full' : 'short',
  parameters: { products: PRODUCTS, variantsPerProduct: 1, canonicalChangesPerRound: CHANGES, rounds: ROUNDS, fanOutConnections: TARGETS.length, outboundConcurrency: OUTBOUND_CONCURRENCY, channels: 'in-process memchannel connector (no HTTP, no rate limit): engine cost only' },
  figures,
  ratios,
  targets,
  notes: [
    'channelUpdatesPerSecond = changes × 5 connections ÷ wall time from the first hint to the last channel showing the new quantity.',
    'CPU = this process (process.cpuUsage) + every PostgreSQL backend of the bench cluster (+ redis-server), from /proc.',
    'Raw BullMQ: one no-op job per channel update, added in bulk, one worker at the same concurrency; its CPU is measured the same way.',
    'Shared 2-core machine: other engineers run tests at the same time; see machine.loadAverage1m.',
  ],
});
await redis.stop();
await pgServer.stop();
process.exit(0);
