import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';

/**
 * `catalog.read.getMany`: an inbound batch hinting at several products reads them together; a failing getMany
 * falls back to one `get` each, and nothing hinted is lost.
 */
describe('inbound hints read with catalog.read.getMany', () => {
  const erp = createTestChannel();
  const shop = createTestChannel();
  const servers: Array<{ close(): Promise<void> }> = [];
  const calls = { getMany: [] as string[][], get: [] as string[] };
  let failGetMany = false;
  let h: EngineHarness;

  // The test connector with a getMany (one get per id underneath: what is counted is how the engine asks).
  const read = testchannel.capabilities.catalog!.read!;
  const batched: typeof testchannel = {
    ...testchannel,
    name: 'batchedchannel',
    capabilities: {
      ...testchannel.capabilities,
      catalog: {
        ...testchannel.capabilities.catalog,
        read: {
          list: read.list,
          get: (ctx, id) => {
            calls.get.push(id);
            return read.get(ctx, id);
          },
          getMany: async (ctx, ids) => {
            calls.getMany.push(ids);
            if (failGetMany) throw new Error('the channel refused the batch read');
            return Promise.all(ids.map((id) => read.get(ctx, id)));
          },
        },
      },
    },
  };

  const stockOf = (sku: string) => [...erp.products.values()].flatMap((p) => p.variants).find((v) => v.sku === sku)!.stock;

  beforeAll(async () => {
    const e = await serveApp(erp.app);
    const s = await serveApp(shop.app);
    servers.push(e, s);
    h = await startEngine(
      `
connections:
  erp: { connector: testchannel, config: { url: "${e.url}", webhookSecret: e } }
  shop: { connector: batchedchannel, config: { url: "${s.url}", webhookSecret: s } }
ownership: { content: shop, price: shop, stock: shop }
`,
      [testchannel, batched],
    );
    for (const n of [1, 2, 3]) {
      shop.addProduct({ id: `p${n}`, title: `Product ${n}`, variants: [{ id: `v${n}`, sku: `SKU-${n}`, gross: '10.00', stock: 5 }] });
      erp.addProduct({ id: `e${n}`, title: `Product ${n}`, variants: [{ id: `ev${n}`, sku: `SKU-${n}`, gross: '10.00', stock: 5 }] });
    }
    await h.engine.sweep('shop');
    await h.engine.sweep('erp');
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('hints at three products in one batch: one getMany of the three, no get', async () => {
    calls.get.length = 0;
    calls.getMany.length = 0;
    for (const n of [1, 2, 3]) shop.products.get(`p${n}`)!.variants[0]!.stock = 10 + n;
    await h.engine.hint('shop', [1, 2, 3].map((n) => ({ kind: 'product' as const, externalId: `p${n}` })));
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    expect(calls.getMany.map((ids) => [...ids].sort())).toEqual([['p1', 'p2', 'p3']]);
    expect(calls.get).toEqual([]);
    expect([1, 2, 3].map((n) => stockOf(`SKU-${n}`))).toEqual([11, 12, 13]);
  });

  it('a failing getMany is not a failed batch: the products are read one by one and applied', async () => {
    calls.get.length = 0;
    calls.getMany.length = 0;
    failGetMany = true;
    for (const n of [1, 2]) shop.products.get(`p${n}`)!.variants[0]!.stock = 20 + n;
    await h.engine.hint('shop', [1, 2].map((n) => ({ kind: 'product' as const, externalId: `p${n}` })));
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    failGetMany = false;
    expect(calls.getMany).toHaveLength(1);
    expect([...calls.get].sort()).toEqual(['p1', 'p2']);
    expect([1, 2].map((n) => stockOf(`SKU-${n}`))).toEqual([21, 22]);
  });
});
