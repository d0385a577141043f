import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type DesiredPrice, type DesiredProduct } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createPrestashopSimulator, DEFAULT_WS_KEY, demoSeed } from '../../sandbox/prestashop/index.ts';
import prestashop from './index.ts';

/** 2026-03-10 12:00:00 UTC = 13:00:00 in Warsaw. */
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

const seed = {
  ...demoSeed,
  resources: {
    ...demoSeed.resources,
    product_options: [{ id: 1, name: 'Size', public_name: 'Size', group_type: 'select' }],
    product_option_values: [
      { id: 1, id_attribute_group: '1', name: 'S' },
      { id: 2, id_attribute_group: '1', name: 'M' },
    ],
    customer_threads: [{ id: 1, id_lang: '1', id_shop: '1', id_customer: '0', id_order: '0', id_product: '1', id_contact: '2', email: 'anna@example.com', token: 'abcdef123456', status: 'open', date_add: '2026-03-10 12:30:00', date_upd: '2026-03-10 12:30:00' }],
    customer_messages: [{ id: 1, id_customer_thread: '1', id_employee: '0', message: '<p>Czy kubek jest w kolorze &amp; czerwonym?</p>', private: '0', date_add: '2026-03-10 12:30:00', date_upd: '2026-03-10 12:30:00' }],
  },
};

const price = (net: string, gross: string): DesiredPrice => ({ net, gross, taxRate: '0.23', currency: 'PLN', compareAt: null });

function tee(overrides: Partial<DesiredProduct> = {}): DesiredProduct {
  const variant = (sku: string, size: string, net: string, stock: number) => ({
    sku, ean: null, externalId: undefined, title: {}, attributes: { Size: size }, price: price(net, '0'), stock, status: 'active' as const, images: [],
  });
  return {
    internalId: 'prod-hoodie', externalId: undefined, groups: ['content', 'price', 'stock', 'status', 'category'],
    title: { pl: 'Bluza', en: 'Hoodie' }, description: { pl: '<p>Ciepła</p>' }, brand: null, category: 'Home', attributes: {}, images: [], status: 'active',
    variants: [variant('HOOD-S', 'S', '100.00', 3), variant('HOOD-M', 'M', '110.50', 4)],
    ...overrides,
  };
}

let clock = T0;
let sim: ReturnType<typeof createPrestashopSimulator>;
let running: RunningSimulator;
/** Every request the connector sent, `METHOD path?query`. */
let sent: string[];

function context(version: '8' | '1.7' = '8', fetchImpl?: typeof fetch) {
  const recording: typeof fetch = async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    sent.push(`${req.method} ${decodeURIComponent(url.pathname + url.search)}`);
    return (fetchImpl ?? fetch)(req);
  };
  return createTestContext(
    prestashop,
    {
      url: running.url, key: DEFAULT_WS_KEY, version, languages: { pl: 1, en: 2 },
      taxRuleGroups: { '0.23': 1 }, categories: { Home: 2 }, pageSize: 2, maxPagesPerPoll: 3, stockSweepRows: 3, overlapSeconds: 60,
    },
    { fetch: recording, now: new Date(T0 + 1000) },
  );
}

const state = () => sim.store;
const stockOf = (p: number, a: number) => Number(sim.store.stockRow(p, a)?.fields.quantity);

async function start(version: '8' | '1.7' = '8') {
  clock = T0;
  sent = [];
  sim = createPrestashopSimulator({ seed, version, clock: () => clock });
  running = await listen(sim);
}

