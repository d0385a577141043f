import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, BusinessError, createTestContext, type OrderSnapshot } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createOdooSimulator, type OdooSeed, type OdooSimulator } from '../../sandbox/odoo/index.ts';
import { pricelistPrice } from '../../sandbox/odoo/pricelist.ts';
import { DOC_KEY, fixedClock, kw } from '../../sandbox/odoo/test-helpers.ts';
import { odoo as client } from './client.ts';
import odoo from './index.ts';
import { CHECKPOINT } from './poll.ts';

/** The real protocol end to end: the connector against the sandbox simulator over HTTP, on Odoo 17 and 19. */
const seed: OdooSeed = {
  partners: [{ id: 10, name: 'Marketplace buyers', isCompany: true }, { id: 11, name: 'Jan Kowalski', email: 'jan@example.com' }],
  warehouses: [{ id: 2, code: 'KRK', name: 'Kraków' }],
  products: [
    { templateId: 1, id: 1, name: 'Kubek ceramiczny', sku: 'SKU-123', barcode: '5901234123457', listPrice: 39.99, standardPrice: 12, stock: [{ quantity: 25, reserved: 3 }, { location: 'KRK/Stock', quantity: 10 }] },
    {
      templateId: 2, name: 'Koszulka', listPrice: 79, standardPrice: 30,
      variants: [
        { id: 2, sku: 'TEE-M', barcode: '5901234123464', attributes: { Size: 'M' }, stock: [{ quantity: 8 }] },
        { id: 3, sku: 'TEE-L', barcode: '5901234123471', attributes: { Size: 'L' }, priceExtra: { L: 5 }, stock: [{ quantity: 2 }] },
      ],
    },
    { templateId: 3, id: 4, name: 'Montaż', sku: 'SVC-1', kind: 'service', listPrice: 100 },
    { templateId: 4, id: 5, name: 'Stary kubek', sku: 'OLD-1', listPrice: 10, active: false },
  ],
  pricelists: [
    {
      id: 2, name: 'Promocje', currency: 'PLN',
      items: [
        { sku: 'SKU-123', computePrice: 'percentage', percentPrice: 10 },
        // Expired: must not apply.
        { template: 'Koszulka', computePrice: 'fixed', fixedPrice: 50, dateEnd: '2025-01-01 00:00:00' },
        { category: 'All', computePrice: 'formula', base: 'list_price', priceDiscount: 20, priceSurcharge: 0.5 },
      ],
    },
  ],
};

const START = '2025-11-20 10:00:00';
const at = (odoo: string) => new Date(`${odoo.replace(' ', 'T')}Z`);

