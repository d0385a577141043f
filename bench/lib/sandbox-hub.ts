import { Hono } from 'hono';
import { parse, stringify } from 'yaml';
import allegro from '../../connectors/allegro/index.ts';
import { VAULT_KEYS } from '../../connectors/allegro/tokens.ts';
import facebook from '../../connectors/facebook/index.ts';
import odoo from '../../connectors/odoo/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import shopify from '../../connectors/shopify/index.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { serveApp, type EngineHarness } from '../../core/conformance/engine.ts';
import { webhookRoutes } from '../../core/http/webhooks.ts';
import { createLogger } from '../../core/log/logger.ts';
import { linkAllegroSeller } from '../../sandbox/demo/allegro-link.ts';
import type { DemoProduct } from '../../sandbox/demo/seed.ts';
import { metaSeed, odooSeed, prestashopSeed } from '../../sandbox/demo/seed.ts';
import type { ChannelView } from '../../sandbox/demo/scenario.ts';
import { benchAllegroSeed } from './catalogue.ts';
import { benchEngine } from './hub.ts';
import { startPostgres, type BenchPostgres } from './infra.ts';
import { progress } from './result.ts';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process.ts';
import { startViewWatcher } from './view-watcher.ts';

/**
 * The hub on the sandbox the way a merchant runs it: Odoo as the ERP (owns stock), Shopify (orders arrive as
 * signed webhooks into the hub's real `/webhooks/shopify` ingress, delivered by the simulator), PrestaShop and
 * Allegro (orders polled; every SKU is one Allegro offer, linked by its signature) and the Facebook catalogue
 * (stock pushed). The simulators run in a process of their own (`sandbox-process.ts`), so the figures are the
 * hub's and not the simulators' CPU.
 */
export const CHANNELS = ['erp', 'shopify', 'prestashop', 'allegro', 'facebook'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface SandboxHub {
  hub: EngineHarness;
  sandbox: SandboxProcess;
  pgServer: BenchPostgres;
  urls: { shopify: string; prestashop: string; allegro: string; odoo: string; meta: string };
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
  const sandbox = await startSandboxProcess({ seed: 'none', webhooks: { shopify: `${ingress.url}/webhooks/shopify` } });
  const e = sandbox.endpoints;
  const urls = { shopify: e.shopify.url, prestashop: e.prestashop.url, allegro: e.allegro.url, odoo: e.odoo.url, meta: e.meta.url };
  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : {};
  };
  for (const [url, doc] of [[urls.odoo, odooSeed(catalogue)], [urls.shopify, { locations: [{ name: 'Magazyn główny' }], products: [] }], [urls.prestashop, prestashopSeed()], [urls.allegro, benchAllegroSeed(catalogue)], [urls.meta, metaSeed(catalogue)]] as const) {
    await post(`${url}/__sandbox/reset`, {});
    await post(`${url}/__sandbox/seed`, doc);
  }
  const config = parse(demoYaml(sandbox, { dataDir: '/nonexistent', port: 0, logLevel: 'warn' }));
  config.connections = { erp: config.connections.erp, shopify: config.connections.shopify, prestashop: config.connections.prestashop, allegro: config.connections.allegro, facebook: config.connections.facebook };
  config.defaults.schedules = { poll: options.pollInterval, sweep: '1h' };
  config.connections.erp.config.pollOverlapSeconds = 2;
  // Shopify's orders come by webhook; its poll is the safety net only.
  config.connections.shopify.schedules = { poll: '1h' };
  // The seller links the Allegro account before the hub's first poll, as the demo does.
  const a = e.allegro.credentials as Record<string, string>;
  const { refreshToken } = await linkAllegroSeller(urls.allegro, a.clientId!, a.clientSecret!);
  const hub = await benchEngine(pgServer, scenario, stringify(config), [odoo, shopify, prestashop, allegro, facebook], {
    prepare: (vault) => vault('allegro').set(VAULT_KEYS.refreshToken, refreshToken),
  });
  const app = new Hono();
  app.route('/webhooks', webhookRoutes({ db: hub.db, engine: hub.engine, log: createLogger({ level: 'silent', format: 'json' }) }));
  inner = app;

  // What each channel shows, read in a process of its own (parsing the simulators' state is not the hub's work).
  const watcher = await startViewWatcher<Channel>({ erp: ['odoo', urls.odoo], shopify: ['shopify', urls.shopify], prestashop: ['prestashop', urls.prestashop], allegro: ['allegro', urls.allegro], facebook: ['facebook', urls.meta] });
  const views = () => watcher.next();

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
  }
  progress(scenario, `initial sync of ${skus.length} SKUs done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await hub.settle(120_000).catch(() => undefined); // the ERP poll keeps the engine busy; settling is best effort

  return {
    hub, sandbox, pgServer, urls, views, post,
    async close() {
      await watcher.close();
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
