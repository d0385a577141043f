import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { AuthError, BusinessError, createTestContext, RetryableError } from '../../core/sdk/index.ts';
import odoo from './index.ts';

/** The exact requests of each operation, on both protocols, and how Odoo's error answers are classified. */
const URL = 'http://odoo.test';
const KEY = 'k3y-6578616d706c65';
const config = { url: URL, database: 'mycompany', login: 'bot@example.com', apiKey: KEY, currency: 'PLN', warehouseId: 1, orderPartnerId: 10 };
const ctxOf = (extra: Record<string, unknown> = {}) => createTestContext(odoo, { ...config, ...extra }, { now: new Date('2025-11-20T10:00:00Z') });

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

const version = (major: number) => nock(URL).get('/web/version').reply(200, { version_info: [major, 0, 0, 'final', 0, ''], version: `${major}.0` });
/** nock deep-compares the parsed JSON body with this object. */
const rpcBody = (id: number, service: string, method: string, args: unknown[]) =>
  ({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }) as unknown as nock.DataMatcherMap;
const kwBody = (id: number, model: string, method: string, args: unknown[], kwargs: Record<string, unknown>) =>
  rpcBody(id, 'object', 'execute_kw', ['mycompany', 7, KEY, model, method, args, kwargs]);
const ok = (id: number, result: unknown) => ({ jsonrpc: '2.0', id, result });
const rpcError = (id: number, name: string, message: string) => ({
  jsonrpc: '2.0', id, error: { code: 200, message: 'Odoo Server Error', data: { name, message, arguments: [message], context: {}, debug: 'Traceback …' } },
});

const TEMPLATE = { id: 5, name: 'Kubek', description_sale: false, categ_id: [1, 'All'], active: true, sale_ok: true, type: 'product', write_date: '2025-11-20 09:00:00' };
const VARIANT = {
  id: 18, product_tmpl_id: [5, 'Kubek'], display_name: '[SKU-123] Kubek', default_code: 'SKU-123', barcode: '5901234123457', lst_price: 39.99,
  free_qty: 22.0, active: true, product_template_attribute_value_ids: [], write_date: '2025-11-20 09:00:00',
};
const TEMPLATE_FIELDS_17 = ['name', 'description_sale', 'categ_id', 'active', 'sale_ok', 'type', 'write_date'];
const VARIANT_FIELDS = ['product_tmpl_id', 'display_name', 'default_code', 'barcode', 'lst_price', 'free_qty', 'active', 'product_template_attribute_value_ids', 'write_date'];
const CONTEXT = { lang: 'en_US', warehouse: 1 };

