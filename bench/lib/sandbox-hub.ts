import { Hono } from 'hono';
import { parse, stringify } from 'yaml';
import facebook from '../../connectors/facebook/index.ts';
import odoo from '../../connectors/odoo/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import shopify from '../../connectors/shopify/index.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { serveApp, type EngineHarness } from '../../core/conformance/engine.ts';
import { webhookRoutes } from '../../core/http/webhooks.ts';
import { createLogger } from '../../core/log/logger.ts';
import type { DemoProduct } from '../../sandbox/demo/seed.ts';
import { metaSeed, odooSeed, prestashopSeed } from '../../sandbox/demo/seed.ts';
import { facebookView, odooView, prestashopView, shopifyView, type ChannelView } from '../../sandbox/demo/scenario.ts';
import { startSandbox, type Sandbox } from '../../sandbox/registry.ts';
import { benchEngine } from './hub.ts';
import { startPostgres, type BenchPostgres } from './infra.ts';
import { progress } from './result.ts';

/**
 * The hub on the sandbox the way a merchant runs it: Odoo as the ERP (owns stock), Shopify (orders arrive as
 * signed webhooks into the hub's real `/webhooks/shopify` ingress, delivered by the simulator), PrestaShop (orders
 * polled) and the Facebook catalogue (stock pushed). Allegro is left out: its connector needs a linked seller's
 * refresh token in the vault before its first poll (see bench/README.md).
 */
export const CHANNELS = ['erp', 'shopify', 'prestashop', 'facebook'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface SandboxHub {
  hub: EngineHarness;
  sandbox: Sandbox;
  pgServer: BenchPostgres;
  urls: { shopify: string; prestashop: string; odoo: string; meta: string };
  views(): Promise<Record<Channel, ChannelView>>;
  post(url: string, body: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- simulator admin answers
  close(): Promise<void>;
}

export async function startSandboxHub(scenario: string, catalogue: DemoProduct[], options: { pollInterval: string }): Promise<SandboxHub> {
  const pgServer = await startPostgres(scenario);
  // The ingress must exist before the simulator that delivers to it; the hub is mounted once it has started.
  let inner: Hono | undefined;
  const front = new Hono();
  front.all('*', (c) => (inner ? inner.fetch(c.req.raw) : c.text('starting', 503)));
  const ingress = await serveApp(front);
  const sandbox = await startSandbox({ ports: 'free', seed: 'none', webhooks: { shopify: `${ingress.url}/webhooks/shopify` } });
  const urls = { shopify: sandbox.endpoints.shopify.url, prestashop: sandbox.endpoints.prestashop.url, odoo: sandbox.endpoints.odoo.url, meta: sandbox.endpoints.meta.url };
  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : {};
  };
  for (const [url, doc] of [[urls.odoo, odooSeed(catalogue)], [urls.shopify, { locations: [{ name: 'Magazyn główny' }], products: [] }], [urls.prestashop, prestashopSeed()], [urls.meta, metaSeed(catalogue)]] as const) {
    await post(`${url}/__sandbox/reset`, {});
    await post(`${url}/__sandbox/seed`, doc);
  }
  const config = parse(demoYaml(sandbox, { dataDir: '/nonexistent', port: 0, logLevel: 'warn' }));
  config.connections = { erp: config.connections.erp, shopify: config.connections.shopify, prestashop: config.connections.prestashop, facebook: config.connections.facebook };
  config.defaults.schedules = { poll: options.pollInterval, sweep: '1h' };
  config.connections.erp.config.pollOverlapSeconds = 2;
  // Shopify's orders come by webhook; its poll is the safety net only.
  config.connections.shopify.schedules = { poll: '1h' };
  const hub = await benchEngine(pgServer, scenario, stringify(config), [odoo, shopify, prestashop, facebook]);
  const app = new Hono();
  app.route('/webhooks', webhookRoutes({ db: hub.db, engine: hub.engine, log: createLogger({ level: 'silent', format: 'json' }) }));
  inner = app;

  const views = async (): Promise<Record<Channel, ChannelView>> => {
    const [e, s, p, f] = await Promise.all([odooView(urls.odoo), shopifyView(urls.shopify), prestashopView(urls.prestashop), facebookView(urls.meta)]);
    return { erp: e, shopify: s, prestashop: p, facebook: f };
  };

  // The initial sync: every channel shows the ERP's stock of every SKU.
  const skus = catalogue.flatMap((p) => p.variants.map((v) => v.sku));
  const expected = new Map(catalogue.flatMap((p) => p.variants.map((v) => [v.sku, v.stock] as const)));
  const t0 = performance.now();
  await hub.engine.sweep('erp');
  for (let reported = 0; ; ) {
    const v = await views();
    const wrong = CHANNELS.flatMap((c) => skus.filter((sku) => v[c].stock.get(sku) !== expected.get(sku)).map((sku) => `${c} ${sku}=${v[c].stock.get(sku)}`));
    if (wrong.length === 0) break;
    if (performance.now() - t0 > 600_000) throw new Error(`initial sync: ${wrong.length} SKUs still wrong after 600 s, e.g. ${wrong.slice(0, 3).join(', ')}`);
    if (Math.floor((performance.now() - t0) / 15_000) > reported) {
      reported++;
      progress(scenario, `initial sync: ${wrong.length} channel SKUs still differ, e.g. ${wrong.slice(0, 3).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  progress(scenario, `initial sync of ${skus.length} SKUs done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await hub.settle(120_000).catch(() => undefined); // the ERP poll keeps the engine busy; settling is best effort

  return {
    hub, sandbox, pgServer, urls, views, post,
    async close() {
      await hub.close();
      await sandbox.close();
      await ingress.close();
      await pgServer.stop();
    },
  };
}

/** PrestaShop's ids of a SKU (the sale endpoint takes product and combination ids, as the checkout does). */
export async function prestashopIds(url: string): Promise<Map<string, { id_product: number; id_product_attribute: number }>> {
  const s = (await (await fetch(`${url}/__sandbox/state`)).json()) as { resources: { combinations?: Array<{ id: number | string; fields?: Record<string, unknown> }> } };
  const ids = new Map<string, { id_product: number; id_product_attribute: number }>();
  for (const c of s.resources.combinations ?? []) {
    const f = (c.fields ?? c) as Record<string, unknown>;
    const ref = String(f.reference ?? '');
    if (ref) ids.set(ref, { id_product: Number(f.id_product), id_product_attribute: Number(c.id) });
  }
  return ids;
}
