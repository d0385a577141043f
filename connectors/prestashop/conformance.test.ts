import { afterAll, expect, inject, it } from 'vitest';
import type { ConformanceHarness } from '../../core/conformance/kit.ts';
import { runConformance } from '../../core/conformance/vitest.ts';
import { listen, type RunningSimulator, type Simulator } from '../../sandbox/common/simulator.ts';
import { createPrestashopSimulator, DEFAULT_WS_KEY, demoSeed } from '../../sandbox/prestashop/index.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import prestashop from './index.ts';

/**
 * The conformance kit against the PrestaShop webservice simulator. PrestaShop has no webhooks (the kit skips that
 * check); everything else runs on the real engine. Products are seeded through the simulator's admin seed (not the
 * webservice), so seeding is not counted as a write; a deletion goes through the webservice like a merchant's would.
 */
let running: RunningSimulator | undefined;
let requests: Simulator['requests'] = [];
afterAll(async () => {
  await running?.close();
});

/** Where the connector writes stock and prices on 8.x (PATCH, partial update). */
const WRITE_PATHS = '^/api/(stock_availables|products|combinations)/';

async function harness(): Promise<ConformanceHarness> {
  const sim = createPrestashopSimulator({ seed: demoSeed });
  running = await listen(sim);
  requests = sim.requests;
  const url = running.url;
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}/__sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const base = { url, key: DEFAULT_WS_KEY, languages: { pl: 1, en: 2 }, taxRuleGroups: { '0.23': 1 }, requestsPerSecond: 100 };
  let nextProduct = 100;
  const productOfSku = new Map<string, number>();
  return {
    connector: prestashop,
    config: base,
    invalidConfigs: [
      { config: { ...base, url: 'not a url' }, path: 'url' },
      { config: { url, languages: { pl: 1 } }, path: 'key' },
      { config: { ...base, languages: {} }, path: 'languages' },
      { config: { ...base, version: '9' }, path: 'version' },
      { config: { ...base, colour: 'red' }, path: 'colour' },
    ],
    async seedProduct(p) {
      const id = nextProduct++;
      productOfSku.set(p.sku, id);
      // PrestaShop stores the tax-excluded price; the harness's price is taken as that.
      await admin('/seed', {
        resources: {
          products: [{
            id, reference: p.sku, price: p.price, id_tax_rules_group: '1', id_category_default: '2', active: '1', state: '1',
            product_type: 'standard', name: p.title, link_rewrite: `kit-${id}`, associations: { categories: [{ id: 2 }] },
          }],
        },
        stock: [{ id_product: id, quantity: p.stock }],
      });
      return { productExternalId: String(id) };
    },
    async deleteProduct(productExternalId) {
      const res = await fetch(`${url}/api/products/${productExternalId}`, {
        method: 'DELETE',
        headers: { Authorization: `Basic ${Buffer.from(`${DEFAULT_WS_KEY}:`).toString('base64')}` },
      });
      if (!res.ok) throw new Error(`DELETE products/${productExternalId} answered ${res.status}`);
    },
    async failWrites(status, times, retryAfterSeconds) {
      await admin('/faults', {
        kind: 'status', status, times, method: 'PATCH', path: WRITE_PATHS,
        headers: { 'retry-after': String(retryAfterSeconds) },
      });
    },
    async writeCount() {
      const log = (await admin('/requests')) as Array<{ method: string }>;
      return log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length;
    },
    async placeOrder(sku, quantity) {
      const id = productOfSku.get(sku);
      if (id === undefined) throw new Error(`no product seeded with SKU ${sku}`);
      const sale = (await admin('/sale', { lines: [{ id_product: id, quantity }] })) as { id_order: number };
      return { orderExternalId: String(sale.id_order) };
    },
  };
}

runConformance(harness, { database: () => freshDatabase('prestashop'), redisUrl: inject('redisUrl') });

// Guards the harness itself: the retries check proves nothing unless the injected answers hit the connector's writes.
it('the injected 429 and 503s were answered to the connector\'s PATCH writes, which were then repeated', () => {
  const faulted = requests.filter((r) => r.status === 429 || r.status === 503);
  expect(faulted.map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 429', 'PATCH 503', 'PATCH 503']);
  const last = requests.lastIndexOf(faulted[2]!);
  expect(requests.slice(last + 1).some((r) => r.method === 'PATCH' && r.path === faulted[2]!.path && r.status === 200)).toBe(true);
  // Every write the hub made was a PATCH of stock or price, never a product re-created (the seeded one was linked).
  expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
});
