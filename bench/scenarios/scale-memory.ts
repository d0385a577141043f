import { getHeapStatistics } from 'node:v8';
import { benchEngine } from '../lib/hub.ts';
import { startPostgres } from '../lib/infra.ts';
import memchannel, { memStore, seedMemStore } from '../lib/memory-channel.ts';
import { parseArgs, progress, report } from '../lib/result.ts';
import { RssSampler, steadyRssMiB } from '../lib/rss-sampler.ts';

/**
 * Scenario 6: scale and memory. An in-process ERP (lib/memory-channel.ts: no HTTP, no rate limit, so the engine
 * and the store are what is measured) holds N SKUs (N/4 products × 4 variants); five in-process channels start
 * empty and the hub creates every listing on each. Measured: RSS of this process (the hub: engine, workers,
 * connection pool; the in-memory channel stores are here too and are counted) sampled every 250 ms — peak and
 * steady (after GC) — and the database size, after the initial sync and after a full re-sync (every SKU's stock
 * changed in the ERP, then a sweep of the ERP re-reads the whole catalogue).
 */
const SCENARIO = 'scale-memory';
const args = parseArgs();
const SKUS = args.full ? 100_000 : 2_000;
const VARIANTS = 4;
const PRODUCTS = SKUS / VARIANTS;
const TARGETS = ['c1', 'c2', 'c3', 'c4', 'c5'];
const TARGET_RSS_MIB = 400;