describe('prestashop connector against the simulator (8.x)', () => {
  beforeEach(() => start('8'));
  afterEach(() => running.close());

  it('creates a product with combinations, prices as impacts, stock per combination; a retry does not duplicate', async () => {
    const t = context();
    const [res] = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, [tee()]);
    expect(res).toMatchObject({ ok: true });
    if (!res!.ok) return;
    const pid = Number(res!.externalId);
    const product = state().get('products', pid)!;
    expect(product.fields.price).toBe('100.000000');
    expect(product.fields.reference).toBe('prod-hoodie');
    expect(product.fields.id_tax_rules_group).toBe('1');
    expect(product.fields.name).toEqual({ '1': 'Bluza', '2': 'Hoodie' });
    // en had no description: the default language's text fills it (a missing language can break the shop).
    expect(product.fields.description).toEqual({ '1': '<p>Ciepła</p>', '2': '<p>Ciepła</p>' });
    const combos = state().all('combinations').filter((c) => c.fields.id_product === String(pid));
    expect(combos.map((c) => [c.fields.reference, c.fields.price, c.associations.product_option_values])).toEqual([
      ['HOOD-S', '0.000000', [{ id: '1' }]],
      ['HOOD-M', '10.500000', [{ id: '2' }]],
    ]);
    expect(res!.variantIds).toEqual({ 'HOOD-S': `${pid}-${combos[0]!.id}`, 'HOOD-M': `${pid}-${combos[1]!.id}` });
    expect([stockOf(pid, combos[0]!.id), stockOf(pid, combos[1]!.id), stockOf(pid, 0)]).toEqual([3, 4, 7]);

    // Read back through catalog.read.
    const snap = await prestashop.capabilities.catalog!.read!.get(t.ctx, String(pid));
    expect(snap).toMatchObject({
      externalId: String(pid), title: { pl: 'Bluza', en: 'Hoodie' }, category: 'Home', status: 'active',
      variants: [
        { externalId: `${pid}-${combos[0]!.id}`, sku: 'HOOD-S', attributes: { Size: 'S' }, price: { net: '100.000000', gross: '123.00', currency: 'PLN' }, stock: { available: 3 } },
        { externalId: `${pid}-${combos[1]!.id}`, sku: 'HOOD-M', attributes: { Size: 'M' }, price: { net: '110.500000', gross: '135.92' }, stock: { available: 4 } },
      ],
    });

    // The hub lost our answer and retries the create: found by reference, no second product.
    const before = state().all('products').length;
    const [again] = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, [tee()]);
    expect(again).toMatchObject({ ok: true, externalId: String(pid) });
    expect(state().all('products').length).toBe(before);
  });

  it('creates a batch with one look-up for all of it and no read-back; a product already there is linked, not duplicated', async () => {
    const t = context();
    // Created earlier by an attempt whose answer was lost: the batch must find it.
    const [earlier] = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, [tee({ internalId: 'p2', variants: [{ ...tee().variants[0]!, sku: 'B-S' }, { ...tee().variants[1]!, sku: 'B-M' }] })]);
    const products = state().all('products').length;
    sent = [];
    const batch = ['p1', 'p2', 'p3'].map((id, i) => tee({ internalId: id, variants: [{ ...tee().variants[0]!, sku: `${'ABC'[i]}-S` }, { ...tee().variants[1]!, sku: `${'ABC'[i]}-M` }] }));
    const results = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, batch);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[1]).toMatchObject({ externalId: (earlier as { externalId: string }).externalId });
    expect(state().all('products').length).toBe(products + 2);
    const calls = (prefix: string) => sent.filter((s) => s.startsWith(prefix)).length;
    // One look-up of each kind by reference for the whole batch.
    const lookups = (resource: string) => sent.filter((s) => s.startsWith(`GET /api/${resource}?`) && s.includes('filter[reference]'));
    expect(lookups('products')).toHaveLength(1);
    expect(lookups('combinations')).toHaveLength(1);
    expect(calls('POST /api/products')).toBe(2);
    expect(calls('POST /api/combinations')).toBe(4);
    // Only the product that already existed is read in full (its combinations are compared with the desired ones).
    const pid = (earlier as { externalId: string }).externalId;
    expect(sent.filter((s) => s.includes('display=full') && /^GET \/api\/(products|combinations)\?/.test(s))).toEqual([
      expect.stringContaining(`filter[id]=[${pid}]`),
      expect.stringContaining(`filter[id_product]=[${pid}]`),
    ]);
  });

  it('getMany reads several products in one products request, in order, null for one that does not exist', async () => {
    const t = context();
    const made = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, ['m1', 'm2'].map((id, i) => tee({ internalId: id, variants: [{ ...tee().variants[0]!, sku: `M${i}-S` }, { ...tee().variants[1]!, sku: `M${i}-M` }] })));
    const [a, b] = made.map((r) => (r as { externalId: string }).externalId);
    const read = prestashop.capabilities.catalog!.read!;
    const one = [await read.get(t.ctx, b!), await read.get(t.ctx, a!)];
    sent = [];
    expect(await read.getMany!(t.ctx, [b!, '99999', a!, 'not-an-id'])).toEqual([one[0], null, one[1], null]);
    expect(sent.filter((s) => s.startsWith('GET /api/products?'))).toEqual([expect.stringContaining(`filter[id]=[${b}|99999|${a}]`)]);
    expect(sent.filter((s) => s.startsWith('GET /api/combinations?') || s.startsWith('GET /api/stock_availables?'))).toHaveLength(2);
  });

  it('survives a 500 that still saved the product: no duplicate', async () => {
    let failedOnce = false;
    const t = context('8', async (req) => {
      const r = req as Request;
      const res = await fetch(r);
      if (r.method === 'POST' && new URL(r.url).pathname === '/api/products' && !failedOnce) {
        failedOnce = true;
        return new Response('', { status: 500 });
      }
      return res;
    });
    const simple: DesiredProduct = { ...tee(), internalId: 'p-cup', variants: [{ ...tee().variants[0]!, sku: 'CUP-1', attributes: {} }] };
    const [res] = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, [simple]);
    expect(failedOnce).toBe(true);
    expect(res).toMatchObject({ ok: true, variantIds: { 'CUP-1': expect.stringMatching(/^\d+-0$/) } });
    expect(state().all('products').filter((p) => p.fields.reference === 'CUP-1')).toHaveLength(1);
  });

  it('an unknown attribute value fails that item only, as a business error', async () => {
    const t = context();
    const bad = tee({ internalId: 'x', variants: [{ ...tee().variants[0]!, sku: 'X-XL', attributes: { Size: 'XL' } }, tee().variants[1]!] });
    const results = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, [bad, { ...tee(), internalId: 'y', variants: [{ ...tee().variants[0]!, sku: 'Y-1', attributes: {} }] }]);
    expect(results[0]).toMatchObject({ ok: false, kind: 'business', message: expect.stringContaining('Size: XL') });
    expect(results[1]).toMatchObject({ ok: true });
  });

  it('writes prices: product net with its tax group, combination as impact on the product price', async () => {
    const t = context();
    const results = await prestashop.capabilities.prices!.write.set(t.ctx, [
      { sku: 'DEMO-MUG', externalId: '1-0', productExternalId: '1', price: price('30.00', '36.90') },
      { sku: 'DEMO-TEE-M', externalId: '2-2', productExternalId: '2', price: price('65.1234567', '80.10') },
      { sku: '?', externalId: 'nope', productExternalId: undefined, price: price('1', '1') },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(state().get('products', 1)!.fields).toMatchObject({ price: '30.000000', id_tax_rules_group: '1' });
    expect(state().get('products', 2)!.fields.price).toBe('59.000000');
    expect(state().get('combinations', 2)!.fields.price).toBe('6.123457');
    const mug = await prestashop.capabilities.catalog!.read!.get(t.ctx, '1');
    expect(mug!.variants[0]!.price).toEqual({ net: '30.000000', gross: '36.90', currency: 'PLN' });
  });

  it('sets stock per combination and never writes the derived sum row', async () => {
    const t = context();
    const sumRow = sim.store.stockRow(2, 0)!.id;
    const results = await prestashop.capabilities.stock!.write!.set(t.ctx, [
      { sku: 'DEMO-TEE-S', externalId: '2-1', productExternalId: '2', available: 7, expected: 10 },
      { sku: 'DEMO-TEE', externalId: '2-0', productExternalId: '2', available: 99, expected: undefined },
      { sku: 'DEMO-TEE-M', externalId: '2-2', productExternalId: '2', available: 1, expected: 4 },
      { sku: 'DEMO-MUG', externalId: '1-0', productExternalId: '1', available: 11, expected: undefined },
    ]);
    expect(results[0]).toEqual({ ok: true, externalId: '2-1' });
    expect(results[1]).toMatchObject({ ok: false, kind: 'business' });
    // The hub expected 4, the shop has 5: someone sold meanwhile → re-read.
    expect(results[2]).toMatchObject({ ok: false, kind: 'retryable' });
    expect(results[3]).toEqual({ ok: true, externalId: '1-0' });
    expect([stockOf(2, 1), stockOf(2, 2), stockOf(2, 0), stockOf(1, 0)]).toEqual([7, 5, 12, 11]);
    expect(sent.filter((s) => s.startsWith('PATCH'))).toEqual([
      `PATCH /api/stock_availables/${sim.store.stockRow(2, 1)!.id}?id_shop=1`,
      `PATCH /api/stock_availables/${sim.store.stockRow(1, 0)!.id}?id_shop=1`,
    ]);
    expect(sent.some((s) => s.includes(`stock_availables/${sumRow}`))).toBe(false);
    const read = await prestashop.capabilities.stock!.read!.get(t.ctx, [
      { sku: 'DEMO-TEE-S', externalId: '2-1' }, { sku: 'x', externalId: '99-0' },
    ]);
    expect(read).toEqual([{ externalId: '2-1', available: 7 }, { externalId: '99-0', available: null }]);
  });

  it('polls orders after a storefront sale, with SKU lines and mapped status; get and a missing order', async () => {
    const t = context();
    clock = T0 - 3600_000;
    const sale = await (await fetch(`${running.url}/__sandbox/sale`, { method: 'POST', body: JSON.stringify({ id_order_state: 2, lines: [{ id_product: 2, id_product_attribute: 2, quantity: 2 }] }) })).json() as { id_order: number };
    const first = await prestashop.capabilities.orders!.read!.changes(t.ctx, undefined);
    expect(first.orders).toHaveLength(1);
    expect(first.orders[0]).toMatchObject({
      externalId: String(sale.id_order), status: 'paid', currency: 'PLN', placedAt: '2026-03-10T11:00:00.000Z',
      lines: [{ sku: 'DEMO-TEE-M', quantity: 2, variantExternalId: '2-2', refundedQuantity: 0 }],
    });
    // The watermark is the shop-local time captured before the read.
    expect(first.checkpoint).toEqual({ since: '2026-03-10 13:00:01' });
    expect(sent.some((s) => s.includes('date=1') && s.includes('filter[date_upd]=[2026-03-09 12:59:01,2026-03-10 13:00:01]'))).toBe(true);

    // Cancelled in the back office later: the next poll sees it (date_upd moves).
    clock = T0 + 5000;
    t.setNow(new Date(T0 + 6000));
    await fetch(`${running.url}/api/order_histories`, {
      method: 'POST', headers: { Authorization: `Basic ${Buffer.from(`${DEFAULT_WS_KEY}:`).toString('base64')}` },
      body: `<prestashop><order_history><id_order>${sale.id_order}</id_order><id_order_state>6</id_order_state></order_history></prestashop>`,
    });
    const second = await prestashop.capabilities.orders!.read!.changes(t.ctx, first.checkpoint);
    expect(second.orders.map((o) => [o.externalId, o.status])).toEqual([[String(sale.id_order), 'cancelled']]);
    expect(await prestashop.capabilities.orders!.read!.get(t.ctx, String(sale.id_order))).toMatchObject({ status: 'cancelled' });
    expect(await prestashop.capabilities.orders!.read!.get(t.ctx, '9999')).toBeNull();
  });

  it('applies a promotion as a specific price window, idempotently, and removes it', async () => {
    const t = context();
    const promo = {
      sku: 'DEMO-MUG', externalId: '1-0', productExternalId: '1', price: price('23.92', '29.42'), regular: price('29.90', '36.78'),
      startsAt: new Date(Date.UTC(2026, 3, 1, 22, 0, 0)), endsAt: new Date(Date.UTC(2026, 3, 8, 21, 59, 59)), promotionKey: 'easter',
    };
    expect(prestashop.capabilities.promotions!.write.describe()).toMatchObject({ native: 'specific_price with from/to, scheduled by the channel', scheduledByChannel: true });
    expect(await prestashop.capabilities.promotions!.write.apply(t.ctx, [promo])).toEqual([{ ok: true, externalId: '1-0' }]);
    const rows = () => state().all('specific_prices').filter((s) => s.fields.id_product === '1');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.fields).toMatchObject({ reduction_type: 'percentage', reduction: '0.200000', price: '-1.000000', from: '2026-04-02 00:00:00', to: '2026-04-08 23:59:59', id_product_attribute: '0' });
    // Replay: nothing new (a duplicate would be a bare 500 on a real shop).
    await prestashop.capabilities.promotions!.write.apply(t.ctx, [promo]);
    expect(rows()).toHaveLength(1);
    // A non-percentage price becomes a tax-excluded amount on the same row.
    await prestashop.capabilities.promotions!.write.apply(t.ctx, [{ ...promo, price: price('25.00', '30.75') }]);
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.fields).toMatchObject({ reduction_type: 'amount', reduction: '4.900000', reduction_tax: '0' });
    // Empty window: removed.
    await prestashop.capabilities.promotions!.write.apply(t.ctx, [{ ...promo, endsAt: promo.startsAt }]);
    expect(rows()).toHaveLength(0);
  });

  it('reads a customer thread and replies as an employee; a retried reply is not posted twice', async () => {
    const t = context();
    const { conversations, checkpoint } = await prestashop.capabilities.inquiries!.read!.changes(t.ctx, undefined);
    expect(conversations).toEqual([
      {
        externalThreadId: '1', customer: { externalId: 'email:anna@example.com', email: 'anna@example.com' }, productExternalId: '1',
        messages: [{ externalId: '1', direction: 'in', text: 'Czy kubek jest w kolorze & czerwonym?', type: 'text', attachments: [], sentAt: '2026-03-10T11:30:00.000Z' }],
      },
    ]);
    const message = { conversation: { externalThreadId: '1', customerExternalId: 'email:anna@example.com', lastCustomerMessageAt: undefined }, messageId: 'm1', text: 'Tak, <mamy> & wysyłamy jutro.', attachments: [] };
    expect(await prestashop.capabilities.inquiries!.send!.policy(t.ctx, message.conversation, new Date())).toEqual({ allowed: true });
    const sentReply = await prestashop.capabilities.inquiries!.send!.send(t.ctx, message);
    const stored = state().get('customer_messages', Number(sentReply.externalId))!;
    expect(stored.fields).toMatchObject({ id_customer_thread: '1', id_employee: '1', message: 'Tak, <mamy> & wysyłamy jutro.', private: '0' });
    expect(await prestashop.capabilities.inquiries!.send!.send(t.ctx, message)).toEqual(sentReply);
    expect(state().all('customer_messages')).toHaveLength(2);
    // The reply bumped the thread: the next poll returns it with both messages.
    const next = await prestashop.capabilities.inquiries!.read!.changes(t.ctx, checkpoint);
    expect(next.conversations[0]!.messages.map((m) => m.direction)).toEqual(['in', 'out']);
  });

  it('poll: product hints by date_upd and stock hints from a bounded sweep with a cursor', async () => {
    const t = context();
    await prestashop.poll!(t.ctx);
    // First sweep step: 3 rows recorded, no hints (nothing to compare with yet), cursor moved.
    expect(t.emitted.filter((e) => e.hint.kind === 'stock')).toEqual([]);
    const step1 = t.checkpoints.get('stock-sweep') as { after: number; seen: Record<string, number> };
    expect(Object.keys(step1.seen)).toHaveLength(3);
    expect(step1.after).toBeGreaterThan(0);
    await prestashop.poll!(t.ctx); // rest of the table; wraps to 0
    expect((t.checkpoints.get('stock-sweep') as { after: number }).after).toBe(0);

    // A sale changes combination 2-1 (and the derived 2-0 row); a product is edited.
    await fetch(`${running.url}/__sandbox/sale`, { method: 'POST', body: JSON.stringify({ lines: [{ id_product: 2, id_product_attribute: 1, quantity: 1 }] }) });
    clock = T0 + 500;
    await prestashop.capabilities.prices!.write.set(t.ctx, [{ sku: 'DEMO-MUG', externalId: '1-0', productExternalId: '1', price: price('31', '38.13') }]);
    t.setNow(new Date(T0 + 2000));
    t.emitted.length = 0;
    await prestashop.poll!(t.ctx);
    await prestashop.poll!(t.ctx);
    // The second run re-reads the overlap: the same product event again, same event id (repeats only cost a read).
    expect(t.emitted).toEqual([
      { hint: { kind: 'product', externalId: '1' }, eventId: 'product:1:2026-03-10 13:00:00' },
      // The quantity seen rides along, so the hub recognises its own write coming back without a read.
      { hint: { kind: 'stock', externalId: '2-1', productExternalId: '2', observed: 9 }, eventId: expect.stringMatching(/^stock:2-1:9:/) },
      { hint: { kind: 'product', externalId: '1' }, eventId: 'product:1:2026-03-10 13:00:00' },
    ]);
    expect(t.checkpoints.get('products-date-upd')).toEqual({ since: '2026-03-10 13:00:02' });
  });
});

