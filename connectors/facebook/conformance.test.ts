import { afterAll, inject } from 'vitest';
import type { ConformanceHarness } from '../../core/conformance/kit.ts';
import { runConformance } from '../../core/conformance/vitest.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createMetaSimulator } from '../../sandbox/meta/index.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import facebook from './index.ts';

/**
 * The conformance kit against the Meta simulator's Catalog API. Everything goes over real HTTP: the product is
 * seeded and deleted through the simulator's admin endpoint and `items_batch` (DELETE), faults are injected on
 * `POST …/items_batch` (the only path this connector writes), and writes are counted from the request log
 * (every catalogue write is a POST; every read is a GET).
 */
const CATALOG = '367025965434465';
const TOKEN = 'sandbox-access-token';

let running: RunningSimulator | undefined;
afterAll(async () => {
  await running?.close();
});

async function call(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(`${running!.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function harness(): Promise<ConformanceHarness> {
  // Batches are applied at once (no simulated processing time), so the engine is never held by our poll interval.
  running = await listen(createMetaSimulator({ batchProcessingMs: 0 }));
  const url = running.url;
  await call('/__sandbox/seed', { method: 'POST', body: { catalogs: [{ id: CATALOG }] } });
  const config = {
    catalogId: CATALOG,
    accessToken: TOKEN,
    productUrlTemplate: 'https://shop.example/p/{sku}',
    graphUrl: url,
    batchPollIntervalMs: 20,
    batchPollAttempts: 20,
    pageSize: 50,
  };
  return {
    connector: facebook,
    config,
    invalidConfigs: [
      { config: { ...config, catalogId: 'my-catalogue' }, path: 'catalogId' },
      { config: { ...config, accessToken: undefined }, path: 'accessToken' },
      { config: { ...config, productUrlTemplate: 'https://shop.example/p/' }, path: 'productUrlTemplate' },
      { config: { ...config, graphUrl: 'not a url' }, path: 'graphUrl' },
      { config: { ...config, pollEvery: 5 }, path: 'pollEvery' },
    ],
    async seedProduct(p) {
      await call('/__sandbox/seed', {
        method: 'POST',
        body: {
          catalogs: [
            {
              id: CATALOG,
              products: [
                {
                  id: p.sku,
                  title: p.title,
                  price: `${p.price} PLN`,
                  link: `https://shop.example/p/${p.sku}`,
                  image_link: `https://shop.example/i/${p.sku}.jpg`,
                  availability: p.stock > 0 ? 'in stock' : 'out of stock',
                  quantity_to_sell_on_facebook: p.stock,
                },
              ],
            },
          ],
        },
      });
      // One item per retailer id: the connector's product id is the SKU (see read-catalog.ts).
      return { productExternalId: p.sku };
    },
    async deleteProduct(id) {
      await call(`/v26.0/${CATALOG}/items_batch`, {
        method: 'POST',
        body: { item_type: 'PRODUCT_ITEM', requests: [{ method: 'DELETE', data: { id } }] },
      });
    },
    async failWrites(status, times, retryAfterSeconds) {
      await call('/__sandbox/faults', {
        method: 'POST',
        body: { kind: 'status', status, times, method: 'POST', path: '/items_batch$', headers: { 'retry-after': String(retryAfterSeconds) } },
      });
    },
    async writeCount() {
      const log = (await call('/__sandbox/requests')) as Array<{ method: string; path: string }>;
      return log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length;
    },
  };
}

runConformance(harness, { database: () => freshDatabase('facebook'), redisUrl: inject('redisUrl') });
