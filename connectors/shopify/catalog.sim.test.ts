import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../../core/sdk/index.ts';
import { SECRET, TOKEN } from '../../sandbox/shopify/test-support.ts';
import shopify from './index.ts';
import { desiredProduct, desiredVariant, price, startSim } from './test-helpers.ts';

const catalog = shopify.capabilities.catalog!;
let env: Awaited<ReturnType<typeof startSim>>;
beforeEach(async () => {
  env = await startSim();
});
afterEach(() => env.close());

const noCostSurprises = () => expect(env.t.logs.filter((l) => l.msg === 'shopify query cost above estimate')).toEqual([]);

describe('catalog.read against the simulator', () => {
  it('lists every product with its variants, page by page, and gets one by GID', async () => {
    const t = env.t;
    t.ctx.config.productPageSize = 1;
    const first = await catalog.read!.list(t.ctx, undefined);
    expect(first.items).toHaveLength(1);
    expect(first.next).toBeDefined();
    const second = await catalog.read!.list(t.ctx, first.next);
    expect(second.next).toBeUndefined();
    const [shirt, mug] = [first.items[0]!, second.items[0]!];
    expect(shirt.title).toEqual({ en: 'T-Shirt' });
    expect(shirt.brand).toBe('Acme');
    expect(shirt.variants.map((v) => [v.sku, v.attributes, v.price])).toEqual([
      ['TS-S', { Size: 'S' }, { gross: '19.99', currency: 'USD', compareAt: null }],
      ['TS-M', { Size: 'M' }, { gross: '19.99', currency: 'USD', compareAt: null }],
    ]);
    expect(mug.variants[0]!.attributes).toEqual({});

    const got = await catalog.read!.get(t.ctx, shirt.externalId);
    expect(got).toEqual(shirt);
    expect(await catalog.read!.get(t.ctx, 'gid://shopify/Product/999999')).toBeNull();
    noCostSurprises();
  });

  it('carries available at the managed location in every snapshot (the engine sees channel stock only there)', async () => {
    const page = await catalog.read!.list(env.t.ctx, undefined);
    const stockOf = (p: { variants: Array<{ sku: string | null; stock?: { available: number } }> }) => p.variants.map((v) => [v.sku, v.stock]);
    expect(page.items.map(stockOf)).toEqual([
      [['TS-S', { available: 10 }], ['TS-M', { available: 5 }]],
      [['MUG-1', { available: 3 }]],
    ]);
    // A write shows in the next read, the way the engine checks its own echo.
    const shirt = page.items[0]!;
    const small = shirt.variants[0]!;
    await shopify.capabilities.stock!.write!.set(env.t.ctx, [{ sku: 'TS-S', externalId: small.externalId, productExternalId: shirt.externalId, available: 7, expected: 10 }]);
    expect(stockOf((await catalog.read!.get(env.t.ctx, shirt.externalId))!)).toEqual([['TS-S', { available: 7 }], ['TS-M', { available: 5 }]]);

    // At a location that does not stock the variants, their stock is unknown, not zero.
    const state = await env.admin('/state');
    env.t.ctx.config.locationId = `gid://shopify/Location/${state.locations.find((l: any) => l.name === 'Store').id}`;
    expect(stockOf((await catalog.read!.get(env.t.ctx, shirt.externalId))!)).toEqual([['TS-S', undefined], ['TS-M', undefined]]);
  });

  it('reports prices as net when the shop shows prices without tax', async () => {
    env.t.ctx.config.pricesIncludeTax = false;
    const page = await catalog.read!.list(env.t.ctx, undefined);
    expect(page.items[0]!.variants[0]!.price).toEqual({ net: '19.99', currency: 'USD', compareAt: null });
  });
});

