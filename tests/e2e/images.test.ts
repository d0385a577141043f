import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import odoo from '../../connectors/odoo/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import shopify from '../../connectors/shopify/index.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { defineConnector, type ProductSnapshot } from '../../core/sdk/index.ts';
import { type ImageHost, sha256Hex, solidPng, startImageHost } from '../../sandbox/common/image-host.ts';
import { demoCatalogue, odooSeed, prestashopSeed, shopifySeed } from '../../sandbox/demo/seed.ts';
import { startSandbox, type Sandbox } from '../../sandbox/registry.ts';
import { type EngineHarness, startEngine } from '../support/engine-harness.ts';
import { until } from '../support/until.ts';

/**
 * Issue #5, images: the ERP (Odoo) owns content, price and stock; product photos come from the merchant's media
 * library (a PIM), which owns the `media` group. Both shops receive them: PrestaShop by webservice upload,
 * Shopify through productSet `files`. A second sync uploads nothing; replacing one photo uploads exactly one and
 * removes the one the hub had put there. Every claim is read from the simulators' own state and request logs.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- simulator state documents

// Five demo products, as in shops.test.ts (the Shopify seed lists some of them); the library has photos for the first.
const CATALOGUE = demoCatalogue().slice(0, 5);
const SKU = CATALOGUE[0]!.variants[0]!.sku;

/** The media library: a JSON list of products (by SKU) with image URLs and their content hashes. */
const pim = defineConnector({
  name: 'pim',
  version: '1.0.0',
  config: z.strictObject({ url: z.url() }),
  http: (config) => ({ prefixUrl: config.url }),
  capabilities: {
    catalog: {
      read: {
        async list(ctx) {
          return { items: await ctx.http.get('catalog.json').json<ProductSnapshot[]>() };
        },
        async get(ctx, id) {
          return (await ctx.http.get('catalog.json').json<ProductSnapshot[]>()).find((p) => p.externalId === id) ?? null;
        },
      },
    },
  },
  // A library without change notifications: every poll reports every product; the engine hydrates and diffs.
  async poll(ctx) {
    for (const p of await ctx.http.get('catalog.json').json<ProductSnapshot[]>()) await ctx.emit({ kind: 'product', externalId: p.externalId });
  },
});

const json = async (res: Response): Promise<Json> => {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
};
const state = (url: string) => fetch(`${url}/__sandbox/state`).then(json);
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);
const requests = (url: string) => fetch(`${url}/__sandbox/requests`).then(json) as Promise<Array<{ method: string; path: string; status: number }>>;
const clearRequests = (url: string) => fetch(`${url}/__sandbox/requests`, { method: 'DELETE' });

