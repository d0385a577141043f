import { parse, stringify } from 'yaml';
import allegro from '../../connectors/allegro/index.ts';
import { VAULT_KEYS } from '../../connectors/allegro/tokens.ts';
import facebook from '../../connectors/facebook/index.ts';
import odoo from '../../connectors/odoo/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import shopify from '../../connectors/shopify/index.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { linkAllegroSeller } from '../../sandbox/demo/allegro-link.ts';
import { metaSeed, odooSeed, prestashopSeed } from '../../sandbox/demo/seed.ts';
import { CLIENT_LIMIT_PER_MINUTE } from '../../sandbox/allegro/pipeline.ts';
import { SHOPIFY_RESTORE_RATE } from '../../sandbox/registry.ts';
import { budgetWaitSeconds, naiveStockSync } from '../baseline/naive-stock-sync.ts';
import { benchAllegroSeed, benchCatalogue } from '../lib/catalogue.ts';
import { benchEngine } from '../lib/hub.ts';
import { startPostgres } from '../lib/infra.ts';
import { parseArgs, progress, report } from '../lib/result.ts';
import { startSandboxProcess } from '../lib/sandbox-process.ts';
import { startViewWatcher } from '../lib/view-watcher.ts';
import { ratio, summarize } from '../lib/stats.ts';

/**
 * Scenario 1: full sync from the ERP (Odoo simulator) to Shopify and PrestaShop (listings created by the hub),
 * Allegro (one offer per SKU exists, linked by its signature) and the Facebook catalogue (items exist, linked by
 * SKU), stock and price brought in line, on the sandbox simulators (in a process of their own) with their limits as
 * `startSandbox` sets them (Shopify cost bucket restored 20× faster than a Standard plan). Phase A: the initial
 * sync (hub only, calls counted against each channel's minimum). Phase B, repeated: every SKU's stock changes in
 * the ERP; the hub's re-sync against the naive per-item baseline on the same simulators.
 */
const SCENARIO = 'full-sync';
const args = parseArgs();
const PRODUCTS = args.full ? 2_500 : 6;
const ROUNDS = args.full ? 2 : 3;
// In full mode the baseline writes a sample per channel and is extrapolated (it is linear: one call after another).
const BASELINE_SAMPLE = args.full ? 100 : Number.POSITIVE_INFINITY;
const CHANNELS = ['shopify', 'prestashop', 'allegro', 'facebook'] as const;
const SHOPIFY_SCALE = SHOPIFY_RESTORE_RATE / 100;
/** Meta's catalogue batch calls per catalogue and hour (the simulator's default, as the real API). */
const META_BATCH_CALLS_PER_HOUR = 200;

const catalogue = benchCatalogue(PRODUCTS);
const skus = catalogue.flatMap((p) => p.variants.map((v) => v.sku));
const pgServer = await startPostgres(SCENARIO);
const sandbox = await startSandboxProcess({ seed: 'none' });
const urls = { shopify: sandbox.endpoints.shopify.url, prestashop: sandbox.endpoints.prestashop.url, allegro: sandbox.endpoints.allegro.url, odoo: sandbox.endpoints.odoo.url, meta: sandbox.endpoints.meta.url };
const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
};
const meta = metaSeed(catalogue);
for (const [url, doc] of [[urls.odoo, odooSeed(catalogue)], [urls.shopify, { locations: [{ name: 'Magazyn główny' }], products: [] }], [urls.prestashop, prestashopSeed()], [urls.allegro, benchAllegroSeed(catalogue)], [urls.meta, meta]] as const) {
  await post(`${url}/__sandbox/reset`, {});
  await post(`${url}/__sandbox/seed`, doc);
}
const a = sandbox.endpoints.allegro.credentials as Record<string, string>;
const { refreshToken } = await linkAllegroSeller(urls.allegro, a.clientId!, a.clientSecret!);
await sandbox.clearRequests();

const config = parse(demoYaml(sandbox, { dataDir: '/nonexistent', port: 0, logLevel: 'warn' }));
config.connections = { erp: config.connections.erp, shopify: config.connections.shopify, prestashop: config.connections.prestashop, allegro: config.connections.allegro, facebook: config.connections.facebook };
config.defaults.schedules = { poll: '1s', sweep: '1h' };
// The scenario runs the ERP's sweep itself before anything else (the demo's single sweep slot exists to order
// that): four slots let each channel's first linking sweep and the 1 s polls run beside a long one.
config.queue.concurrency.sweeps = 4;
config.connections.erp.config.pollOverlapSeconds = 2;
config.connections.shopify.schedules = { poll: '1h' };

