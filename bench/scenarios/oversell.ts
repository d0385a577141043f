import { benchCatalogue } from '../lib/catalogue.ts';
import { parseArgs, progress, report } from '../lib/result.ts';
import { prestashopIds, startSandboxHub, type Channel, type SandboxHub } from '../lib/sandbox-hub.ts';
import { summarize } from '../lib/stats.ts';

/**
 * Scenario 3: oversell. Every SKU starts with its last few units; buyers on three channels at once — Shopify
 * (checkout; the order reaches the hub as a webhook), PrestaShop (checkout; polled) and the ERP itself (a counter
 * sale booked in Odoo's warehouse) — buy one unit whenever their channel shows the SKU in stock. A channel's
 * shown stock is what its customers can buy; units sold beyond the real stock are oversold. Once with omnihub,
 * once with the naive baseline (read every channel's stock, work out what sold, write the new total to every
 * channel one call at a time, every BASELINE_INTERVAL) on a separate set of SKUs with the hub paused.
 */
const SCENARIO = 'oversell';
const args = parseArgs();
const PRODUCTS = args.full ? 50 : 10; // × 4 SKUs, half for the hub, half for the baseline
const UNITS = 3;
const WINDOW_MS = args.full ? 30_000 : 10_000;
const ROUNDS = args.full ? 3 : 2;
const BASELINE_INTERVAL_MS = 5_000; // a merchant's cron, scaled down as the simulators' limits are
const SELLERS: Channel[] = ['shopify', 'prestashop', 'erp'];

const catalogue = benchCatalogue(PRODUCTS).map((p) => ({ ...p, variants: p.variants.map((v) => ({ ...v, stock: UNITS })) }));
const allSkus = catalogue.flatMap((p) => p.variants.map((v) => v.sku));
const h: SandboxHub = await startSandboxHub(SCENARIO, catalogue, { pollInterval: '2s' });
const psIds = await prestashopIds(h.urls.prestashop);

async function sell(channel: Channel, sku: string): Promise<void> {
  if (channel === 'shopify') await h.post(`${h.urls.shopify}/__sandbox/orders`, { email: 'buyer@example.com', lineItems: [{ sku, quantity: 1 }] });
  else if (channel === 'prestashop') await h.post(`${h.urls.prestashop}/__sandbox/sale`, { lines: [{ ...psIds.get(sku)!, quantity: 1 }] });
  else await h.post(`${h.urls.odoo}/__sandbox/stock`, { sku, delta: -1 });
}

/**
 * Buyers on every selling channel for `skus` during the window: each channel's shop front is read every ~100 ms;
 * a buyer buys one unit of a SKU the front shows in stock, at random moments, so the channels race for the last
 * units. Returns units sold per SKU.
 */
async function buyers(skus: string[]): Promise<Map<string, number>> {
  const sold = new Map(skus.map((s) => [s, 0]));
  const shown = new Map<Channel, Map<string, number>>();
  const end = performance.now() + WINDOW_MS;
  const refresh = async () => {
    const v = await h.views();
    for (const c of SELLERS) shown.set(c, new Map(skus.map((s) => [s, v[c].stock.get(s) ?? 0])));
  };
  await refresh();
  const reader = (async () => {
    // The watcher reads every ~100 ms: each refresh waits for the next read.
    while (performance.now() < end) await refresh();
  })();
  const shopper = async (channel: Channel) => {
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      const front = shown.get(channel)!;
      const open = skus.filter((s) => front.get(s)! > 0);
      if (open.length === 0) continue;
      const sku = open[Math.floor(Math.random() * open.length)]!;
      front.set(sku, front.get(sku)! - 1); // the shop itself decrements at once; the next read confirms it
      await sell(channel, sku);
      sold.set(sku, sold.get(sku)! + 1);
    }
  };
  await Promise.all([reader, ...SELLERS.map(shopper)]);
  return sold;
}

/** The naive sync: every interval, read each channel, subtract what sold since its last write, write the total everywhere. */
async function naiveOversellSync(skus: string[], stop: () => boolean): Promise<{ cycles: number; writes: number }> {
  let total = new Map(skus.map((s) => [s, UNITS]));
  const written = new Map(SELLERS.map((c) => [c, new Map(skus.map((s) => [s, UNITS]))]));
  let cycles = 0;
  let writes = 0;
  while (!stop()) {
    await new Promise((r) => setTimeout(r, BASELINE_INTERVAL_MS));
    cycles++;
    const v = await h.views();
    const next = new Map(total);
    for (const c of SELLERS) for (const s of skus) next.set(s, next.get(s)! - Math.max(0, written.get(c)!.get(s)! - (v[c].stock.get(s) ?? 0)));
    total = next;
    for (const c of SELLERS) {
      for (const s of skus) {
        const q = Math.max(0, total.get(s)!);
        if (c === 'shopify' || c === 'prestashop') {
          const conn = h.hub.engine.connection(c)!;
          const { rows } = await h.hub.db.query<{ external_id: string; product_external_id: string | null }>("SELECT external_id, product_external_id FROM bindings WHERE connection = $1 AND kind = 'variant' AND sku = $2", [c, s]);
          const b = rows[0]!;
          const [r] = await conn.def.capabilities.stock!.write!.set(conn.ctx, [{ sku: s, externalId: b.external_id, productExternalId: b.product_external_id ?? undefined, available: q, expected: undefined }]);
          if (!r?.ok) throw new Error(`baseline: ${c} refused ${s}`);
        } else {
          await h.post(`${h.urls.odoo}/__sandbox/stock`, { sku: s, quantity: q });
        }
        written.get(c)!.set(s, q);
        writes++;
      }
    }
  }
  return { cycles, writes };
}