describe.each([
  { serverVersion: '17.0', protocol: 'jsonrpc' },
  { serverVersion: '19.0', protocol: 'json2' },
])('odoo $serverVersion over $protocol (simulator)', ({ serverVersion, protocol }) => {
  let sim: OdooSimulator;
  let running: RunningSimulator;
  let clock: ReturnType<typeof fixedClock>;
  const base = () => ({ url: running.url, database: 'mycompany', login: 'admin', apiKey: DOC_KEY, currency: 'EUR', taxRate: '0.23', warehouseId: 1, orderPartnerId: 10 });
  const context = (extra: Record<string, unknown> = {}, options: { fetch?: typeof fetch } = {}) =>
    createTestContext(odoo, { ...base(), ...extra }, { now: at(START), ...options });

  beforeEach(async () => {
    clock = fixedClock(START);
    sim = createOdooSimulator({ serverVersion, clock: clock.now, seed });
    running = await listen(sim);
  });
  afterEach(async () => running.close());

  it('detects the protocol from /web/version and checks the credentials', async () => {
    const t = context();
    expect((await client(t.ctx)).protocol).toBe(protocol);
    await expect(odoo.check!(t.ctx)).resolves.toBeUndefined();
  });

  it('reads products with variants, SKU/EAN, attribute prices and free stock of the configured warehouse', async () => {
    const t = context();
    const page = await odoo.capabilities.catalog!.read!.list(t.ctx, undefined);
    expect(page.next).toBeUndefined();
    expect(page.items.map((p) => p.externalId)).toEqual(['1', '2', '3']); // the archived one is not listed
    const [mug, tee, service] = page.items;
    expect(mug!.title).toEqual({ en: 'Kubek ceramiczny' });
    expect(mug!.variants).toEqual([
      expect.objectContaining({ externalId: '1', sku: 'SKU-123', ean: '5901234123457', status: 'active', price: { net: '39.99', gross: '49.19', currency: 'EUR' }, stock: { available: 22 } }),
    ]);
    expect(tee!.variants.map((v) => [v.externalId, v.sku, v.attributes, v.price?.net, v.stock?.available])).toEqual([
      ['2', 'TEE-M', { Size: 'M' }, '79.00', 8],
      ['3', 'TEE-L', { Size: 'L' }, '84.00', 2],
    ]);
    expect(service!.variants[0]!.stock).toBeUndefined(); // Odoo does not track a service

    const krk = await odoo.capabilities.catalog!.read!.list(context({ warehouseId: 2 }).ctx, undefined);
    expect(krk.items[0]!.variants[0]!.stock).toEqual({ available: 10 });
    const everywhere = await odoo.capabilities.catalog!.read!.list(context({ warehouseId: undefined }).ctx, undefined);
    expect(everywhere.items[0]!.variants[0]!.stock).toEqual({ available: 32 });
  });

  it('prices from the configured pricelist exactly as the simulator computes them, with gross from taxRate', async () => {
    const t = context({ pricelistId: 2, currency: undefined });
    const { items } = await odoo.capabilities.catalog!.read!.list(t.ctx, undefined);
    const prices = Object.fromEntries(items.flatMap((p) => p.variants.map((v) => [v.sku, v.price])));
    expect(prices['SKU-123']).toEqual({ net: '35.99', gross: '44.27', currency: 'PLN' });
    // The expired template rule is skipped; the category formula applies: 79 × 0.8 + 0.5.
    expect(prices['TEE-M']).toEqual({ net: '63.70', gross: '78.35', currency: 'PLN' });
    const env = { db: sim.server.db, uid: 2, context: {} };
    for (const [sku, id] of [['SKU-123', 1], ['TEE-M', 2], ['TEE-L', 3]] as const) {
      expect(prices[sku]!.net).toBe(pricelistPrice(env, 2, id, 1, START).toFixed(2));
    }
  });

  it('pages the catalogue by template id and gets one product, archived or missing', async () => {
    const t = context({ pageSize: 2 });
    const first = await odoo.capabilities.catalog!.read!.list(t.ctx, undefined);
    expect(first.items.map((p) => p.externalId)).toEqual(['1', '2']);
    const second = await odoo.capabilities.catalog!.read!.list(t.ctx, first.next);
    expect(second.items.map((p) => p.externalId)).toEqual(['3']);
    expect(second.next).toBeUndefined();

    const archived = await odoo.capabilities.catalog!.read!.get(t.ctx, '4');
    expect(archived).toMatchObject({ externalId: '4', status: 'archived', variants: [{ sku: 'OLD-1', status: 'archived' }] });
    expect(await odoo.capabilities.catalog!.read!.get(t.ctx, '999')).toBeNull();
  });

  it('getMany reads several products in the three calls one get costs, in order, null where Odoo has none', async () => {
    const t = context();
    const read = odoo.capabilities.catalog!.read!;
    const one = await Promise.all(['2', '4', '1'].map((id) => read.get(t.ctx, id)));
    sim.requests.length = 0;
    const many = await read.getMany!(t.ctx, ['2', '999', '4', '1', 'not-an-id', '2']);
    expect(many).toEqual([one[0], null, one[1], one[2], null, one[0]]);
    expect(sim.requests).toHaveLength(3); // templates, their variants, their attribute values
    expect(await read.getMany!(t.ctx, ['nope'])).toEqual([null]);
  });

  it('reads free stock per variant; null for unknown or untracked variants', async () => {
    const t = context();
    const rows = await odoo.capabilities.stock!.read!.get(t.ctx, [
      { sku: 'SKU-123', externalId: '1' },
      { sku: 'TEE-L', externalId: '3' },
      { sku: 'SVC-1', externalId: '4' },
      { sku: 'NOPE', externalId: '999' },
    ]);
    expect(rows).toEqual([
      { externalId: '1', available: 22 },
      { externalId: '3', available: 2 },
      { externalId: '4', available: null },
      { externalId: '999', available: null },
    ]);
  });

  it('polls write_date watermarks: stock changes (quants) give stock hints, product edits product hints', async () => {
    const t = context({ pollOverlapSeconds: 30 });
    t.setNow(at('2025-11-20 10:05:00'));
    await odoo.poll!(t.ctx);
    expect(t.emitted).toEqual([]);
    expect(t.checkpoints.get(CHECKPOINT)).toEqual({ watermark: '2025-11-20 10:05:00' });

    // Ten minutes later someone counts TEE-M in WH and receives mugs in Kraków (not our warehouse).
    clock.advance(600);
    const res = await fetch(`${running.url}/__sandbox/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'TEE-M', quantity: 5 }) });
    expect(res.status).toBe(200);
    await fetch(`${running.url}/__sandbox/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'SKU-123', warehouse: 'KRK', delta: 4 }) });
    t.setNow(at('2025-11-20 10:10:05'));
    await odoo.poll!(t.ctx);
    expect(t.emitted).toEqual([{ hint: { kind: 'stock', externalId: '2', productExternalId: '2' }, eventId: 'stock:2:2025-11-20 10:10:00' }]);
    expect(t.checkpoints.get(CHECKPOINT)).toEqual({ watermark: '2025-11-20 10:10:05' });
    expect((await odoo.capabilities.stock!.read!.get(t.ctx, [{ sku: 'TEE-M', externalId: '2' }]))[0]!.available).toBe(5);

    // A price edit on the template: a product hint. The overlap re-reads the stock change with the same event id.
    clock.advance(10);
    const write = await kw(sim, 'product.template', 'write', [[1], { list_price: 45 }]);
    expect(write.body.result).toBe(true);
    t.emitted.length = 0;
    t.setNow(at('2025-11-20 10:10:20'));
    await odoo.poll!(t.ctx);
    expect(t.emitted).toEqual([
      { hint: { kind: 'product', externalId: '1' }, eventId: 'product.template:1:2025-11-20 10:10:10' },
      { hint: { kind: 'stock', externalId: '2', productExternalId: '2' }, eventId: 'stock:2:2025-11-20 10:10:00' },
    ]);
  });

  const order = (over: Partial<OrderSnapshot> = {}): OrderSnapshot & { reference: string; channel: string } => ({
    externalId: 'A-1',
    number: 'A-1',
    status: 'paid',
    currency: 'PLN',
    reference: 'omnihub-allegro-A-1',
    channel: 'allegro',
    lines: [
      { externalId: 'l1', sku: 'SKU-123', quantity: 2, unitPrice: '49.19' },
      { externalId: 'l2', sku: 'TEE-L', quantity: 1 },
    ],
    ...over,
  });
  const saleOrders = () => sim.server.db.rows('sale.order');

  it('records a sale order once, confirmed so Odoo reserves the stock, even when called twice', async () => {
    const t = context();
    const first = await odoo.capabilities.orders!.write!.record(t.ctx, order());
    const again = await odoo.capabilities.orders!.write!.record(t.ctx, order());
    expect(again).toEqual(first);
    expect(saleOrders()).toHaveLength(1);
    const so = saleOrders()[0]!;
    expect(so).toMatchObject({ id: Number(first.externalId), client_order_ref: 'omnihub-allegro-A-1', state: 'sale', partner_id: 10, origin: 'allegro A-1' });
    const lines = sim.server.db.rows('sale.order.line').filter((l) => l.order_id === so.id);
    // 49.19 gross at 23 % → 39.99 net; the second line is priced by Odoo.
    expect(lines.map((l) => [l.product_id, l.product_uom_qty, l.price_unit])).toEqual([[1, 2, 39.99], [3, 1, 84]]);
    const stock = await odoo.capabilities.stock!.read!.get(t.ctx, [{ sku: 'SKU-123', externalId: '1' }, { sku: 'TEE-L', externalId: '3' }]);
    expect(stock.map((s) => s.available)).toEqual([20, 1]);
  });

  it('survives a crash between Odoo creating the order and our return: the retry confirms the same order', async () => {
    let crash = true;
    const crashing: typeof fetch = async (input, init) => {
      const req = new Request(input as Request, init);
      const body = await req.clone().text();
      const res = await fetch(req);
      if (crash && /sale\.order/.test(req.url + body) && /create/.test(req.url + body)) {
        crash = false;
        throw new TypeError('fetch failed'); // the answer is lost; Odoo has committed
      }
      return res;
    };
    const t = context({}, { fetch: crashing });
    await expect(odoo.capabilities.orders!.write!.record(t.ctx, order())).rejects.toThrow('fetch failed');
    expect(saleOrders().map((o) => o.state)).toEqual(['draft']);
    const done = await odoo.capabilities.orders!.write!.record(t.ctx, order());
    expect(saleOrders()).toHaveLength(1);
    expect(saleOrders()[0]).toMatchObject({ id: Number(done.externalId), state: 'sale' });
  });

  it('matches the buyer by e-mail, keeps pending orders as quotations and cancels recorded ones', async () => {
    const t = context();
    const pending = order({ status: 'pending', customer: { email: 'JAN@example.com' } });
    const { externalId } = await odoo.capabilities.orders!.write!.record(t.ctx, pending);
    expect(saleOrders()[0]).toMatchObject({ state: 'draft', partner_id: 11 });
    await odoo.capabilities.orders!.write!.record(t.ctx, { ...pending, status: 'cancelled' });
    expect(saleOrders()[0]).toMatchObject({ id: Number(externalId), state: 'cancel' });
  });

  it('refuses an order with a SKU unknown to Odoo, naming it, and creates nothing', async () => {
    const t = context();
    const bad = order({ lines: [{ externalId: 'l1', sku: 'SKU-123', quantity: 1 }, { externalId: 'l2', sku: 'GHOST-9', quantity: 1 }] });
    const err = await odoo.capabilities.orders!.write!.record(t.ctx, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessError);
    expect((err as Error).message).toContain('GHOST-9');
    expect(saleOrders()).toHaveLength(0);
  });

  it('classifies a validation error as business and a bad API key as auth', async () => {
    const invalid = await odoo.capabilities.orders!.write!.record(context({ orderPartnerId: 999 }).ctx, order()).catch((e: unknown) => e);
    const business = odoo.classifyError!(invalid);
    expect(business).toBeInstanceOf(BusinessError);
    expect(business!.detail).toBe('odoo.exceptions.ValidationError');

    const t = context({ apiKey: 'not-the-key' });
    const denied = await odoo.capabilities.catalog!.read!.list(t.ctx, undefined).catch((e: unknown) => e);
    const auth = odoo.classifyError!(denied);
    expect(auth).toBeInstanceOf(AuthError);
    expect(auth!.message).not.toContain('not-the-key');
  });
});