const pgServer = await startPostgres(SCENARIO);
const yaml = `
ownership: { content: erp, price: erp, stock: erp, category: erp, status: erp }
defaults: { schedules: { poll: 1h, sweep: 24h } }
connections:
  erp: { connector: memchannel, config: { store: "erp" } }
${TARGETS.map((t) => `  ${t}: { connector: memchannel, config: { store: "${t}" } }`).join('\n')}
`;
const emptyRss = await steadyRssMiB();
const erp = seedMemStore('erp', PRODUCTS, VARIANTS);
const baselineRss = await steadyRssMiB();
// The six in-process channel stores are in this process's RSS; the receivers end up as large as the ERP's.
const storesMiB = Math.max(0, baselineRss - emptyRss) * (1 + TARGETS.length);
const hub = await benchEngine(pgServer, SCENARIO, yaml, [memchannel]);
const idleRss = await steadyRssMiB();
const dbSize = async () => Number((await hub.db.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b) / 1024 / 1024;
const tableSizes = async () =>
  Object.fromEntries(
    (
      await hub.db.query<{ t: string; mib: string }>(
        "SELECT relname AS t, round(pg_total_relation_size(c.oid) / 1048576.0, 1)::text AS mib FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 6",
      )
    ).rows.map((r) => [r.t, Number(r.mib)]),
  );

async function waitFor(what: string, check: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  let reported = 0;
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not done after ${ms} ms`);
    if (Math.floor((Date.now() - t0) / 30_000) > reported) {
      reported++;
      progress(SCENARIO, `${what}: ${TARGETS.map((t) => `${t} ${memStore(t).variants.size}`).join(', ')} variants; rss ${Math.round(process.memoryUsage().rss / 1048576)} MiB`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sampler = new RssSampler();
// Phase A: the initial sync (catalogue created on five channels).
sampler.start();
let t0 = performance.now();
const sweep = await hub.engine.sweep('erp');
const initialSweepSeconds = (performance.now() - t0) / 1000;
progress(SCENARIO, `ERP sweep (${sweep.seen} products read and applied) returned after ${initialSweepSeconds.toFixed(1)} s`);
await waitFor('initial sync', () => TARGETS.every((t) => memStore(t).variants.size === SKUS), args.full ? 6 * 3_600_000 : 1_800_000);
await hub.settle(600_000);
const initialSeconds = (performance.now() - t0) / 1000;
const initialRss = sampler.stop();
const initialSteady = await steadyRssMiB();
const initialDb = await dbSize();
const initialTables = await tableSizes();
progress(SCENARIO, `initial sync of ${SKUS} SKUs × ${TARGETS.length} in ${initialSeconds.toFixed(0)} s; rss peak ${initialRss.peakMiB} MiB, steady ${initialSteady} MiB; db ${initialDb.toFixed(1)} MiB`);

// Phase B: a full re-sync — every SKU's stock changes in the ERP, the ERP is swept (the whole catalogue read and
// compared), and every changed quantity written to the five channels.
sampler.start();
t0 = performance.now();
for (const v of erp.variants.values()) v.stock = v.stock + 7;
const want = new Map([...erp.variants.values()].map((v) => [v.sku, v.stock]));
await hub.engine.sweep('erp');
await waitFor('full re-sync', () => TARGETS.every((t) => [...memStore(t).variants.values()].every((v) => v.stock === want.get(v.sku))), args.full ? 6 * 3_600_000 : 1_800_000);
await hub.settle(600_000);
const resyncSeconds = (performance.now() - t0) / 1000;
const resyncRss = sampler.stop();
const resyncSteady = await steadyRssMiB();
const resyncDb = await dbSize();
const resyncTables = await tableSizes();
progress(SCENARIO, `full re-sync in ${resyncSeconds.toFixed(0)} s; rss peak ${resyncRss.peakMiB} MiB, steady ${resyncSteady} MiB; db ${resyncDb.toFixed(1)} MiB`);

const peak = Math.max(initialRss.peakMiB, resyncRss.peakMiB);
report({
  scenario: SCENARIO,
  mode: args.full ? 'full' : 'short',
  parameters: {
    skus: SKUS, products: PRODUCTS, variantsPerProduct: VARIANTS, connections: 1 + TARGETS.length, fanOutConnections: TARGETS.length,
    channels: 'in-process memchannel connector (no HTTP, no rate limit): engine and store only', queueBackend: 'postgres', rssSampleIntervalMs: sampler.intervalMs,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    // V8 sizes its heap from the machine's memory unless told (NODE_OPTIONS=--max-old-space-size=N): it decides how
    // much garbage may pile up between collections, so it decides the peak.
    v8HeapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 1048576),
    nodeOptions: process.env.NODE_OPTIONS ?? '',
    note: args.full ? '100,000 SKUs × 5 connections as in the issue' : `short mode: ${SKUS} SKUs instead of 100,000`,
  },
  figures: {
    rssEmptyProcessMiB: emptyRss,
    rssBeforeHubMiB: baselineRss,
    channelStoresEstimateMiB: Number(storesMiB.toFixed(1)),
    hubRssPeakEstimateMiB: Number((Math.max(initialRss.peakMiB, resyncRss.peakMiB) - emptyRss - storesMiB).toFixed(1)),
    rssHubIdleMiB: idleRss,
    initialSync: { seconds: Number(initialSeconds.toFixed(1)), erpSweepSeconds: Number(initialSweepSeconds.toFixed(1)), rssPeakMiB: initialRss.peakMiB, rssSamplesMiB: initialRss.samplesMiB, rssSteadyMiB: initialSteady, databaseMiB: Number(initialDb.toFixed(1)), largestTablesMiB: initialTables },
    fullResync: { seconds: Number(resyncSeconds.toFixed(1)), rssPeakMiB: resyncRss.peakMiB, rssSamplesMiB: resyncRss.samplesMiB, rssSteadyMiB: resyncSteady, databaseMiB: Number(resyncDb.toFixed(1)), largestTablesMiB: resyncTables },
    channelWriteCalls: Object.fromEntries(TARGETS.map((t) => [t, memStore(t).writes.calls])),
    databaseBytesPerSkuConnection: Math.round((resyncDb * 1024 * 1024) / (SKUS * (1 + TARGETS.length))),
  },
  ratios: { rssPeakVsTarget: Number((peak / TARGET_RSS_MIB).toFixed(3)) },
  targets: { rss: { target: `hub RSS ≤ ${TARGET_RSS_MIB} MB`, met: peak <= TARGET_RSS_MIB } },
  notes: [
    'RSS is of the whole bench process: the hub (engine, BullMQ workers, pg pool) plus the six in-memory channel stores; rssBeforeHubMiB is the process with the ERP store seeded and no hub. hubRssPeakEstimateMiB = peak − empty process − six stores (each the size of the seeded ERP store); the target is judged on the whole process, stores included.',
    'Steady RSS is read 0.5 s after a forced GC (the runner starts scenarios without --expose-gc unless node is given it, see gcExposed).',
    'Database size is pg_database_size of the hub database (queue included: BullMQ runs on PostgreSQL here).',
    'The machine’s load at the start is in machine.loadAverage1m.',
  ],
});
await hub.close();
await pgServer.stop();
process.exit(0);