const oversold = (sold: Map<string, number>) => [...sold.values()].reduce((a, n) => a + Math.max(0, n - UNITS), 0);
const half = Math.floor(allSkus.length / 2);
const hubSkus = allSkus.slice(0, half);
const baseSkus = allSkus.slice(half);
const perRound = Math.floor(hubSkus.length / ROUNDS);
const hubOversold: number[] = [];
const hubSold: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const skus = hubSkus.slice(round * perRound, (round + 1) * perRound);
  const sold = await buyers(skus);
  hubOversold.push(oversold(sold));
  hubSold.push([...sold.values()].reduce((a, n) => a + n, 0));
  progress(SCENARIO, `hub round ${round + 1}: ${hubSold.at(-1)} units sold of ${skus.length * UNITS}, ${hubOversold.at(-1)} oversold`);
}

// The baseline on its own SKUs, the hub paused (its recorded orders wait until the end of the run).
for (const c of ['erp', 'shopify', 'prestashop', 'facebook']) await h.hub.engine.setConnectionState(c, 'paused', 'benchmark: baseline running');
const baseOversold: number[] = [];
const baseSold: number[] = [];
const basePerRound = Math.floor(baseSkus.length / ROUNDS);
let baseWrites = 0;
for (let round = 0; round < ROUNDS; round++) {
  const skus = baseSkus.slice(round * basePerRound, (round + 1) * basePerRound);
  let done = false;
  const sync = naiveOversellSync(skus, () => done);
  const sold = await buyers(skus);
  done = true;
  baseWrites += (await sync).writes;
  baseOversold.push(oversold(sold));
  baseSold.push([...sold.values()].reduce((a, n) => a + n, 0));
  progress(SCENARIO, `baseline round ${round + 1}: ${baseSold.at(-1)} units sold of ${skus.length * UNITS}, ${baseOversold.at(-1)} oversold`);
}

const sum = (xs: number[]) => xs.reduce((a, n) => a + n, 0);
report({
  scenario: SCENARIO,
  mode: args.full ? 'full' : 'short',
  parameters: {
    sellingChannels: SELLERS, unitsPerSku: UNITS, skusPerRound: perRound, rounds: ROUNDS, windowMs: WINDOW_MS, shopFrontReadIntervalMs: 100, buyerPauseMs: '50–450 (random)',
    hubPollInterval: '2s (PrestaShop orders, Odoo stock); Shopify orders by webhook', baselineIntervalMs: BASELINE_INTERVAL_MS, allegro: 'not in the run (see README)',
  },
  figures: {
    hub: { unitsOnSale: perRound * ROUNDS * UNITS, unitsSold: sum(hubSold), unitsOversold: sum(hubOversold), oversoldPerRound: summarize(hubOversold, 1) },
    baseline: { unitsOnSale: basePerRound * ROUNDS * UNITS, unitsSold: sum(baseSold), unitsOversold: sum(baseOversold), oversoldPerRound: summarize(baseOversold, 1), stockWrites: baseWrites },
  },
  ratios: { baselineOversoldOverHub: sum(hubOversold) === 0 ? Number.POSITIVE_INFINITY : Number((sum(baseOversold) / sum(hubOversold)).toFixed(2)) },
  targets: { fewerOversoldThanBaseline: { target: 'fewer units oversold than the naive baseline', met: sum(hubOversold) < sum(baseOversold) } },
  notes: [
    'Oversold = Σ over SKUs of max(0, units sold on all channels − units in stock). A buyer only buys what its channel shows in stock.',
    'A counter sale in the ERP is a stock movement (delta −1) in Odoo; the hub learns it by its Odoo poll.',
    'The race is inherent: two channels that sell the last unit within one propagation delay both sell it. What the hub can do is make that delay short.',
    'Shared 2-core machine: other engineers run tests at the same time; see machine.loadAverage1m.',
  ],
});
await h.close();
process.exit(0);