describe('JSON-RPC (Odoo 17): envelopes', () => {
  it('catalog.list: /web/version, common.authenticate once, then execute_kw search_read on templates and variants', async () => {
    const t = ctxOf();
    version(17);
    // The key travels in the JSON-RPC body only, never as a header.
    const rpc = nock(URL, { badheaders: ['authorization', 'x-odoo-database'], reqheaders: { 'content-type': /^application\/json/ } })
      .post('/jsonrpc', rpcBody(1, 'common', 'authenticate', ['mycompany', 'bot@example.com', KEY, {}])).reply(200, ok(1, 7))
      .post('/jsonrpc', kwBody(2, 'product.template', 'search_read', [], { domain: [['id', '>', 0]], fields: TEMPLATE_FIELDS_17, order: 'id asc', limit: 100, context: CONTEXT }))
      .reply(200, ok(2, [TEMPLATE]))
      .post('/jsonrpc', kwBody(3, 'product.product', 'search_read', [], { domain: [['product_tmpl_id', 'in', [5]]], fields: VARIANT_FIELDS, order: 'id asc', context: CONTEXT }))
      .reply(200, ok(3, [VARIANT]))
      .post('/jsonrpc', kwBody(4, 'product.product', 'search_read', [], { domain: [['id', 'in', [18]]], fields: ['free_qty', 'type'], context: { ...CONTEXT, active_test: false } }))
      .reply(200, ok(4, [{ id: 18, free_qty: 21.5, type: 'product' }]));

    const page = await odoo.capabilities.catalog!.read!.list(t.ctx, undefined);
    expect(page.items).toEqual([
      {
        externalId: '5', title: { en: 'Kubek' }, category: 'All', status: 'active', updatedAt: '2025-11-20T09:00:00.000Z',
        variants: [{ externalId: '18', sku: 'SKU-123', ean: '5901234123457', title: { en: '[SKU-123] Kubek' }, price: { net: '39.99', currency: 'PLN' }, stock: { available: 22 }, status: 'active' }],
      },
    ]);
    // Same session: no second version check, no second login.
    expect(await odoo.capabilities.stock!.read!.get(t.ctx, [{ sku: 'SKU-123', externalId: '18' }])).toEqual([{ externalId: '18', available: 21 }]);
    expect(rpc.isDone()).toBe(true);
  });

  it('orders.write.record: search by client_order_ref, resolve SKUs, create with a vals list, confirm', async () => {
    const t = ctxOf({ taxRate: '0.23' });
    version(17);
    const vals = {
      partner_id: 10, client_order_ref: 'ref-1', origin: 'allegro A-1', warehouse_id: 1,
      order_line: [[0, 0, { product_id: 18, product_uom_qty: 2, price_unit: 39.99 }]],
    };
    const rpc = nock(URL)
      .post('/jsonrpc', rpcBody(1, 'common', 'authenticate', ['mycompany', 'bot@example.com', KEY, {}])).reply(200, ok(1, 7))
      .post('/jsonrpc', kwBody(2, 'sale.order', 'search_read', [], { domain: [['client_order_ref', '=', 'ref-1']], fields: ['state', 'name'], order: 'id asc', limit: 1 }))
      .reply(200, ok(2, []))
      .post('/jsonrpc', kwBody(3, 'product.product', 'search_read', [], { domain: [['default_code', 'in', ['SKU-123']]], fields: ['default_code'] }))
      .reply(200, ok(3, [{ id: 18, default_code: 'SKU-123' }]))
      .post('/jsonrpc', kwBody(4, 'sale.order', 'create', [[vals]], {})).reply(200, ok(4, [42]))
      .post('/jsonrpc', kwBody(5, 'sale.order', 'action_confirm', [[42]], {})).reply(200, ok(5, true));
    const result = await odoo.capabilities.orders!.write!.record(t.ctx, {
      externalId: 'A-1', number: 'A-1', status: 'paid', reference: 'ref-1', channel: 'allegro',
      lines: [{ externalId: 'l1', sku: 'SKU-123', quantity: 2, unitPrice: '49.19' }],
    });
    expect(result).toEqual({ externalId: '42' });
    expect(rpc.isDone()).toBe(true);
  });

  it('poll: keyset pages on write_date for templates, variants, quants of the warehouse', async () => {
    const t = ctxOf({ pollOverlapSeconds: 60 });
    t.checkpoints.set('odoo.changes', { watermark: '2025-11-20 09:50:00' });
    version(17);
    const since = [['write_date', '>=', '2025-11-20 09:49:00']];
    const base = { order: 'write_date asc, id asc', limit: 100 };
    const ctx = { lang: 'en_US', active_test: false };
    const rpc = nock(URL)
      .post('/jsonrpc', rpcBody(1, 'common', 'authenticate', ['mycompany', 'bot@example.com', KEY, {}])).reply(200, ok(1, 7))
      .post('/jsonrpc', kwBody(2, 'product.template', 'search_read', [], { domain: since, fields: ['write_date'], ...base, context: ctx })).reply(200, ok(2, []))
      .post('/jsonrpc', kwBody(3, 'product.product', 'search_read', [], { domain: since, fields: ['product_tmpl_id', 'write_date'], ...base, context: ctx })).reply(200, ok(3, []))
      .post('/jsonrpc', kwBody(4, 'stock.quant', 'search_read', [], {
        domain: [...since, ['location_id.usage', '=', 'internal'], ['warehouse_id', '=', 1]],
        fields: ['product_id', 'product_tmpl_id', 'write_date'], ...base, context: CONTEXT,
      }))
      .reply(200, ok(4, [
        { id: 41, product_id: [18, '[SKU-123] Kubek'], product_tmpl_id: [5, 'Kubek'], write_date: '2025-11-20 09:55:00' },
        { id: 42, product_id: [18, '[SKU-123] Kubek'], product_tmpl_id: [5, 'Kubek'], write_date: '2025-11-20 09:58:00' },
      ]));
    await odoo.poll!(t.ctx);
    expect(t.emitted).toEqual([{ hint: { kind: 'stock', externalId: '18', productExternalId: '5' }, eventId: 'stock:18:2025-11-20 09:58:00' }]);
    expect(t.checkpoints.get('odoo.changes')).toEqual({ watermark: '2025-11-20 10:00:00' });
    expect(rpc.isDone()).toBe(true);
  });

  describe('errors inside HTTP 200', () => {
    const login = () => nock(URL).post('/jsonrpc', (b) => b.params.service === 'common').reply(200, ok(1, 7));
    const failKw = (name: string, message: string) => nock(URL).post('/jsonrpc', (b) => b.params.method === 'execute_kw').reply(200, (_u, b) => rpcError((b as { id: number }).id, name, message));

    it.each([
      ['odoo.exceptions.AccessDenied', 'Access Denied', AuthError],
      ['odoo.http.SessionExpiredException', 'Session expired', AuthError],
      ['odoo.exceptions.ValidationError', 'Barcode already assigned', BusinessError],
      ['odoo.exceptions.UserError', 'The following orders are not in a state requiring confirmation', BusinessError],
      ['odoo.exceptions.AccessError', "You are not allowed to access 'Quants'", BusinessError],
      ['psycopg2.errors.SerializationFailure', 'could not serialize access due to concurrent update', RetryableError],
      ['builtins.Exception', 'boom', RetryableError],
    ])('%s → %s', async (name, message, kind) => {
      version(17);
      login();
      failKw(name, message);
      const err = await odoo.capabilities.stock!.read!.get(ctxOf().ctx, [{ sku: 'X', externalId: '1' }]).catch((e: unknown) => e);
      const classified = odoo.classifyError!(err);
      expect(classified).toBeInstanceOf(kind);
      expect(classified!.message).toContain(message);
      expect(classified!.message).not.toContain(KEY);
    });

    it('a refused login (authenticate → false) is an auth failure and is not cached', async () => {
      const t = ctxOf();
      version(17);
      nock(URL).post('/jsonrpc', (b) => b.params.method === 'authenticate').reply(200, ok(1, false));
      const err = await odoo.capabilities.stock!.read!.get(t.ctx, [{ sku: 'X', externalId: '1' }]).catch((e: unknown) => e);
      expect(odoo.classifyError!(err)).toBeInstanceOf(AuthError);
      const again = nock(URL)
        .post('/jsonrpc', (b) => b.params.method === 'authenticate').reply(200, ok(2, 7))
        .post('/jsonrpc', (b) => b.params.method === 'execute_kw').reply(200, ok(3, []));
      await odoo.capabilities.stock!.read!.get(t.ctx, [{ sku: 'X', externalId: '1' }]);
      expect(again.isDone()).toBe(true);
    });

    it('MissingError while getting a product means it does not exist: null', async () => {
      version(17);
      login();
      failKw('odoo.exceptions.MissingError', 'Record does not exist or has been deleted.');
      expect(await odoo.capabilities.catalog!.read!.get(ctxOf().ctx, '5')).toBeNull();
    });
  });
});