describe('issue #5: product images from the media owner reach PrestaShop and Shopify (real engine, simulators)', () => {
  let sandbox: Sandbox;
  let hub: EngineHarness;
  let host: ImageHost;
  let urls: { shopify: string; prestashop: string; odoo: string };
  const photos = { red: solidPng(220, 20, 20, 8), blue: solidPng(20, 20, 220, 8), green: solidPng(20, 220, 20, 8) };
  const publish = (names: Array<keyof typeof photos>) => {
    const images = names.map((n) => ({ url: host.put(`photos/${n}.png`, photos[n]), sha256: sha256Hex(photos[n]) }));
    const catalogue: ProductSnapshot[] = [{ externalId: `pim-${SKU}`, images, variants: [{ externalId: `pim-${SKU}-v`, sku: SKU }] }];
    host.put('catalog.json', Buffer.from(JSON.stringify(catalogue)), 'application/json');
  };

  /** PrestaShop: the product's images (shop ids) and the binding's record of what the hub uploaded. */
  const prestashopImages = async () => {
    const s = await state(urls.prestashop);
    const product = (s.resources.products ?? []).find((p: Json) => p.fields.reference === SKU);
    return product ? (s.images as Json[]).filter((i) => i.productId === product.id) : [];
  };
  const shopifyFiles = async () => {
    const s = await state(urls.shopify);
    const product = s.products.find((p: Json) => p.variants.some((v: Json) => v.sku === SKU));
    return { product, files: (product?.media ?? []).map((id: number) => s.files.find((f: Json) => f.id === id)), total: s.files.length };
  };
  const bound = async (connection: string) => {
    const { rows } = await hub.db.query<{ pushed: Json }>(
      `SELECT b.pushed FROM bindings b JOIN variants v ON v.product_id = b.internal_id WHERE b.connection = $1 AND b.kind = 'product' AND v.sku = $2`,
      [connection, SKU],
    );
    return (rows[0]?.pushed.media?.value ?? []) as Array<{ sha256?: string; externalId?: string }>;
  };

  beforeAll(async () => {
    host = await startImageHost();
    publish(['red', 'blue']);
    sandbox = await startSandbox({ ports: 'free', seed: 'none' });
    urls = { shopify: sandbox.endpoints.shopify.url, prestashop: sandbox.endpoints.prestashop.url, odoo: sandbox.endpoints.odoo.url };
    for (const [url, doc] of [[urls.odoo, odooSeed(CATALOGUE)], [urls.shopify, shopifySeed(CATALOGUE)], [urls.prestashop, prestashopSeed()]] as const) {
      await post(`${url}/__sandbox/reset`, {});
      await post(`${url}/__sandbox/seed`, doc);
    }
    const config = parse(demoYaml(sandbox, { dataDir: '/nonexistent', port: 0, logLevel: 'warn' }));
    config.connections = { erp: config.connections.erp, shopify: config.connections.shopify, prestashop: config.connections.prestashop, pim: { connector: 'pim', config: { url: host.url } } };
    config.ownership.media = 'pim';
    config.defaults.schedules = { poll: '1s', sweep: '15m' };
    config.connections.shopify.schedules = { poll: '1h' };
    hub = await startEngine(stringify(config), [odoo, shopify, prestashop, pim]);
  }, 90_000);

  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
    await host?.close();
  });

  it('both shops get both photos, each uploaded once; the bindings hold their content hashes', async () => {
    const want = [sha256Hex(photos.red), sha256Hex(photos.blue)];
    await until('photos on both shops', async () => {
      const [ps, shop] = await Promise.all([prestashopImages(), shopifyFiles()]);
      if (ps.length !== 2) return `PrestaShop has ${ps.length} images`;
      const ready = shop.files.filter((f: Json) => f.status === 'READY');
      if (ready.length !== 2) return `Shopify has ${ready.length} ready files of ${shop.files.length}`;
      // The hub records what it uploaded once the channel has answered: the binding follows the images.
      const psBound = await bound('prestashop');
      if (psBound.length !== 2) return `the PrestaShop binding holds ${psBound.length} images`;
      return true;
    }, 60_000);
    // Shopify downloaded exactly the library's bytes.
    expect((await shopifyFiles()).files.map((f: Json) => f.sha256)).toEqual(want);
    // PrestaShop re-encodes what it stores, so the binding is the only place the source hashes can live.
    const ps = await prestashopImages();
    expect(ps.map((i: Json) => i.sha256)).not.toEqual(want);
    const psBound = await bound('prestashop');
    expect(psBound.map((i) => i.sha256)).toEqual(want);
    expect(psBound.map((i) => i.externalId)).toEqual(ps.map((i: Json) => String(i.id)));
    const uploads = (await requests(urls.prestashop)).filter((r) => r.method === 'POST' && r.path.startsWith('/api/images/'));
    expect(uploads).toHaveLength(2);
  }, 90_000);

  it('a second sync (sweeps, polls and a forced reconcile) uploads nothing', async () => {
    await Promise.all([clearRequests(urls.prestashop), clearRequests(urls.shopify)]);
    const before = await shopifyFiles();
    for (const name of ['pim', 'erp', 'prestashop', 'shopify']) await hub.engine.sweep(name);
    const { rows } = await hub.db.query<{ id: string }>('SELECT id FROM products');
    await hub.engine.requestReconcile(rows.map((r) => r.id));
    await hub.settle();
    const ps = (await requests(urls.prestashop)).filter((r) => r.path.startsWith('/api/images/') && r.method !== 'GET');
    expect(ps).toEqual([]);
    const after = await shopifyFiles();
    expect(after.total).toBe(before.total);
    expect(after.product.media).toEqual(before.product.media);
  }, 90_000);

  it('replacing one photo uploads exactly one and removes only the old one the hub had uploaded', async () => {
    const old = { ps: await bound('prestashop'), shop: await shopifyFiles() };
    await Promise.all([clearRequests(urls.prestashop), clearRequests(urls.shopify)]);
    publish(['red', 'green']);
    await until('green on both shops', async () => {
      const [ps, shop] = await Promise.all([bound('prestashop'), shopifyFiles()]);
      if (ps[1]?.sha256 !== sha256Hex(photos.green)) return 'PrestaShop binding has no green yet';
      if (shop.files.filter((f: Json) => f.status === 'READY').map((f: Json) => f.sha256).join() !== [sha256Hex(photos.red), sha256Hex(photos.green)].join()) return 'Shopify does not show red + green yet';
      return true;
    }, 60_000);
    const writes = (await requests(urls.prestashop)).filter((r) => r.path.startsWith('/api/images/') && r.method !== 'GET');
    expect(writes.map((r) => r.method).sort()).toEqual(['DELETE', 'POST']);
    expect(writes.find((r) => r.method === 'DELETE')!.path).toMatch(new RegExp(`/${old.ps[1]!.externalId}$`));
    const ps = await prestashopImages();
    expect(ps.map((i: Json) => String(i.id))).toEqual([old.ps[0]!.externalId, (await bound('prestashop'))[1]!.externalId]);
    const shop = await shopifyFiles();
    // One new file; red kept under the same id; blue detached from the product.
    expect(shop.total).toBe(old.shop.total + 1);
    expect(shop.product.media[0]).toBe(old.shop.product.media[0]);
    expect(shop.product.media).not.toContain(old.shop.product.media[1]);
  }, 90_000);
});
