import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import shopify from '../../connectors/shopify/index.ts';
import { serveApp } from '../../core/conformance/engine.ts';
import { webhookRoutes } from '../../core/http/webhooks.ts';
import { createLogger } from '../../core/log/logger.ts';
import { hmac } from '../../core/sdk/signatures.ts';
import { createShopifySimulator } from '../../sandbox/shopify/index.ts';
import { listen } from '../../sandbox/common/simulator.ts';
import { benchEngine } from '../lib/hub.ts';
import { ownCpuSeconds, startPostgres } from '../lib/infra.ts';
import { type LoadRequest, runLoad } from '../lib/load.ts';
import { parseArgs, progress, report } from '../lib/result.ts';
import { ratio, summarize } from '../lib/stats.ts';

/**
 * Scenario 4: signed, deduplicated webhook intake on one hub process (the real `/webhooks/:connection` route:
 * HMAC over the raw body, zod parse, dedup + sync request + activity in one statement shared by the deliveries that
 * arrive together (core/sync/intake.ts), a coalesced drain kick) against a bare
 * hono handler that reads the body and answers 200, on the same machine, same load generator.
 */
const SCENARIO = 'webhook-ingest';
const args = parseArgs();
const PER_RUN = args.full ? 10_000 : 1_000;
const RUNS = args.full ? 7 : 5;
const CONCURRENCY = 32;
const DUPLICATE_SHARE = 0.1;
const SECRET = 'bench-app-secret';

const pgServer = await startPostgres(SCENARIO);
const sim = createShopifySimulator({ appSecret: SECRET });
const simRunning = await listen(sim, 0);
const hub = await benchEngine(pgServer, SCENARIO, `
connections:
  shop:
    connector: shopify
    schedules: { poll: 1h, sweep: 24h }
    config: { shop: bench, endpoint: "${simRunning.url}", accessToken: shpat_bench, webhookSecret: ${SECRET} }
`, [shopify]);
// Intake only: with the connection paused, drains leave the recorded work in place instead of hydrating orders
// from the simulator in this same process, so the figure is the ingress path alone (verify, dedup, record, kick).
await hub.engine.setConnectionState('shop', 'paused', 'benchmark: measuring intake only');

const app = new Hono();
app.route('/webhooks', webhookRoutes({ db: hub.db, engine: hub.engine, log: createLogger({ level: 'silent', format: 'json' }) }));
const hubServer = await serveApp(app);
const bare = new Hono();
bare.post('*', async (c) => {
  await c.req.arrayBuffer();
  return c.text('ok');
});
const bareServer = await serveApp(bare);

let orderSeq = 1_000_000;
/** One run's deliveries: fresh orders/create webhooks, a tenth of them delivered twice (Shopify retries). */
function deliveries(n: number): { requests: LoadRequest[]; unique: number } {
  const requests: LoadRequest[] = [];
  const fresh: LoadRequest[] = [];
  while (requests.length < n) {
    if (fresh.length > 10 && Math.random() < DUPLICATE_SHARE) {
      requests.push(fresh[Math.floor(Math.random() * fresh.length)]!);
      continue;
    }
    const id = orderSeq++;
    const body = JSON.stringify({ id, admin_graphql_api_id: `gid://shopify/Order/${id}`, name: `#${id}`, email: 'buyer@example.com', line_items: [{ id: id * 10, sku: 'SKU-1', quantity: 1 }] });
    const r: LoadRequest = {
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-shop-domain': 'bench.myshopify.com',
        'x-shopify-hmac-sha256': hmac('sha256', SECRET, body, 'base64'),
      },
    };
    fresh.push(r);
    requests.push(r);
  }
  return { requests, unique: fresh.length };
}

const hubRates: number[] = [];
const bareRates: number[] = [];
const hubLatency: number[] = [];
const bareLatency: number[] = [];
const hubCpuPerRequestMs: number[] = [];
let uniqueSent = 0;
let non200 = 0;
// Warm-up (JIT, pool connections), not counted.
await runLoad(`${hubServer.url}/webhooks/shop`, deliveries(300).requests, CONCURRENCY);
await runLoad(`${bareServer.url}/`, deliveries(300).requests, CONCURRENCY);
const { rows: warm } = await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_events');
const warmEvents = warm[0]!.n;
for (let run = 0; run < RUNS; run++) {
  const batch = deliveries(PER_RUN);
  uniqueSent += batch.unique;
  const cpu0 = ownCpuSeconds();
  const h = await runLoad(`${hubServer.url}/webhooks/shop`, batch.requests, CONCURRENCY);
  hubCpuPerRequestMs.push(((ownCpuSeconds() - cpu0) * 1000) / PER_RUN);
  const b = await runLoad(`${bareServer.url}/`, batch.requests, CONCURRENCY);
  non200 += Object.entries(h.statuses).filter(([s]) => s !== '200').reduce((a, [, n]) => a + n, 0);
  hubRates.push(PER_RUN / h.seconds);
  bareRates.push(PER_RUN / b.seconds);
  hubLatency.push(...h.latencies);
  bareLatency.push(...b.latencies);
  progress(SCENARIO, `run ${run + 1}/${RUNS}: hub ${Math.round(PER_RUN / h.seconds)}/s, bare ${Math.round(PER_RUN / b.seconds)}/s`);
}
// Correctness of what was measured: every unique delivery recorded once, every duplicate acknowledged and dropped.
const { rows } = await hub.db.query<{ events: number; requests: number }>(
  "SELECT (SELECT count(*)::int FROM inbound_events WHERE connection = 'shop') AS events, (SELECT count(*)::int FROM sync_requests WHERE connection = 'shop') AS requests",
);
const recorded = rows[0]!.events - warmEvents;

const hubMedian = summarize(hubRates, 1).median;
const bareMedian = summarize(bareRates, 1).median;
report({
  scenario: SCENARIO,
  mode: args.full ? 'full' : 'short',
  parameters: { deliveriesPerRun: PER_RUN, runs: RUNS, concurrency: CONCURRENCY, duplicateShare: DUPLICATE_SHARE, topic: 'orders/create', connector: 'shopify', queueBackend: 'postgres', loadGenerator: 'separate Node process, keep-alive' },
  figures: {
    hubPerSecond: summarize(hubRates, 1),
    barePerSecond: summarize(bareRates, 1),
    hubLatencyMs: summarize(hubLatency, 2),
    bareLatencyMs: summarize(bareLatency, 2),
    hubCpuMsPerDelivery: summarize(hubCpuPerRequestMs, 3),
    uniqueDeliveriesSent: uniqueSent,
    uniqueDeliveriesRecorded: recorded,
    pendingRequestsAfter: rows[0]!.requests,
    non200Answers: non200,
  },
  ratios: { hubVsBare: ratio(hubMedian, bareMedian) },
  targets: { hubVsBare: { target: '≥ 0.5 of bare hono', met: hubMedian / bareMedian >= 0.5 } },
  notes: [
    'Connection paused during the runs so drains do not hydrate orders in the same process: intake path only.',
    'Shared 2-core machine: other engineers run tests at the same time; see machine.loadAverage1m.',
  ],
});

await hubServer.close();
await bareServer.close();
await hub.close();
await simRunning.close();
await pgServer.stop();
process.exit(0);
