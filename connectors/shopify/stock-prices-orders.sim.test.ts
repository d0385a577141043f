import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../core/sdk/index.ts';
import shopify from './index.ts';
import { price, startSim } from './test-helpers.ts';

const caps = shopify.capabilities;
let env: Awaited<ReturnType<typeof startSim>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function variants(e: NonNullable<typeof env>) {
  const page = await caps.catalog!.read!.list(e.t.ctx, undefined);
  const bySku = new Map(page.items.flatMap((p) => p.variants.map((v) => [v.sku!, { id: v.externalId, product: p.externalId }] as const)));
  return (sku: string) => bySku.get(sku)!;
}

async function availableInSim(e: NonNullable<typeof env>, sku: string): Promise<number> {
  const state = await e.admin('/state');
  const variant = state.products.flatMap((p: any) => p.variants).find((v: any) => v.sku === sku);
  const firstLocation = state.locations[0].id;
  return state.inventoryLevels.find((l: any) => l.inventoryItemId === variant.inventoryItemId && l.locationId === firstLocation).quantities.available;
}

describe('prices.write against the simulator', () => {
  it('updates price and compare-at of many variants, grouped per product, one result per item', async () => {
    env = await startSim();
    const v = await variants(env);
    const results = await caps.prices!.write.set(env.t.ctx, [
      { sku: 'TS-S', externalId: v('TS-S').id, productExternalId: v('TS-S').product, price: price('15.00', '19.99') },
      { sku: 'MUG-1', externalId: v('MUG-1').id, productExternalId: undefined, price: price('8.00') },
      { sku: 'TS-M', externalId: v('TS-M').id, productExternalId: v('TS-M').product, price: price('-1.00') },
      { sku: 'NOPE', externalId: 'gid://shopify/ProductVariant/999999', productExternalId: undefined, price: price('1.00') },
    ]);
    expect(results).toEqual([
      { ok: true, externalId: v('TS-S').id },
      { ok: true, externalId: v('MUG-1').id },
      { ok: false, kind: 'business', message: expect.stringContaining('Price must be greater than or equal to 0') },
      { ok: false, kind: 'business', message: expect.stringContaining('does not exist') },
    ]);
    const again = await variants(env);
    const snap = await caps.catalog!.read!.get(env.t.ctx, again('TS-S').product);
    expect(snap!.variants.map((x) => [x.sku, x.price!.gross, x.price!.compareAt])).toEqual([
      ['TS-S', '15.00', '19.99'],
      ['TS-M', '19.99', null],
    ]);
  });

  it('promotions: sale price with the regular as compare-at inside the window, regular price outside it', async () => {
    env = await startSim();
    const v = await variants(env);
    const now = env.t.ctx.now().getTime();
    const promo = (startsAt: number, endsAt: number) => ({
      sku: 'MUG-1', externalId: v('MUG-1').id, productExternalId: v('MUG-1').product,
      price: price('7.00'), regular: price('9.50'), startsAt: new Date(startsAt), endsAt: new Date(endsAt), promotionKey: 'spring',
    });
    expect(caps.promotions!.write.describe()).toMatchObject({ native: 'price + compare-at, switched by the hub at start and end', scheduledByChannel: false });
    await caps.promotions!.write.apply(env.t.ctx, [promo(now - 1000, now + 60_000)]);
    let snap = await caps.catalog!.read!.get(env.t.ctx, v('MUG-1').product);
    expect(snap!.variants[0]!.price).toMatchObject({ gross: '7.00', compareAt: '9.50' });
    await caps.promotions!.write.apply(env.t.ctx, [promo(now - 60_000, now - 1000)]);
    snap = await caps.catalog!.read!.get(env.t.ctx, v('MUG-1').product);
    expect(snap!.variants[0]!.price).toMatchObject({ gross: '9.50', compareAt: null });
  });
});