describe('catalog.write (productSet) against the simulator', () => {
  it('creates a product, and a retry before the binding is stored finds it by its stable handle', async () => {
    const item = desiredProduct('hub-cap-1', {
      title: { en: 'Cap' },
      brand: 'Acme',
      variants: [
        desiredVariant('CAP-RED', { attributes: { Colour: 'Red' }, price: price('12.00'), stock: 4 }),
        desiredVariant('CAP-BLUE', { attributes: { Colour: 'Blue' }, price: price('12.50', '15.00') }),
      ],
      groups: ['content', 'price', 'status', 'stock'],
    });
    const [created] = await catalog.write!.upsert(env.t.ctx, [item]);
    expect(created).toMatchObject({ ok: true });
    if (!created!.ok) throw new Error('unreachable');
    expect(Object.keys(created!.variantIds!).sort()).toEqual(['CAP-BLUE', 'CAP-RED']);

    const [again] = await catalog.write!.upsert(env.t.ctx, [item]);
    expect(again).toMatchObject({ ok: true, externalId: created!.externalId, variantIds: created!.variantIds });

    const snap = await catalog.read!.get(env.t.ctx, created!.externalId);
    expect(snap!.variants.map((v) => [v.sku, v.attributes?.Colour, v.price!.gross, v.price!.compareAt])).toEqual([
      ['CAP-RED', 'Red', '12.00', null],
      ['CAP-BLUE', 'Blue', '12.50', '15.00'],
    ]);
    // New variants are tracked and stocked at the managed location, so stock.write can set them later.
    const stock = await shopify.capabilities.stock!.read!.get(env.t.ctx, [{ sku: 'CAP-RED', externalId: created!.variantIds!['CAP-RED']! }]);
    expect(stock).toEqual([{ externalId: created!.variantIds!['CAP-RED'], available: 4 }]);
    const state = await env.admin('/state');
    expect(state.products.filter((p: any) => p.title === 'Cap')).toHaveLength(1);
    noCostSurprises();
  });

  it('asks once per batch which handles exist: new products are created without a read, an existing one is read and kept', async () => {
    const item = (id: string) => desiredProduct(id, { variants: [desiredVariant(`${id}-A`, { attributes: { Size: 'A' }, price: price('5.00') })] });
    const [first] = await catalog.write!.upsert(env.t.ctx, [item('hub-b')]);
    if (!first!.ok) throw new Error('the first create failed');
    const operations: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      operations.push(/^\s*(?:query|mutation)\s+(\w+)/.exec(((await req.clone().json()) as { query: string }).query)?.[1] ?? '?');
      return fetch(req);
    };
    const t = createTestContext(shopify, { shop: 'omnihub-sandbox', accessToken: TOKEN, endpoint: env.running.url, webhookSecret: SECRET }, { fetch: recording });
    // hub-b was created by an attempt whose answer was lost (no binding yet): it comes again without an id.
    const results = await catalog.write!.upsert(t.ctx, [item('hub-a'), item('hub-b'), item('hub-c')]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results[1]).toMatchObject({ externalId: first!.externalId });
    expect(operations.filter((o) => o !== 'FirstLocation')).toEqual(['ProductsByHandle', 'ProductSet', 'ProductForWrite', 'ProductSet', 'ProductSet']);
    const state = await env.admin('/state');
    expect(state.products.filter((p: any) => /^hub-[abc]$/.test(p.title))).toHaveLength(3);
  });

  it('updates a linked product without deleting the variants the hub does not own', async () => {
    const page = await catalog.read!.list(env.t.ctx, undefined);
    const shirt = page.items.find((p) => p.title?.en === 'T-Shirt')!;
    const small = shirt.variants.find((v) => v.sku === 'TS-S')!;
    const medium = shirt.variants.find((v) => v.sku === 'TS-M')!;

    // The hub owns only TS-S; TS-M is the merchant's own and must survive with its price.
    const item = desiredProduct('hub-shirt', {
      externalId: shirt.externalId,
      title: { en: 'T-Shirt (organic)' },
      groups: ['content', 'price'],
      variants: [desiredVariant('TS-S', { externalId: small.externalId, attributes: { Size: 'S' }, price: price('17.00', '19.99') })],
    });
    const [result] = await catalog.write!.upsert(env.t.ctx, [item]);
    expect(result).toEqual({ ok: true, externalId: shirt.externalId, variantIds: { 'TS-S': small.externalId } });

    const after = await catalog.read!.get(env.t.ctx, shirt.externalId);
    expect(after!.title).toEqual({ en: 'T-Shirt (organic)' });
    expect(after!.variants.map((v) => [v.externalId, v.sku, v.price!.gross, v.price!.compareAt])).toEqual([
      [small.externalId, 'TS-S', '17.00', '19.99'],
      [medium.externalId, 'TS-M', '19.99', null],
    ]);

    // A new hub variant is added next to the merchant's one, still without dropping it.
    const [added] = await catalog.write!.upsert(env.t.ctx, [
      { ...item, variants: [...item.variants, desiredVariant('TS-L', { attributes: { Size: 'L' }, price: price('21.00') })] },
    ]);
    expect(added).toMatchObject({ ok: true, variantIds: { 'TS-S': small.externalId } });
    const final = await catalog.read!.get(env.t.ctx, shirt.externalId);
    expect(final!.variants.map((v) => v.sku).sort()).toEqual(['TS-L', 'TS-M', 'TS-S']);
    noCostSurprises();
  });

  it('reports a product deleted on Shopify and a refused input as business failures, item by item', async () => {
    const results = await catalog.write!.upsert(env.t.ctx, [
      desiredProduct('gone', { externalId: 'gid://shopify/Product/424242', variants: [desiredVariant('X', { price: price('1.00') })] }),
      desiredProduct('negative', { variants: [desiredVariant('NEG', { price: price('-1.00') })] }),
      desiredProduct('fine', { variants: [desiredVariant('FINE', { price: price('3.00') })] }),
    ]);
    expect(results[0]).toMatchObject({ ok: false, kind: 'business', message: expect.stringContaining('no longer exists') });
    expect(results[1]).toMatchObject({ ok: false, kind: 'business', message: expect.stringContaining('Price must be greater than or equal to 0') });
    expect(results[2]).toMatchObject({ ok: true });
  });
});
