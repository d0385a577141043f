import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import facebook from '../../connectors/facebook/index.ts';
import odoo from '../../connectors/odoo/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import shopify from '../../connectors/shopify/index.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { loadConfig } from '../../core/config/load.ts';
import { memoryResolver } from '../../core/connectors/registry.ts';
import { createLogger } from '../../core/log/logger.ts';
import { type Hub, startHub } from '../../core/runtime.ts';
import { facebookView, odooView, prestashopView, shopifyView } from '../../sandbox/demo/scenario.ts';
import { DEMO_IDS, demoCatalogue, metaSeed, odooSeed, prestashopSeed, shopifySeed } from '../../sandbox/demo/seed.ts';
import { startSandbox, type Sandbox } from '../../sandbox/registry.ts';
import { freshDatabase } from '../support/db.ts';
import { tempDir } from '../support/hub-config.ts';
import { until } from '../support/until.ts';

/**
 * Issue #9 end to end: the real hub (startHub: runtime, workers, promotion scheduler) on a PostgreSQL database that
 * survives its restarts, Odoo owning prices, and three channels with three native forms of a promotion:
 * Shopify (price + compare-at, switched by the hub), PrestaShop (`specific_prices` from/to) and Facebook
 * (`sale_price` + effective dates), the last two pushed ahead of time. Every claim is read from the simulators.
 */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- simulator state documents

const CATALOGUE = demoCatalogue().slice(0, 5);
const ON_TIME = 'KUB-001';
const OVERLAP = 'CZA-004';
const RESTART = CATALOGUE[1]!.variants[0]!.sku;
const SKUS = CATALOGUE.flatMap((p) => p.variants.map((v) => v.sku));

const json = async (res: Response): Promise<Json> => {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
};
const state = (url: string) => fetch(`${url}/__sandbox/state`).then(json);
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(json);
const cents = (amount: string | number) => Math.round(Number(amount) * 100);
const money = (c: number) => (c / 100).toFixed(2);
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
/** PrestaShop writes from/to in the shop's zone (Europe/Warsaw by default), as `Y-m-d H:i:s`. */
const shopTime = (ms: number) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/Warsaw' }).replace('T', ' ');

