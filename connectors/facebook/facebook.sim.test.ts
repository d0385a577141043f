import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, createTestContext, RetryableError, type DesiredProduct, type DesiredVariant } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createMetaSimulator, type MetaSimulator } from '../../sandbox/meta/index.ts';
import facebook from './index.ts';

const CATALOG = '367025965434465';
const TOKEN = 'sandbox-access-token';
const START = Date.UTC(2026, 10, 2, 9, 0, 0);
const DAY = 86_400_000;

let t = START;
let sim: MetaSimulator;
let running: RunningSimulator;
let statusChecks = 0;

/** Each status check moves the simulator's clock one second, so a 3 s batch needs several checks (no sleeping). */
const clockedFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (url.includes('check_batch_request_status')) {
    statusChecks++;
    t += 1000;
  }
  return fetch(input, init);
};

function context(overrides: Record<string, unknown> = {}) {
  return createTestContext(
    facebook,
    {
      catalogId: CATALOG,
      accessToken: TOKEN,
      productUrlTemplate: 'https://shop.example/p/{sku}',
      graphUrl: running.url,
      batchPollIntervalMs: 0,
      batchPollAttempts: 10,
      ...overrides,
    },
    { fetch: clockedFetch },
  );
}

const price = (gross: string, currency = 'PLN', compareAt: string | null = null) => ({ gross, net: gross, taxRate: '0.23', currency, compareAt });

function variant(sku: string, extra: Partial<DesiredVariant> = {}): DesiredVariant {
  return {
    sku,
    ean: null,
    externalId: undefined,
    title: { pl: sku.endsWith('M') ? 'M' : 'L' },
    attributes: { size: sku.slice(-1) },
    price: price('49.99'),
    stock: 5,
    status: 'active',
    images: [{ url: `https://shop.example/i/${sku}.jpg` }],
    ...extra,
  };
}

function product(internalId: string, variants: DesiredVariant[]): DesiredProduct {
  return {
    internalId,
    externalId: undefined,
    groups: ['content', 'media', 'category', 'price', 'stock', 'status'],
    title: { pl: 'Kubek', en: 'Mug' },
    description: { pl: 'Kubek kamionkowy' },
    brand: 'Omni',
    category: 'Home > Mugs',
    attributes: {},
    images: [],
    status: 'active',
    variants,
  };
}

const seedItem = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Mug ${id}`,
  price: '49.99 PLN',
  link: `https://shop.example/p/${id}`,
  image_link: `https://shop.example/i/${id}.jpg`,
  quantity_to_sell_on_facebook: 3,
  ...extra,
});

const stored = (id: string) => sim.ctx.catalogs.catalogs.get(CATALOG)!.items.get(id)?.fields;

beforeAll(async () => {
  sim = createMetaSimulator({ now: () => t, batchProcessingMs: 3000 });
  running = await listen(sim);
});
afterAll(() => running.close());
beforeEach(() => {
  sim.ctx.catalogs.reset();
  t = START;
  statusChecks = 0;
  sim.seed({ catalogs: [{ id: CATALOG, products: [seedItem('MUG-1'), seedItem('MUG-2'), seedItem('MUG-3')] }] });
});