describe('JSON-2 (Odoo 19): requests', () => {
  const headers = { authorization: `bearer ${KEY}`, 'x-odoo-database': 'mycompany', 'content-type': /^application\/json/ };
  const json2 = () => nock(URL, { reqheaders: headers, badheaders: ['cookie'] });

  it('catalog.list: bearer key and database headers, named arguments with context, no login call', async () => {
    version(19);
    const api = json2()
      .post('/json/2/product.template/search_read', {
        domain: [['id', '>', 0]], fields: [...TEMPLATE_FIELDS_17.slice(0, 6), 'is_storable', 'write_date'], order: 'id asc', limit: 100, context: CONTEXT,
      })
      .reply(200, [{ ...TEMPLATE, type: 'consu', is_storable: true }])
      .post('/json/2/product.product/search_read', { domain: [['product_tmpl_id', 'in', [5]]], fields: VARIANT_FIELDS, order: 'id asc', context: CONTEXT })
      .reply(200, [VARIANT]);
    const page = await odoo.capabilities.catalog!.read!.list(ctxOf().ctx, undefined);
    expect(page.items[0]!.variants[0]).toMatchObject({ externalId: '18', stock: { available: 22 } });
    expect(api.isDone()).toBe(true);
  });

  it('orders.write.record: create takes vals_list, action_confirm takes ids', async () => {
    version(19);
    const vals = { partner_id: 10, client_order_ref: 'ref-1', origin: 'shopify 1001', warehouse_id: 1, order_line: [[0, 0, { product_id: 18, product_uom_qty: 1 }]] };
    const api = json2()
      .post('/json/2/sale.order/search_read', { domain: [['client_order_ref', '=', 'ref-1']], fields: ['state', 'name'], order: 'id asc', limit: 1 }).reply(200, [])
      .post('/json/2/product.product/search_read', { domain: [['default_code', 'in', ['SKU-123']]], fields: ['default_code'] }).reply(200, [{ id: 18, default_code: 'SKU-123' }])
      .post('/json/2/sale.order/create', { vals_list: [vals] }).reply(200, [43])
      .post('/json/2/sale.order/action_confirm', { ids: [43] }).reply(200, 'true', { 'content-type': 'application/json' });
    const result = await odoo.capabilities.orders!.write!.record(ctxOf().ctx, {
      externalId: '1001', number: '1001', status: 'open', reference: 'ref-1', channel: 'shopify',
      lines: [{ externalId: 'l1', sku: 'SKU-123', quantity: 1, unitPrice: '49.19' }],
    });
    expect(result).toEqual({ externalId: '43' });
    expect(api.isDone()).toBe(true);
  });

  it('an existing order found by reference is confirmed, not created again', async () => {
    version(19);
    const api = json2()
      .post('/json/2/sale.order/search_read').reply(200, [{ id: 43, state: 'draft', name: 'S00043' }])
      .post('/json/2/sale.order/action_confirm', { ids: [43] }).reply(200, 'true', { 'content-type': 'application/json' });
    const result = await odoo.capabilities.orders!.write!.record(ctxOf().ctx, {
      externalId: '1001', status: 'paid', reference: 'ref-1', channel: 'shopify', lines: [{ externalId: 'l1', sku: 'SKU-123', quantity: 1 }],
    });
    expect(result).toEqual({ externalId: '43' });
    expect(api.isDone()).toBe(true);
  });

  const errorBody = (name: string, message: string) => ({ name, message, arguments: [message], context: {}, debug: '' });
  it.each([
    [401, errorBody('werkzeug.exceptions.Unauthorized', 'Invalid apikey'), AuthError],
    [422, errorBody('odoo.exceptions.ValidationError', 'Contacts require a name'), BusinessError],
    [403, errorBody('odoo.exceptions.AccessDenied', 'Access Denied'), AuthError],
    [500, errorBody('builtins.Exception', 'boom'), RetryableError],
    [502, '<html>Bad Gateway</html>', RetryableError],
  ])('HTTP %i → classified', async (status, body, kind) => {
    version(19);
    json2().post('/json/2/product.product/search_read').reply(status, body as object);
    const err = await odoo.capabilities.stock!.read!.get(ctxOf().ctx, [{ sku: 'X', externalId: '1' }]).catch((e: unknown) => e);
    expect(odoo.classifyError!(err)).toBeInstanceOf(kind);
  });

  it('429 keeps the Retry-After wait', async () => {
    version(19);
    json2().post('/json/2/product.product/search_read').reply(429, 'slow down', { 'Retry-After': '7' });
    const err = await odoo.capabilities.stock!.read!.get(ctxOf().ctx, [{ sku: 'X', externalId: '1' }]).catch((e: unknown) => e);
    const c = odoo.classifyError!(err) as RetryableError;
    expect(c).toBeInstanceOf(RetryableError);
    expect(c.retryAfterMs).toBe(7000);
  });

  it('a 404 MissingError on get is null; protocol: jsonrpc forces JSON-RPC on a 19 server', async () => {
    version(19);
    json2().post('/json/2/product.template/search_read').reply(404, errorBody('odoo.exceptions.MissingError', 'Record does not exist'));
    expect(await odoo.capabilities.catalog!.read!.get(ctxOf().ctx, '5')).toBeNull();

    version(19);
    const rpc = nock(URL)
      .post('/jsonrpc', rpcBody(1, 'common', 'authenticate', ['mycompany', 'bot@example.com', KEY, {}])).reply(200, ok(1, 7));
    await odoo.check!(ctxOf({ protocol: 'jsonrpc' }).ctx);
    expect(rpc.isDone()).toBe(true);
  });
});

describe('config', () => {
  it('requires login for jsonrpc and a currency without a pricelist; never prints the key', () => {
    expect(() => ctxOf({ protocol: 'jsonrpc', login: undefined })).toThrow(/login/);
    expect(() => ctxOf({ currency: undefined })).toThrow(/currency/);
    expect(() => ctxOf({ currency: undefined, pricelistId: 2 })).not.toThrow();
    expect(JSON.stringify(ctxOf().ctx.config)).not.toContain(KEY);
  });
});