describe('issue #9: one promotion, every channel, on time (real hub, simulators)', () => {
  let sandbox: Sandbox;
  let urls: { shopify: string; prestashop: string; odoo: string; meta: string };
  let db: { url: string; drop(): Promise<void> };
  let hub: Hub | undefined;
  let base: Json;
  const regular = new Map<string, number>();
  // Windows, fixed once: the same promotions-as-code file at every start.
  let w: { start: number; end: number; restartStart: number; restartEnd: number };
  let promotions: Json[];

  const start = async (withPromotions: boolean) => {
    const doc = { ...base, database: { url: db.url }, ...(withPromotions ? { promotions, promotionCombine: 'best_for_customer' } : {}) };
    const loaded = await loadConfig({ text: stringify(doc), env: {}, resolver: memoryResolver([odoo, shopify, prestashop, facebook]) });
    if (!loaded.ok) throw new Error(`config: ${JSON.stringify(loaded.problems)}`);
    hub = await startHub(loaded.config, { role: 'all', log: createLogger({ level: process.env.TEST_LOG ?? 'silent', format: 'json' }) });
  };
  const stop = async () => {
    await hub?.stop();
    hub = undefined;
  };

  const shopifyPrice = async (sku: string) => {
    const v = (await state(urls.shopify)).products.flatMap((p: Json) => p.variants).find((x: Json) => x.sku === sku);
    return { price: v?.price as string, compareAt: (v?.compareAtPrice ?? null) as string | null };
  };
  const facebookItem = async (sku: string) => {
    const cat = (await state(urls.meta)).catalogs.find((c: Json) => c.id === DEMO_IDS.catalogId);
    return cat.products.find((p: Json) => p.retailer_id === sku);
  };
  /** The specific prices on a single-variant PrestaShop product, and its net price. */
  const prestashopOf = async (sku: string) => {
    const r = (await state(urls.prestashop)).resources;
    const product = r.products.find((p: Json) => p.fields.reference === sku);
    return { net: Number(product.fields.price), specific: (r.specific_prices ?? []).map((s: Json) => s.fields).filter((s: Json) => String(s.id_product) === String(product.id)) };
  };
  /** What PrestaShop charges (net) at `ms`: its own price less the specific price in effect then, if any. */
  const prestashopNetAt = (ps: { net: number; specific: Json[] }, ms: number) => {
    const now = shopTime(ms);
    const sp = ps.specific.find((s: Json) => s.from <= now && now < s.to);
    if (!sp) return ps.net;
    return sp.reduction_type === 'percentage' ? ps.net * (1 - Number(sp.reduction)) : ps.net - Number(sp.reduction);
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: 'free', seed: 'none' });
    urls = { shopify: sandbox.endpoints.shopify.url, prestashop: sandbox.endpoints.prestashop.url, odoo: sandbox.endpoints.odoo.url, meta: sandbox.endpoints.meta.url };
    for (const [url, doc] of [[urls.odoo, odooSeed(CATALOGUE)], [urls.shopify, shopifySeed(CATALOGUE)], [urls.prestashop, prestashopSeed()], [urls.meta, metaSeed(CATALOGUE)]] as const) {
      await post(`${url}/__sandbox/reset`, {});
      await post(`${url}/__sandbox/seed`, doc);
    }
    db = await freshDatabase('e2e_promotions');
    base = parse(demoYaml(sandbox, { dataDir: tempDir('promotions'), port: 0, logLevel: 'error' }));
    base.connections = { erp: base.connections.erp, shopify: base.connections.shopify, prestashop: base.connections.prestashop, facebook: base.connections.facebook };
    base.defaults.schedules = { poll: '1s', sweep: '15m' };
    base.connections.erp.config.pollOverlapSeconds = 2;
    base.connections.shopify.config.pricesIncludeTax = true;

    // The initial sync, without promotions: every channel lists every SKU at the ERP's stock.
    await start(false);
    await until('initial sync', async () => {
      const [erp, shop, ps, fb] = await Promise.all([odooView(urls.odoo), shopifyView(urls.shopify), prestashopView(urls.prestashop), facebookView(urls.meta)]);
      for (const [name, view] of [['Shopify', shop], ['PrestaShop', ps], ['Facebook', fb]] as const) {
        const wrong = SKUS.filter((sku) => view.stock.get(sku) !== erp.stock.get(sku));
        if (wrong.length) return `${name}: ${wrong[0]} shows ${view.stock.get(wrong[0]!)}, ERP ${erp.stock.get(wrong[0]!)}`;
      }
      return true;
    }, 90_000);
    for (const sku of [ON_TIME, OVERLAP, RESTART]) regular.set(sku, cents((await shopifyPrice(sku)).price));
    await stop();

    // Promotions as code, with windows a few seconds ahead.
    const t = Math.ceil(Date.now() / 1000) * 1000;
    w = { start: t + 10_000, end: t + 22_000, restartStart: t + 30_000, restartEnd: t + 52_000 };
    const window = (from: number, to: number) => ({ starts_at: new Date(from).toISOString().replace('.000Z', 'Z'), ends_at: new Date(to).toISOString().replace('.000Z', 'Z'), time_zone: 'Europe/Warsaw' });
    promotions = [
      { key: 'flash', name: 'Flash sale', discount: { percentage: 20 }, target: { skus: [ON_TIME] }, window: window(w.start, w.end) },
      { key: 'ten', name: 'Ten percent', discount: { percentage: 10 }, target: { skus: [OVERLAP] }, window: window(w.start, w.end), priority: 5 },
      { key: 'thirty-off', name: 'Thirty off', discount: { amount: 30 }, target: { skus: [OVERLAP] }, window: window(w.start, w.end), priority: 1 },
      { key: 'later', name: 'Later sale', discount: { percentage: 15 }, target: { skus: [RESTART] }, window: window(w.restartStart, w.restartEnd), channels: ['shopify', 'facebook'] },
    ];
    await start(true);
  }, 150_000);

  afterAll(async () => {
    await stop();
    await sandbox?.close();
    await db?.drop();
  });

  it('Facebook and PrestaShop hold the sale ahead of time; Shopify still shows the regular price', async () => {
    const expected = money(Math.round(regular.get(ON_TIME)! * 0.8));
    const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
    const held = await until('pushed ahead of time', async () => {
      const [item, ps] = await Promise.all([facebookItem(ON_TIME), prestashopOf(ON_TIME)]);
      if (item?.feed?.sale_price !== `${expected} PLN`) return `Facebook feed sale_price ${item?.feed?.sale_price}`;
      if (ps.specific.length !== 1) return `PrestaShop has ${ps.specific.length} specific prices`;
      return { item, ps };
    }, 15_000);
    expect(Date.now()).toBeLessThan(w.start);
    expect(held.item.feed.sale_price_effective_date).toBe(`${iso(w.start)}/${iso(w.end)}`);
    expect(held.item.sale_price).toBeUndefined();
    expect(held.ps.specific[0]).toMatchObject({ from: shopTime(w.start), to: shopTime(w.end), price: expect.stringMatching(/^-1/) });
    expect(await shopifyPrice(ON_TIME)).toEqual({ price: money(regular.get(ON_TIME)!), compareAt: null });
  }, 30_000);

  it('at the start every channel shows the promotional price; overlapping promotions give the customer the better one', async () => {
    await sleepUntil(w.start);
    const sale = money(Math.round(regular.get(ON_TIME)! * 0.8));
    const o = regular.get(OVERLAP)!;
    const best = money(Math.min(Math.round(o * 0.9), o - 3000));
    await until('promotion live everywhere', async () => {
      const [shop, item, overlap, ps] = await Promise.all([shopifyPrice(ON_TIME), facebookItem(ON_TIME), shopifyPrice(OVERLAP), prestashopOf(ON_TIME)]);
      if (shop.price !== sale || shop.compareAt !== money(regular.get(ON_TIME)!)) return `Shopify shows ${JSON.stringify(shop)}`;
      if (item.sale_price !== `${sale} PLN`) return `Facebook shows sale_price ${item.sale_price}`;
      if (overlap.price !== best) return `Shopify shows ${overlap.price} for ${OVERLAP}, best offer is ${best}`;
      const gross = prestashopNetAt(ps, Date.now()) * 1.23;
      if (Math.abs(gross - Number(sale)) > 0.011) return `PrestaShop charges ${gross.toFixed(3)} gross`;
      return true;
    }, 8_000);
    expect(Date.now()).toBeLessThan(w.end);
  }, 40_000);

  it('an ERP price change during the promotion yields the new promotional price, and the new regular price after it ends', async () => {
    const erp = await state(urls.odoo);
    const variant = erp.records['product.product'].find((p: Json) => p.default_code === ON_TIME);
    const template = Array.isArray(variant.product_tmpl_id) ? variant.product_tmpl_id[0] : variant.product_tmpl_id;
    const creds = sandbox.endpoints.odoo.credentials as Record<string, string>;
    await post(`${urls.odoo}/json/2/product.template/write`, { ids: [template], vals: { list_price: 99.99 } }, { authorization: `bearer ${creds.apiKey}`, 'x-odoo-database': creds.database! });
    await until('new promotional price', async () => {
      const [shop, item] = await Promise.all([shopifyPrice(ON_TIME), facebookItem(ON_TIME)]);
      if (shop.price !== '79.99' || shop.compareAt !== '99.99') return `Shopify shows ${JSON.stringify(shop)}`;
      if (item.sale_price !== '79.99 PLN' || item.price !== '99.99 PLN') return `Facebook shows ${item.sale_price} / ${item.price}`;
      return true;
    }, 10_000);
    expect(Date.now()).toBeLessThan(w.end);

    await sleepUntil(w.end);
    await until('regular prices back everywhere', async () => {
      const [shop, item, overlap, ps] = await Promise.all([shopifyPrice(ON_TIME), facebookItem(ON_TIME), shopifyPrice(OVERLAP), prestashopOf(ON_TIME)]);
      if (shop.price !== '99.99' || shop.compareAt !== null) return `Shopify shows ${JSON.stringify(shop)}`;
      if (item.sale_price !== undefined || item.price !== '99.99 PLN') return `Facebook shows ${item.sale_price} / ${item.price}`;
      if (overlap.price !== money(regular.get(OVERLAP)!) || overlap.compareAt !== null) return `Shopify shows ${JSON.stringify(overlap)} for ${OVERLAP}`;
      // PrestaShop ends it by itself; the hub also removes the spent row.
      if (ps.specific.length !== 0) return `PrestaShop still has ${ps.specific.length} specific prices`;
      if (Math.abs(ps.net * 1.23 - 99.99) > 0.011) return `PrestaShop charges ${(ps.net * 1.23).toFixed(3)} gross`;
      return true;
    }, 8_000);
  }, 60_000);

  it('a hub down across the start applies the promotion at boot; down across the end reverts it at boot', async () => {
    const sale = money(Math.round(regular.get(RESTART)! * 0.85));
    await stop();
    await sleepUntil(w.restartStart + 1_000);
    await start(true);
    await until('promotion applied at boot', async () => {
      const [shop, item] = await Promise.all([shopifyPrice(RESTART), facebookItem(RESTART)]);
      if (shop.price !== sale || shop.compareAt !== money(regular.get(RESTART)!)) return `Shopify shows ${JSON.stringify(shop)}`;
      if (item.sale_price !== `${sale} PLN`) return `Facebook shows sale_price ${item.sale_price}`;
      return true;
    }, 15_000);
    await stop();
    expect(Date.now()).toBeLessThan(w.restartEnd);

    await sleepUntil(w.restartEnd + 1_000);
    await start(true);
    await until('reverted at boot', async () => {
      const [shop, item] = await Promise.all([shopifyPrice(RESTART), facebookItem(RESTART)]);
      if (shop.price !== money(regular.get(RESTART)!) || shop.compareAt !== null) return `Shopify shows ${JSON.stringify(shop)}`;
      if (item.sale_price !== undefined) return `Facebook shows sale_price ${item.sale_price}`;
      return true;
    }, 15_000);
  }, 120_000);
});