describe('prestashop connector against a 1.7 simulator (no PATCH)', () => {
  beforeEach(() => start('1.7'));
  afterEach(() => running.close());

  it('updates stock, prices and content by reading the whole resource and PUTting it back', async () => {
    const t = context('1.7');
    const stock = await prestashop.capabilities.stock!.write!.set(t.ctx, [{ sku: 'DEMO-TEE-M', externalId: '2-2', productExternalId: '2', available: 9, expected: undefined }]);
    expect(stock).toEqual([{ ok: true, externalId: '2-2' }]);
    expect(stockOf(2, 2)).toBe(9);
    const prices = await prestashop.capabilities.prices!.write.set(t.ctx, [{ sku: 'DEMO-MUG', externalId: '1-0', productExternalId: '1', price: price('12.5', '15.38') }]);
    expect(prices).toEqual([{ ok: true, externalId: '1-0' }]);
    const [content] = await prestashop.capabilities.catalog!.write!.upsert(t.ctx, [
      { ...tee(), externalId: '1', groups: ['content'], title: { en: 'Big mug' }, variants: [{ ...tee().variants[0]!, sku: 'DEMO-MUG', attributes: {} }] },
    ]);
    expect(content).toMatchObject({ ok: true, externalId: '1' });
    const mug = state().get('products', 1)!;
    expect(mug.fields).toMatchObject({ price: '12.500000', reference: 'DEMO-MUG', name: { '1': 'Kubek', '2': 'Big mug' } });
    // The full resource survived the PUT (a PUT resets every field it does not carry).
    expect(mug.associations.categories).toEqual([{ id: '2' }]);
    expect(sent.filter((s) => /^(PUT|PATCH)/.test(s)).map((s) => s.split('/').slice(0, 3).join('/'))).toEqual([
      'PUT /api/stock_availables', 'PUT /api/products', 'PUT /api/products',
    ]);
  });
});