// What each channel shows, read in a process of its own (parsing 10,000 SKUs of state is not the hub's work).
const watcher = await startViewWatcher<(typeof CHANNELS)[number]>({ shopify: ['shopify', urls.shopify], prestashop: ['prestashop', urls.prestashop], allegro: ['allegro', urls.allegro], facebook: ['facebook', urls.meta] }, args.full ? 3_000 : 250);
const views = () => watcher.next();
async function converged(expected: Map<string, number>, what: string, ms = 600_000): Promise<number> {
  const t0 = performance.now();
  let reported = 0;
  for (;;) {
    const v = await views();
    const wrong = CHANNELS.flatMap((c) => skus.filter((sku) => v[c].stock.get(sku) !== expected.get(sku)).map((sku) => `${c} ${sku}=${v[c].stock.get(sku)}`));
    if (wrong.length === 0) return (performance.now() - t0) / 1000;
    if (Math.floor((performance.now() - t0) / 15_000) > reported) {
      reported++;
      progress(SCENARIO, `${what}: ${wrong.length} channel SKUs still differ, e.g. ${wrong.slice(0, 3).join(', ')}`);
    }
    if (performance.now() - t0 > ms) throw new Error(`${what}: ${wrong.length} SKUs still wrong after ${ms} ms, e.g. ${wrong.slice(0, 3).join(', ')}`);
  }
}
const simulatorOf = (c: (typeof CHANNELS)[number]) => (c === 'facebook' ? 'meta' : c);
/** Every API request each channel's simulator received since the start (the simulators' own request logs). */
const requestLogs = async () => Object.fromEntries(await Promise.all(CHANNELS.map(async (c) => [c, await sandbox.requests(simulatorOf(c))] as const)));
const callsBy = async () => Object.fromEntries(Object.entries(await requestLogs()).map(([c, log]) => [c, log.length]));
/** Calls per channel by method and path with ids folded, to show what the calls beyond the floor are. */
const callKinds = (log: Array<{ method: string; path: string }>) => {
  const kinds: Record<string, number> = {};
  for (const r of log) {
    const k = `${r.method} ${r.path.replace(/\/\d+(?=\/|$)/g, '/:id').replace(/\/[0-9a-f-]{36}(?=\/|$)/g, '/:uuid')}`;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(kinds).sort((x, y) => y[1] - x[1]));
};
// Phase A: the initial sync.
const expected = new Map(catalogue.flatMap((p) => p.variants.map((v) => [v.sku, v.stock] as const)));
const tA = performance.now();
const hub = await benchEngine(pgServer, SCENARIO, stringify(config), [odoo, shopify, prestashop, allegro, facebook], {
  prepare: (vault) => vault('allegro').set(VAULT_KEYS.refreshToken, refreshToken),
});
await hub.engine.sweep('erp');
await converged(expected, 'initial sync', args.full ? 3_600_000 : 600_000);
const initialSeconds = (performance.now() - tA) / 1000;
const initialLogs = await requestLogs();
const initialCalls = Object.fromEntries(Object.entries(initialLogs).map(([c, log]) => [c, log.length]));
const initialCallKinds = Object.fromEntries(Object.entries(initialLogs).map(([c, log]) => [c, callKinds(log)]));
progress(SCENARIO, `initial sync of ${skus.length} SKUs in ${initialSeconds.toFixed(1)} s; calls ${JSON.stringify(initialCalls)}`);
await new Promise((r) => setTimeout(r, 2_000)); // the ERP poll (1 s, with overlap) keeps the engine busy, so settle() would not return

// The floor: the fewest calls each channel's API allows for this sync (bench/README.md, "The floor"): one listing
// read where linking needs the channel's catalogue, then writes at the channel's largest batch.
const pages = (items: number, size: number) => Math.max(1, Math.ceil(items / size));
/** Allegro commands set ONE value for up to 1,000 offers: a command per distinct value and 1,000 offers (PUT + status + tasks). */
const allegroCommands = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()].reduce((n, count) => n + pages(count, 1000), 0) * 3;
};
const floorCalls = {
  // The listing read (empty), then productSet creates a product with its variants and quantities (cost 10 points).
  shopify: 1 + PRODUCTS,
  // No batch endpoint: the listing read, one POST per product and per combination, one lookup of the product's
  // automatically created stock_available rows, and one PUT per row.
  prestashop: 1 + PRODUCTS * (1 + 4 + 1 + 4),
  // The offers exist: listing pages of 1,000, then price and stock commands.
  allegro: pages(skus.length, 1000) + allegroCommands(catalogue.flatMap((p) => p.variants.map((v) => v.price))) + allegroCommands(catalogue.flatMap((p) => p.variants.map((v) => String(v.stock)))),
  // The items exist: listing pages of 1,000 (Graph's largest page), then items_batch of ≤ 5,000 requests + one status read each.
  facebook: pages(skus.length, 1000) + pages(skus.length, 5000) * 2,
};
const shopifyFloorSeconds = Math.max(0, PRODUCTS * 10 - 2000) / SHOPIFY_RESTORE_RATE;
// The time floor: the slowest channel's minimum calls (or points) at its allowed rate. PrestaShop's core has no
// limit (its floor is its latency, not counted); Facebook's 200 batch calls an hour are not reached by 3 calls.
const floorSeconds = { shopify: shopifyFloorSeconds, allegro: floorCalls.allegro / (CLIENT_LIMIT_PER_MINUTE / 60), prestashop: 0, facebook: 0 };
const initialFloorSeconds = Math.max(...Object.values(floorSeconds));

