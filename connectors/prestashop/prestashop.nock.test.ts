import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type DesiredProduct } from '../../core/sdk/index.ts';
import prestashop from './index.ts';

const SHOP = 'http://shop.test';
const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const AUTH = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
const HEAD = '<?xml version="1.0" encoding="UTF-8"?><prestashop xmlns:xlink="http://www.w3.org/1999/xlink">';

const ctx = (version: '8' | '1.7' = '8') =>
  createTestContext(prestashop, { url: SHOP, key: KEY, version, languages: { pl: 1, en: 2 }, taxRuleGroups: { '0.23': 3 } }).ctx;

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

/** The rejection of a promise that must fail. */
async function failure(p: Promise<unknown>): Promise<Error & { kind: string; detail?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { kind: string; detail?: string };
  }
  throw new Error('expected a failure');
}

const stockList = (rows: Array<[number, number, number, number]>) => ({
  stock_availables: rows.map(([id, p, a, q]) => ({ id, id_product: String(p), id_product_attribute: String(a), id_shop: '1', quantity: String(q) })),
});

describe('requests the connector sends (pinned)', () => {
  it('8.x stock: one filtered JSON read, then PATCH with only <id> and <quantity>, key as Basic user', async () => {
    const api = nock(SHOP, { reqheaders: { authorization: AUTH } })
      .get('/api/stock_availables')
      .query({ display: '[id,id_product,id_product_attribute,id_shop,quantity]', 'filter[id_product]': '[2]', id_shop: '1', output_format: 'JSON' })
      .reply(200, stockList([[5, 2, 0, 15], [6, 2, 1, 10], [7, 2, 2, 5]]))
      .patch('/api/stock_availables/6', `${HEAD}<stock_available><id>6</id><quantity>3</quantity></stock_available></prestashop>`)
      .query({ id_shop: '1' })
      .matchHeader('content-type', /text\/xml/)
      .reply(200, `${HEAD}<stock_available><id>6</id></stock_available></prestashop>`);
    const results = await prestashop.capabilities.stock!.write!.set(ctx(), [
      { sku: 'S', externalId: '2-1', productExternalId: '2', available: 3, expected: undefined },
      { sku: 'P', externalId: '2-0', productExternalId: '2', available: 3, expected: undefined },
    ]);
    expect(results).toEqual([{ ok: true, externalId: '2-1' }, expect.objectContaining({ ok: false, kind: 'business' })]);
    expect(api.isDone()).toBe(true);
  });

  it('1.7 stock: GET the row in XML, PUT the whole object back with the new quantity (no PATCH)', async () => {
    nock(SHOP)
      .get('/api/stock_availables').query(true).reply(200, stockList([[1, 1, 0, 2400]]))
      .get('/api/stock_availables/1').query({ id_shop: '1' })
      .reply(200, `${HEAD}<stock_available><id><![CDATA[1]]></id><id_product xlink:href="${SHOP}/api/products/1"><![CDATA[1]]></id_product><id_product_attribute><![CDATA[0]]></id_product_attribute><id_shop><![CDATA[1]]></id_shop><id_shop_group><![CDATA[0]]></id_shop_group><quantity><![CDATA[2400]]></quantity><depends_on_stock><![CDATA[0]]></depends_on_stock><out_of_stock><![CDATA[2]]></out_of_stock><location><![CDATA[]]></location></stock_available></prestashop>`)
      .put('/api/stock_availables/1', `${HEAD}<stock_available><id>1</id><id_product>1</id_product><id_product_attribute>0</id_product_attribute><id_shop>1</id_shop><id_shop_group>0</id_shop_group><quantity>77</quantity><depends_on_stock>0</depends_on_stock><out_of_stock>2</out_of_stock><location></location></stock_available></prestashop>`)
      .query({ id_shop: '1' })
      .reply(200, `${HEAD}<stock_available><id>1</id></stock_available></prestashop>`);
    expect(await prestashop.capabilities.stock!.write!.set(ctx('1.7'), [{ sku: 'M', externalId: '1-0', productExternalId: '1', available: 77, expected: 2400 }])).toEqual([{ ok: true, externalId: '1-0' }]);
  });

  it('8.x price: PATCH product price (net, 6 decimals) and tax group; combination price as an impact', async () => {
    nock(SHOP)
      .get('/api/products').query({ display: '[id,price]', 'filter[id]': '[2]', id_shop: '1', output_format: 'JSON' })
      .reply(200, { products: [{ id: 2, price: '59.000000' }] })
      .patch('/api/products/1', `${HEAD}<product><id>1</id><price>24.390244</price><id_tax_rules_group>3</id_tax_rules_group></product></prestashop>`).query(true).reply(200, `${HEAD}<product><id>1</id></product></prestashop>`)
      .patch('/api/combinations/9', `${HEAD}<combination><id>9</id><price>-9.000000</price></combination></prestashop>`).query(true).reply(200, `${HEAD}<combination><id>9</id></combination></prestashop>`);
    const p = (net: string) => ({ net, gross: '0', taxRate: '0.23', currency: 'PLN', compareAt: null });
    const results = await prestashop.capabilities.prices!.write.set(ctx(), [
      { sku: 'A', externalId: '1-0', productExternalId: '1', price: p('24.3902439') },
      { sku: 'B', externalId: '2-9', productExternalId: '2', price: p('50') },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('creates a simple product: lookup by reference first, then POST XML with every language and escaped text, and no read-back', async () => {
    const product: DesiredProduct = {
      internalId: 'i1', externalId: undefined, groups: ['content', 'price'], title: { pl: 'Kubek "Duży" & <mocny>' }, description: {},
      brand: null, category: null, attributes: {}, images: [], status: 'active',
      variants: [{ sku: 'MUG-1', ean: '5901234123457', externalId: undefined, title: {}, attributes: {}, price: { net: '10', gross: '12.30', taxRate: '0.23', currency: 'PLN', compareAt: null }, stock: undefined, status: 'active', images: [] }],
    };
    nock(SHOP)
      .get('/api/products').query({ display: '[id,reference]', 'filter[reference]': '[MUG-1]', sort: '[id_ASC]', id_shop: '1', output_format: 'JSON' }).reply(200, [])
      .post(
        '/api/products',
        `${HEAD}<product><id_category_default>2</id_category_default><id_tax_rules_group>3</id_tax_rules_group><reference>MUG-1</reference><ean13>5901234123457</ean13><price>10.000000</price><active>1</active><state>1</state><product_type>standard</product_type><available_for_order>1</available_for_order><show_price>1</show_price><visibility>both</visibility><minimal_quantity>1</minimal_quantity>` +
          `<name><language id="1">Kubek &quot;Duży&quot; &amp; &lt;mocny&gt;</language><language id="2">Kubek &quot;Duży&quot; &amp; &lt;mocny&gt;</language></name>` +
          `<link_rewrite><language id="1">kubek-duzy-mocny</language><language id="2">kubek-duzy-mocny</language></link_rewrite>` +
          `<description><language id="1"></language><language id="2"></language></description>` +
          `<associations><categories><category><id>2</id></category></categories></associations></product></prestashop>`,
      )
      .query({ id_shop: '1' })
      .reply(201, `${HEAD}<product><id><![CDATA[20]]></id></product></prestashop>`);
    // No read-back of the product just created: nock answers any further request with an error.
    expect(await prestashop.capabilities.catalog!.write!.upsert(ctx(), [product])).toEqual([{ ok: true, externalId: '20', variantIds: { 'MUG-1': '20-0' } }]);
  });

  it('orders: date_upd window with date=1, sort and offset paging', async () => {
    const t = createTestContext(prestashop, { url: SHOP, key: KEY, languages: { pl: 1 }, overlapSeconds: 10 }, { now: new Date('2026-01-05T10:00:00Z') });
    nock(SHOP)
      .get('/api/orders')
      .query({ display: '[id,date_upd]', date: '1', 'filter[date_upd]': '[2026-01-05 10:59:50,2026-01-05 11:00:00]', sort: '[date_upd_ASC,id_ASC]', limit: '0,50', id_shop: '1', output_format: 'JSON' })
      .reply(200, []);
    expect(await prestashop.capabilities.orders!.read!.changes(t.ctx, { since: '2026-01-05 11:00:00' })).toEqual({ orders: [], checkpoint: { since: '2026-01-05 11:00:00' } });
  });
});

describe('PrestaShop quirks and errors', () => {
  it('multilingual fields as plain strings (one language) and dropped zero fields', async () => {
    nock(SHOP)
      .get('/api/products').query(true).reply(200, { products: [{ id: 7, reference: 'R', price: '5.000000', active: '1', name: 'Kubek', id_tax_rules_group: '3' }] })
      .get('/api/combinations').query(true).reply(200, [])
      .get('/api/stock_availables').query(true).reply(200, { stock_availables: [{ id: 9, id_product: '7', id_shop: '1' }] });
    expect(await prestashop.capabilities.catalog!.read!.get(ctx(), '7')).toMatchObject({
      title: { pl: 'Kubek' },
      variants: [{ externalId: '7-0', sku: 'R', price: { net: '5.000000', gross: '6.15' }, stock: { available: 0 } }],
    });
  });

  it('null only when the shop confirms absence; 500 with an empty body is retryable', async () => {
    nock(SHOP).get('/api/products').query(true).reply(200, []);
    expect(await prestashop.capabilities.catalog!.read!.get(ctx(), '99999')).toBeNull();
    nock(SHOP).get('/api/products').query(true).times(3).reply(500, '');
    await expect(prestashop.capabilities.catalog!.read!.get(ctx(), '1')).rejects.toMatchObject({ kind: 'retryable' });
  });

  it('401 with codes 20/21 is an auth error that never shows the key', async () => {
    // orders and order_details are read in parallel: both refused.
    nock(SHOP).get(/^\/api\/order(s|_details)/).times(2).reply(401, `${HEAD}<errors><error><code><![CDATA[20]]></code><message><![CDATA[Authentification key is not active]]></message></error><error><code><![CDATA[21]]></code><message><![CDATA[No permission for this authentication key]]></message></error></errors></prestashop>`);
    const err = await failure(prestashop.capabilities.orders!.read!.get(ctx(), '1'));
    expect(err).toMatchObject({ kind: 'auth' });
    expect(String(err.message)).toContain('20: Authentification key is not active');
    expect(JSON.stringify({ m: err.message, d: err.detail })).not.toContain(KEY);
  });

  it('a validation error (code 85) fails the item as business; a bad filter 500 (code 32) is business too', async () => {
    nock(SHOP)
      .get('/api/stock_availables').query(true).reply(200, stockList([[1, 1, 0, 1]]))
      .patch('/api/stock_availables/1').query(true).reply(400, { errors: [{ code: 85, message: 'Validation error: "quantity"' }] });
    expect(await prestashop.capabilities.stock!.write!.set(ctx(), [{ sku: 'M', externalId: '1-0', productExternalId: '1', available: 5, expected: undefined }])).toEqual([
      { ok: false, kind: 'business', message: expect.stringContaining('85: Validation error') },
    ]);
    nock(SHOP).get(/^\/api\/order(s|_details)/).times(6).reply(500, { errors: [{ code: 32, message: 'This filter does not exist.' }, { code: 3, message: '[PHP Warning #2] … (/var/www/shop/classes/x.php)' }] });
    const err = await failure(prestashop.capabilities.orders!.read!.get(ctx(), '1'));
    expect(err).toMatchObject({ kind: 'business' });
    expect(err.message).not.toContain('/var/www');
  });

  it('a malformed list item is an error naming the field', async () => {
    nock(SHOP).get('/api/stock_availables').query(true).reply(200, { stock_availables: [{ id: 1, id_product: '1', id_product_attribute: '0', quantity: 'lots' }] });
    await expect(prestashop.capabilities.stock!.read!.get(ctx(), [{ sku: 'x', externalId: '1-0' }])).rejects.toThrow('stock_availables[0].quantity: must be a whole number');
  });
});