describe('stock against the simulator (inventorySetQuantities, 2026-04)', () => {
  it('reads available at the first active location and sets it with compare-and-set', async () => {
    env = await startSim();
    const v = await variants(env);
    expect(await caps.stock!.read!.get(env.t.ctx, [{ sku: 'TS-S', externalId: v('TS-S').id }, { sku: 'X', externalId: 'gid://shopify/ProductVariant/999999' }])).toEqual([
      { externalId: v('TS-S').id, available: 10 },
      { externalId: 'gid://shopify/ProductVariant/999999', available: null },
    ]);
    const results = await caps.stock!.write!.set(env.t.ctx, [
      { sku: 'TS-S', externalId: v('TS-S').id, productExternalId: undefined, available: 7, expected: 10 },
      { sku: 'TS-M', externalId: v('TS-M').id, productExternalId: undefined, available: 2, expected: undefined },
    ]);
    expect(results).toEqual([{ ok: true, externalId: v('TS-S').id }, { ok: true, externalId: v('TS-M').id }]);
    expect(await availableInSim(env, 'TS-S')).toBe(7);
    expect(await availableInSim(env, 'TS-M')).toBe(2);
  });

  it('resolves the inventory items named by inventory_levels/update webhooks to their variant and product', async () => {
    env = await startSim();
    const v = await variants(env);
    const state = await env.admin('/state');
    const variant = state.products.flatMap((p: any) => p.variants).find((x: any) => x.sku === 'TS-M');
    const item = `gid://shopify/InventoryItem/${variant.inventoryItemId}`;
    expect(await caps.stock!.read!.resolve!(env.t.ctx, [item, 'gid://shopify/InventoryItem/999999', v('TS-S').id])).toEqual([
      { variantExternalId: v('TS-M').id, productExternalId: v('TS-M').product },
      null,
      null,
    ]);
  });

  it('stock going back and forth (10→7→10→7) is applied every time, not replayed from an earlier identical write', async () => {
    env = await startSim();
    const v = await variants(env);
    const set = (available: number, expected: number) =>
      caps.stock!.write!.set(env!.t.ctx, [{ sku: 'TS-S', externalId: v('TS-S').id, productExternalId: undefined, available, expected }]);
    for (const [to, from] of [[7, 10], [10, 7], [7, 10]] as const) {
      expect(await set(to, from)).toEqual([{ ok: true, externalId: v('TS-S').id }]);
      expect(await availableInSim(env, 'TS-S')).toBe(to);
    }
  });

  it('a stale expected quantity fails only that item, retryable; the rest of the batch is applied', async () => {
    env = await startSim();
    const v = await variants(env);
    const results = await caps.stock!.write!.set(env.t.ctx, [
      { sku: 'TS-S', externalId: v('TS-S').id, productExternalId: undefined, available: 1, expected: 99 },
      { sku: 'MUG-1', externalId: v('MUG-1').id, productExternalId: undefined, available: 0, expected: 3 },
    ]);
    expect(results[0]).toMatchObject({ ok: false, kind: 'retryable', message: expect.stringContaining('stock changed on Shopify') });
    expect(results[1]).toEqual({ ok: true, externalId: v('MUG-1').id });
    expect(await availableInSim(env, 'TS-S')).toBe(10);
    expect(await availableInSim(env, 'MUG-1')).toBe(0);
  });

  it('an order placed between read and write makes the CAS fail instead of overwriting the sale', async () => {
    env = await startSim();
    const v = await variants(env);
    await env.admin('/orders', { lineItems: [{ sku: 'TS-M', quantity: 2 }] }); // 5 → 3 available
    const [result] = await caps.stock!.write!.set(env.t.ctx, [{ sku: 'TS-M', externalId: v('TS-M').id, productExternalId: undefined, available: 8, expected: 5 }]);
    expect(result).toMatchObject({ ok: false, kind: 'retryable' });
    expect(await availableInSim(env, 'TS-M')).toBe(3);
  });

  it('writes at the configured location only', async () => {
    env = await startSim();
    const state = await env.admin('/state');
    const store = state.locations.find((l: any) => l.name === 'Store');
    env.t.ctx.config.locationId = `gid://shopify/Location/${store.id}`;
    const v = await variants(env);
    const [r] = await caps.stock!.write!.set(env.t.ctx, [{ sku: 'TS-S', externalId: v('TS-S').id, productExternalId: undefined, available: 1, expected: undefined }]);
    expect(r).toMatchObject({ ok: false, kind: 'business', message: expect.stringContaining('not stocked at location') });
  });
});

describe('THROTTLED against the simulator', () => {
  it('throws RetryableError with the wait computed from the deficit and the restore rate', async () => {
    const clock = () => Date.parse('2026-06-01T00:00:00Z'); // frozen: the bucket does not refill during the test
    env = await startSim({ bucketSize: 200, restoreRate: 20, clock });
    await env.admin('/rate-limit/empty', {});
    const err = await caps.catalog!.read!.get(env.t.ctx, 'gid://shopify/Product/1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    const retry = err as RetryableError;
    // ProductById requests 1 (shop) + 1 (product) + 2 + 25 × (1 + 1) (variants with selectedOptions) = 54 points,
    // + 2 + 10 × 2 for media(first: 10) with each image = 76.
    expect(retry.retryAfterMs).toBe(Math.ceil((76 / 20) * 1000));
    expect(shopify.classifyError!(err)).toBe(err);
  });
});

describe('orders.read against the simulator', () => {
  it('reports a new order, then its cancellation on the next poll, with a watermark that overlaps', async () => {
    env = await startSim();
    const v = await variants(env);
    const placed = await env.admin('/orders', { email: 'ann@example.com', lineItems: [{ sku: 'TS-S', quantity: 2 }, { sku: 'MUG-1', quantity: 1 }] });

    const first = await caps.orders!.read!.changes(env.t.ctx, undefined);
    expect(first.orders).toHaveLength(1);
    const order = first.orders[0]!;
    expect(order).toMatchObject({ externalId: placed.id, status: 'paid', currency: 'USD', total: '49.48', customer: { email: 'ann@example.com' } });
    expect(order.lines.map((l) => [l.sku, l.variantExternalId, l.quantity, l.unitPrice, l.refundedQuantity])).toEqual([
      ['TS-S', v('TS-S').id, 2, '19.99', undefined],
      ['MUG-1', v('MUG-1').id, 1, '9.50', undefined],
    ]);
    expect(first.checkpoint).toEqual({ since: env.t.ctx.now().toISOString() });

    await env.admin(`/orders/${encodeURIComponent(placed.id)}/cancel`, {});
    const second = await caps.orders!.read!.changes(env.t.ctx, first.checkpoint);
    expect(second.orders.map((o) => [o.externalId, o.status])).toEqual([[placed.id, 'cancelled']]);

    expect(await caps.orders!.read!.get(env.t.ctx, placed.id)).toMatchObject({ status: 'cancelled' });
    expect(await caps.orders!.read!.get(env.t.ctx, 'gid://shopify/Order/999999')).toBeNull();
  });

  it('the first poll looks back only ordersInitialLookbackHours', async () => {
    env = await startSim();
    await env.admin('/orders', { lineItems: [{ sku: 'MUG-1', quantity: 1 }] });
    env.t.setNow(new Date(Date.now() + 48 * 3_600_000));
    expect((await caps.orders!.read!.changes(env.t.ctx, undefined)).orders).toEqual([]);
  });
});