// Phase B: every SKU's stock changes in the ERP; hub re-sync vs naive baseline, alternating.
const hubSeconds: number[] = [];
const baseSeconds: number[] = [];
const baseBudgetWait: number[] = [];
const baseWithoutBudget: number[] = [];
const hubCalls: Record<string, number>[] = [];
let level = 1000;
const setErpStock = async (f: (sku: string) => number) => {
  for (const sku of skus) await post(`${urls.odoo}/__sandbox/stock`, { sku, quantity: f(sku) });
  return new Map(skus.map((sku) => [sku, f(sku)]));
};
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of CHANNELS) await hub.engine.setConnectionState(c, 'ok', null);
  // The ERP's polls wait while its stock is set (10,000 admin calls in full mode): the round starts when it is done.
  await hub.engine.setConnectionState('erp', 'paused', 'benchmark: the ERP stock is being changed');
  const before = await callsBy();
  const want = await setErpStock((sku) => (level + sku.length + skus.indexOf(sku)) % 50);
  level += 7;
  await hub.engine.setConnectionState('erp', 'ok', null);
  const t0 = performance.now();
  await hub.engine.pollSoon('erp');
  await converged(want, `hub round ${round}`, args.full ? 3_600_000 : 600_000);
  hubSeconds.push((performance.now() - t0) / 1000);
  const after = await callsBy();
  hubCalls.push(Object.fromEntries(CHANNELS.map((c) => [c, after[c]! - before[c]!])));
  await new Promise((r) => setTimeout(r, 2_000));

  // The baseline runs with the hub's drains paused, so only the script writes.
  for (const c of [...CHANNELS, 'erp']) await hub.engine.setConnectionState(c, 'paused', 'benchmark: baseline running');
  const want2 = await setErpStock((sku) => (level + skus.indexOf(sku)) % 50);
  level += 7;
  const base = await naiveStockSync(
    hub,
    'erp',
    [...CHANNELS],
    async (channel, waitMs) => {
      if (channel !== 'facebook') return false;
      await post(`${urls.meta}/__sandbox/clock`, { advanceMs: waitMs });
      return true;
    },
    BASELINE_SAMPLE,
  );
  // A sampled baseline leaves most SKUs unwritten: only a complete one can be checked against the ERP.
  if (!base.extrapolated) await converged(want2, `baseline round ${round}`, 600_000);
  // An hour passes on Meta's clock: the baseline's per-item calls must not eat the hub's catalogue-batch budget.
  await post(`${urls.meta}/__sandbox/clock`, { advanceMs: 3_600_000 });
  // A sampled Facebook run's waits say what the budget held when the sample began, not what 10,000 calls meet:
  // the wait is what Meta's hourly budget implies for every call (naive-stock-sync.ts, budgetWaitSeconds).
  const fb = base.perChannel.facebook;
  const budgetWait = !base.extrapolated ? base.throttledSeconds : fb ? budgetWaitSeconds(fb.due, fb.perWriteSeconds, META_BATCH_CALLS_PER_HOUR) : 0;
  const withoutBudget = base.extrapolated ? base.seconds : base.seconds - base.throttledSeconds;
  baseSeconds.push(withoutBudget + budgetWait);
  baseWithoutBudget.push(withoutBudget);
  baseBudgetWait.push(budgetWait);
  progress(SCENARIO, `round ${round}: hub ${hubSeconds.at(-1)!.toFixed(2)} s, baseline ${baseSeconds.at(-1)!.toFixed(2)} s (${base.writes} writes; ${budgetWait.toFixed(0)} s of it waiting for Meta's batch budget, ${withoutBudget.toFixed(0)} s without)`);
}