describe('facebook catalogue writes (items_batch)', () => {
  it('creates a product with two variants, polling the batch until Meta has processed it', async () => {
    const { ctx } = context();
    const results = await facebook.capabilities.catalog!.write!.upsert(ctx, [product('p-tee', [variant('TEE-M'), variant('TEE-L')])]);
    expect(results).toEqual([{ ok: true, externalId: 'p-tee', variantIds: { 'TEE-M': 'TEE-M', 'TEE-L': 'TEE-L' } }]);
    // 3 s of processing at one simulated second per check: the connector had to ask at least three times.
    expect(statusChecks).toBeGreaterThanOrEqual(3);
    expect(stored('TEE-M')).toMatchObject({
      title: 'Kubek – M',
      description: 'Kubek kamionkowy',
      price: '49.99 PLN',
      availability: 'in stock',
      quantity_to_sell_on_facebook: 5,
      link: 'https://shop.example/p/TEE-M',
      image_link: 'https://shop.example/i/TEE-M.jpg',
      item_group_id: 'p-tee',
      size: 'M',
      product_type: 'Home > Mugs',
      visibility: 'published',
    });
  });

  it('reports a price Meta rejects on that item only, the others are applied', async () => {
    const { ctx } = context();
    const results = await facebook.capabilities.prices!.write.set(ctx, [
      { sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, price: price('39.90') },
      { sku: 'MUG-2', externalId: 'MUG-2', productExternalId: undefined, price: price('12.50', 'ZZZ') },
      { sku: 'MUG-3', externalId: 'MUG-3', productExternalId: undefined, price: price('19.999') },
    ]);
    expect(results[0]).toEqual({ ok: true, externalId: 'MUG-1' });
    expect(results[1]).toMatchObject({ ok: false, kind: 'business' });
    expect((results[1] as { message: string }).message).toMatch(/MUG-2: Invalid price "12.50 ZZZ"/);
    expect(results[2]).toEqual({ ok: true, externalId: 'MUG-3' });
    expect(stored('MUG-1')!.price).toBe('39.90 PLN');
    expect(stored('MUG-2')!.price).toBe('49.99 PLN');
    expect(stored('MUG-3')!.price).toBe('20.00 PLN');
  });

  it('refuses an amount it cannot format without sending it', async () => {
    const { ctx } = context();
    const results = await facebook.capabilities.prices!.write.set(ctx, [
      { sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, price: price('-5.00') },
    ]);
    expect(results).toEqual([{ ok: false, kind: 'business', message: expect.stringContaining('cannot be sent to Meta') }]);
    expect(statusChecks).toBe(0);
  });

  it('an update of an item missing from the catalogue fails on that item with Meta’s reason', async () => {
    const { ctx } = context();
    const results = await facebook.capabilities.stock!.write!.set(ctx, [
      { sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, available: 0, expected: undefined },
      { sku: 'GHOST', externalId: 'GHOST', productExternalId: undefined, available: 4, expected: undefined },
    ]);
    expect(results[0]).toEqual({ ok: true, externalId: 'MUG-1' });
    expect(results[1]).toMatchObject({ ok: false, kind: 'business', message: expect.stringMatching(/GHOST: Required field title is missing/) });
    expect(stored('MUG-1')).toMatchObject({ quantity_to_sell_on_facebook: 0, availability: 'out of stock' });
  });

  it('gives up after the configured number of checks and leaves the items retryable', async () => {
    const { ctx } = context({ batchPollAttempts: 2 });
    sim.ctx.options.batchProcessingMs = 60_000;
    try {
      const results = await facebook.capabilities.stock!.write!.set(ctx, [
        { sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, available: 9, expected: undefined },
      ]);
      expect(statusChecks).toBe(2);
      expect(results).toEqual([{ ok: false, kind: 'retryable', message: expect.stringContaining('still processing') }]);
    } finally {
      sim.ctx.options.batchProcessingMs = 3000;
    }
  });

  it('pushes a promotion ahead of time; Meta shows the sale price only inside the window', async () => {
    const { ctx } = context();
    const startsAt = new Date(START + DAY);
    const endsAt = new Date(START + 3 * DAY);
    const results = await facebook.capabilities.promotions!.write.apply(ctx, [
      { sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, price: price('29.99'), regular: price('49.99'), startsAt, endsAt, promotionKey: 'black-friday' },
    ]);
    expect(results).toEqual([{ ok: true, externalId: 'MUG-1' }]);
    expect(stored('MUG-1')).toMatchObject({
      price: '49.99 PLN',
      sale_price: '29.99 PLN',
      sale_price_effective_date: '2026-11-03T09:00:00+00:00/2026-11-05T09:00:00+00:00',
    });
    const before = await facebook.capabilities.catalog!.read!.get(ctx, 'MUG-1');
    expect(before!.variants[0]!.price).toEqual({ gross: '49.99', currency: 'PLN', compareAt: null });
    t = START + 2 * DAY;
    const during = await facebook.capabilities.catalog!.read!.get(ctx, 'MUG-1');
    expect(during!.variants[0]!.price).toEqual({ gross: '29.99', currency: 'PLN', compareAt: '49.99' });

    // An empty window removes the sale.
    await facebook.capabilities.promotions!.write.apply(ctx, [
      { sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, price: price('29.99'), regular: price('49.99'), startsAt: endsAt, endsAt: endsAt, promotionKey: 'black-friday' },
    ]);
    expect(stored('MUG-1')!.sale_price).toBeUndefined();
    expect(facebook.capabilities.promotions!.write.describe().scheduledByChannel).toBe(true);
  });

  it('throws an AuthError when Meta refuses the token, and a RetryableError with a wait on the batch rate limit', async () => {
    const bad = context({ accessToken: 'revoked' });
    await expect(
      facebook.capabilities.stock!.write!.set(bad.ctx, [{ sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, available: 1, expected: undefined }]),
    ).rejects.toBeInstanceOf(AuthError);

    sim.ctx.options.catalogBatchCallsPerHour = 1;
    try {
      const { ctx } = context();
      const one = [{ sku: 'MUG-1', externalId: 'MUG-1', productExternalId: undefined, available: 1, expected: undefined }];
      await facebook.capabilities.stock!.write!.set(ctx, one);
      const err = await facebook.capabilities.stock!.write!.set(ctx, one).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect((err as RetryableError).retryAfterMs).toBeGreaterThan(0);
    } finally {
      sim.ctx.options.catalogBatchCallsPerHour = 200;
    }
  });
});

describe('facebook catalogue reads', () => {
  it('pages through every item, one snapshot per retailer id', async () => {
    const { ctx } = context({ pageSize: 2 });
    const first = await facebook.capabilities.catalog!.read!.list(ctx, undefined);
    expect(first.items.map((p) => p.externalId)).toEqual(['MUG-1', 'MUG-2']);
    expect(first.next).toBeDefined();
    const second = await facebook.capabilities.catalog!.read!.list(ctx, first.next);
    expect(second.items.map((p) => p.externalId)).toEqual(['MUG-3']);
    expect(second.next).toBeUndefined();
    expect(first.items[0]).toMatchObject({
      title: { pl: 'Mug MUG-1' },
      status: 'active',
      variants: [{ externalId: 'MUG-1', sku: 'MUG-1', price: { gross: '49.99', currency: 'PLN', compareAt: null }, stock: { available: 3 } }],
    });
  });

  it('gets a product by variant group with all its variants, and null for an unknown id', async () => {
    const { ctx } = context();
    await facebook.capabilities.catalog!.write!.upsert(ctx, [product('p-tee', [variant('TEE-M'), variant('TEE-L')])]);
    const group = await facebook.capabilities.catalog!.read!.get(ctx, 'p-tee');
    expect(group!.variants.map((v) => v.sku).sort()).toEqual(['TEE-L', 'TEE-M']);
    expect(await facebook.capabilities.catalog!.read!.get(ctx, 'NOPE')).toBeNull();
  });

  it('check() proves the token can read the catalogue', async () => {
    await expect(facebook.check!(context().ctx)).resolves.toBeUndefined();
    await expect(facebook.check!(context({ accessToken: 'revoked' }).ctx)).rejects.toBeInstanceOf(AuthError);
  });
});