const hubMedian = summarize(hubSeconds, 2).median;
const baseMedian = summarize(baseSeconds, 2).median;
const baseWithoutBudgetMedian = summarize(baseWithoutBudget, 2).median;
report({
  scenario: SCENARIO,
  mode: args.full ? 'full' : 'short',
  parameters: {
    products: PRODUCTS, variantsPerProduct: 4, skus: skus.length, channels: CHANNELS, rounds: ROUNDS,
    rateLimitScale: { shopify: SHOPIFY_SCALE, prestashop: 'no limit (PrestaShop core has none)', allegro: 1, facebook: 1, odoo: 1 },
    note: args.full ? '10,000 SKUs as in the issue' : `short mode: ${skus.length} SKUs instead of 10,000`,
  },
  figures: {
    initialSyncSeconds: Number(initialSeconds.toFixed(2)),
    initialSyncCalls: initialCalls,
    initialSyncFloorCalls: floorCalls,
    initialSyncCallsByKind: initialCallKinds,
    shopifyInitialFloorSeconds: Number(shopifyFloorSeconds.toFixed(2)),
    initialSyncFloorSecondsByChannel: Object.fromEntries(Object.entries(floorSeconds).map(([c, t]) => [c, Number(t.toFixed(2))])),
    stockResyncHubSeconds: summarize(hubSeconds, 2),
    stockResyncBaselineSeconds: summarize(baseSeconds, 2),
    stockResyncBaselineWithoutBudgetWaitSeconds: summarize(baseWithoutBudget, 2),
    stockResyncBaselineBudgetWaitSeconds: baseBudgetWait.map((t) => Number(t.toFixed(1))),
    baselineSampledWritesPerChannel: Number.isFinite(BASELINE_SAMPLE) ? BASELINE_SAMPLE : 'all',
    // One items_batch call per SKU against Meta's 200 calls per catalogue per hour: what the naive script must wait.
    baselineFacebookBudgetHoursPerRound: Number((skus.length / META_BATCH_CALLS_PER_HOUR).toFixed(2)),
    stockResyncHubCallsPerRound: hubCalls,
    baselineWritesPerRound: skus.length * CHANNELS.length,
  },
  ratios: {
    ...Object.fromEntries(CHANNELS.map((c) => [`initialCallsVsFloor.${c}`, ratio(initialCalls[c]!, floorCalls[c])])),
    stockResyncBaselineOverHub: ratio(baseMedian, hubMedian),
    stockResyncBaselineWithoutBudgetWaitOverHub: ratio(baseWithoutBudgetMedian, hubMedian),
    initialSyncTimeVsFloor: ratio(initialSeconds, initialFloorSeconds),
  },
  targets: {
    callsWithin105PercentOfMinimum: { target: 'calls ≤ 1.05 × minimum on every channel', met: CHANNELS.every((c) => initialCalls[c]! <= 1.05 * floorCalls[c]) },
    timeWithin115PercentOfFloor: { target: 'initial sync time ≤ 1.15 × the slowest channel’s floor', met: initialSeconds <= 1.15 * initialFloorSeconds },
    // Judged against the baseline WITHOUT Meta's budget wait: the stricter comparison, not one the budget wins.
    tenTimesFasterThanBaseline: { target: '≥ 10× faster than the baseline (its time without the Meta budget wait)', met: baseWithoutBudgetMedian / hubMedian >= 10 },
  },
  notes: [
    'The floor counts the listing reads linking needs and the writes at each API’s largest batch; initialSyncCallsByKind shows every call made, by method and path.',
    'Stock re-sync time for the hub starts when the ERP poll is requested and ends when every channel shows every new quantity (the simulators’ state read by a separate process every 250 ms; 3 s in full mode).',
    'Baseline: bench/baseline/naive-stock-sync.ts, same connector clients, one SKU per call, sequential.',
    'One items_batch call per SKU exhausts Meta’s catalogue-batch budget (200 calls per hour): the baseline then has to wait for the window. A wait it meets is not slept: the Meta simulator’s clock is moved forward instead, and one more hour after each baseline round, so the hub starts with the budget a real hub would have.',
    'Full mode: the baseline writes baselineSampledWritesPerChannel SKUs per channel and its write time is extrapolated per channel (time per write × SKUs). Its Meta wait is not the sample’s (that depends on what the budget held when the sample began) but what 200 calls an hour imply for every SKU from a full budget (stockResyncBaselineBudgetWaitSeconds); the hub’s own calls in the same hour are not charged to it, which favours the baseline. stockResyncBaselineWithoutBudgetWaitSeconds leaves the wait out; the 10× target is judged on that.',
    'The simulators run in a process of their own; the machine’s load at the start is in machine.loadAverage1m.',
  ],
});
await watcher.close();
await hub.close();
await sandbox.close();
await pgServer.stop();
process.exit(0);
