import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specPath } from '../common/specs.ts';
import { listen } from '../common/simulator.ts';
import { createPrestashopSimulator, DEFAULT_WS_KEY, type PrestashopOptions } from './index.ts';

const T0 = Date.UTC(2026, 0, 15, 10, 0, 0); // 11:00:00 in Europe/Warsaw

function setup(opts: PrestashopOptions = {}) {
  let now = T0;
  const sim = createPrestashopSimulator({ clock: () => now, ...opts });
  const auth = { Authorization: `Basic ${Buffer.from(`${DEFAULT_WS_KEY}:`).toString('base64')}` };
  const call = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await sim.app.request(`http://shop.test${path}`, { method, headers: { ...auth, ...headers }, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, json: () => JSON.parse(text) as any };
  };
  return { sim, call, tick: (ms: number) => (now += ms) };
}

const xml = (node: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><prestashop xmlns:xlink="http://www.w3.org/1999/xlink"><${node}>${inner}</${node}></prestashop>`;
const codes = (text: string) => [...text.matchAll(/<code><!\[CDATA\[(\d+)\]\]><\/code>/g)].map((m) => Number(m[1]));

describe('authentication and formats', () => {
  it('accepts the key as Basic user or ?ws_key=, and answers a wrong or missing key like the real shop', async () => {
    const { sim, call } = setup();
    expect((await call('GET', '/api/products')).status).toBe(200);
    const viaQuery = await sim.app.request(`http://shop.test/api/products?ws_key=${DEFAULT_WS_KEY}`);
    expect(viaQuery.status).toBe(200);
    const none = await sim.app.request('http://shop.test/api/products');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic realm=');
    expect(none.headers.get('content-type')).toContain('text/html');
    const wrong = await sim.app.request('http://shop.test/api/products?output_format=JSON', { headers: { Authorization: `Basic ${Buffer.from('NOPE:').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { errors: Array<{ code: number }> }).errors.map((e) => e.code)).toEqual([20, 21]);
  });

  it('outputs JSON with output_format / io_format / Io-Format, XML otherwise, with the real JSON quirks', async () => {
    const { call } = setup();
    const x = await call('GET', '/api/stock_availables/1');
    expect(x.type).toBe('text/xml;charset=utf-8');
    expect(x.text).toContain('<id_product_attribute><![CDATA[0]]></id_product_attribute>');
    const j = await call('GET', '/api/stock_availables/1', undefined, { 'Io-Format': 'JSON' });
    expect(j.type).toBe('application/json');
    // array_filter on single objects: id_product_attribute "0" and location "" disappear; id is a number.
    expect(j.json().stock_available).toEqual({ id: 1, id_product: '1', id_shop: '1', quantity: '25', out_of_stock: '2' });
    expect((await call('GET', '/api/products?filter[id]=[999]&output_format=JSON')).text).toBe('[]');
    const missing = await call('GET', '/api/products/999');
    expect([missing.status, missing.text, missing.type]).toEqual([404, '', null]);
  });

  it('renders multilingual fields as [{id,value}] with two languages and as plain strings with language=N', async () => {
    const { call } = setup();
    expect((await call('GET', '/api/products/1?output_format=JSON')).json().product.name).toEqual([
      { id: '1', value: 'Kubek' },
      { id: '2', value: 'Mug' },
    ]);
    expect((await call('GET', '/api/products/1?output_format=JSON&language=2')).json().product.name).toBe('Mug');
    expect((await call('GET', '/api/products/1')).text).toContain('<name><language id="1" xlink:href="http://shop.test/api/languages/1"><![CDATA[Kubek]]></language><language id="2"');
  });
});

describe('writes', () => {
  it('rejects a JSON body as the real XML parser does (500, code 127) and changes nothing', async () => {
    const { call } = setup();
    const r = await call('PUT', '/api/stock_availables/1', '{"stock_available":{"id":1,"quantity":99}}', { 'Content-Type': 'application/json' });
    expect(r.status).toBe(500);
    expect(codes(r.text)).toEqual([3, 3, 3, 127]);
    expect(r.text).toContain('String could not be parsed as XML');
    expect((await call('GET', '/api/stock_availables/1?output_format=JSON')).json().stock_available.quantity).toBe('25');
  });

  it('PUT replaces the whole resource: omitted fields reset, missing required ones are refused', async () => {
    const { call } = setup();
    expect(codes((await call('PUT', '/api/stock_availables/1', xml('stock_available', '<id>1</id><quantity>7</quantity>'))).text)).toEqual([41]);
    await call('PATCH', '/api/stock_availables/1', xml('stock_available', '<id>1</id><location>A-1</location>'));
    const full = '<id>1</id><id_product>1</id_product><id_product_attribute>0</id_product_attribute><quantity>7</quantity><depends_on_stock>0</depends_on_stock><out_of_stock>2</out_of_stock>';
    const put = await call('PUT', '/api/stock_availables/1', xml('stock_available', full));
    expect(put.status).toBe(200);
    const after = (await call('GET', '/api/stock_availables?filter[id]=[1]&display=full&output_format=JSON')).json().stock_availables[0];
    expect(after).toMatchObject({ quantity: '7', location: '', id_shop: '0' });
  });

  it('PATCH touches only the fields sent, needs <id>, and is refused in 1.7 mode', async () => {
    const { call } = setup();
    await call('PATCH', '/api/stock_availables/1', xml('stock_available', '<id>1</id><location>A-1</location>'));
    const p = await call('PATCH', '/api/stock_availables/1?output_format=JSON', xml('stock_available', '<id>1</id><quantity>3</quantity>'));
    expect(p.json().stock_available).toMatchObject({ quantity: '3', location: 'A-1', id_shop: '1' });
    expect(codes((await call('PATCH', '/api/stock_availables/1', xml('stock_available', '<quantity>3</quantity>'))).text)).toEqual([90]);
    const old = setup({ version: '1.7' });
    const r = await old.call('PATCH', '/api/stock_availables/1', xml('stock_available', '<id>1</id><quantity>3</quantity>'));
    expect(r.status).toBe(405);
    expect((await old.call('GET', '/api/products/1')).text).toBeTruthy();
  });

  it('validates fields against the synopsis: required, format, maxSize, read-only, per language', async () => {
    const { call } = setup();
    const base = '<name><language id="1">X</language></name>';
    expect((await call('POST', '/api/products', xml('product', base))).text).toContain('parameter "price" required');
    const badPrice = await call('POST', '/api/products', xml('product', `<price>12,50</price>${base}`));
    expect([badPrice.status, codes(badPrice.text)]).toEqual([400, [85]]);
    expect(badPrice.text).toContain('Property Product-&gt;price is not valid');
    const longRef = await call('POST', '/api/products', xml('product', `<price>1</price><reference>${'R'.repeat(65)}</reference>`));
    expect(longRef.text).toContain('The length of property Product-&gt;reference is currently 65 chars. It must be between 0 and 64 chars.');
    const ro = await call('POST', '/api/products', xml('product', '<price>1</price><quantity>5</quantity>'));
    expect([ro.status, codes(ro.text)]).toEqual([400, [93]]);
    const longName = await call('POST', '/api/products', xml('product', `<price>1</price><name><language id="1">${'n'.repeat(200)}</language></name>`));
    expect(codes(longName.text)).toEqual([84]);
    const badType = await call('POST', '/api/specific_prices', xml('specific_price', '<id_shop>1</id_shop><id_cart>0</id_cart><id_product>1</id_product><id_currency>0</id_currency><id_country>0</id_country><id_group>0</id_group><id_customer>0</id_customer><price>-1</price><from_quantity>1</from_quantity><reduction>0.1</reduction><reduction_tax>1</reduction_tax><reduction_type>percent</reduction_type><from>0000-00-00 00:00:00</from><to>0000-00-00 00:00:00</to>'));
    expect(badType.text).toContain('Property SpecificPrice-&gt;reduction_type is not valid');
    // Unknown elements are silently ignored, as the real shop does.
    expect((await call('POST', '/api/products', xml('product', '<price>1</price><colour>red</colour>'))).status).toBe(201);
  });

  it('accepts every request sample from the specs (blank-schema based bodies)', async () => {
    const { call, sim } = setup();
    await sim.app.request('/__sandbox/seed', {
      method: 'POST',
      body: JSON.stringify({ resources: { addresses: [{ id: 1, id_country: '14', alias: 'Home', lastname: 'Nowak', firstname: 'Jan', address1: 'Polna 1', city: 'Warszawa' }], customer_threads: [{ id: 1, id_lang: '1', id_contact: '2', token: 'abcdefabcdef', status: 'open' }] } }),
    });
    const dir = specPath('samples/prestashop');
    const vars: Record<string, string> = { product_combination_id: '2', product_id: '1', id_stock_available: '1', id_product: '1', id_product_attribute: '0' };
    const route: Record<string, [string, string]> = {
      'address-patch.request.xml': ['PATCH', '/api/addresses/1'],
      'combination-create.request.xml': ['POST', '/api/combinations'],
      'customer_message-reply.request.constructed.xml': ['POST', '/api/customer_messages'],
      'product-create-with-combinations.request.xml': ['POST', '/api/products'],
      'product-create.request.xml': ['POST', '/api/products'],
      'product-patch-multilang.request.xml': ['PATCH', '/api/products/1'],
      'specific_price-create.request.constructed.xml': ['POST', '/api/specific_prices'],
      'stock_available-patch.request.xml': ['PATCH', '/api/stock_availables/1'],
      'stock_available-put.request.xml': ['PUT', '/api/stock_availables/1'],
    };
    const files = readdirSync(dir).filter((f) => /\.request(\.constructed)?\.xml$/.test(f));
    expect(files.sort()).toEqual(Object.keys(route).sort());
    for (const f of files) {
      const body = readFileSync(join(dir, f), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, v: string) => vars[v] ?? '');
      const [method, path] = route[f]!;
      const r = await call(method, path, body);
      expect([f, r.status], r.text).toEqual([f, method === 'POST' ? 201 : 200]);
    }
  });

  it('answers a duplicate specific price with a bare 500, and burns the auto-increment id', async () => {
    const { call } = setup();
    const sp = xml('specific_price', '<id_shop>1</id_shop><id_cart>0</id_cart><id_product>1</id_product><id_currency>0</id_currency><id_country>0</id_country><id_group>0</id_group><id_customer>0</id_customer><price>-1</price><from_quantity>1</from_quantity><reduction>0.15</reduction><reduction_tax>1</reduction_tax><reduction_type>percentage</reduction_type><from>2026-01-01 00:00:00</from><to>2026-02-01 00:00:00</to>');
    expect((await call('POST', '/api/specific_prices', sp)).text).toContain('<id><![CDATA[1]]></id>');
    const dup = await call('POST', '/api/specific_prices', sp);
    expect([dup.status, dup.text]).toEqual([500, '']);
    expect((await call('POST', '/api/specific_prices', sp.replace('2026-02-01', '2026-03-01'))).text).toContain('<id><![CDATA[3]]></id>');
  });
});

describe('list parameters', () => {
  async function withProducts() {
    const s = setup();
    for (let i = 0; i < 8; i++) {
      s.tick(60_000);
      await s.call('POST', '/api/products', xml('product', `<price>${10 + i}</price><reference>REF-${i}</reference><name><language id="1">Item ${i}</language></name>`));
    }
    return s;
  }
  const ids = (r: { json: () => any; text: string }) => (r.text === '[]' ? [] : r.json().products.map((p: { id: number }) => p.id));

  it('[a,b] is an inclusive interval, [a|b] is OR, > and < are strict, %[x]% is LIKE, ![x] is NOT', async () => {
    const { call } = await withProducts();
    expect(ids(await call('GET', '/api/products?filter[id]=[3,5]&output_format=JSON'))).toEqual([3, 4, 5]);
    expect(ids(await call('GET', '/api/products?filter[id]=[5,3]&output_format=JSON'))).toEqual([3, 4, 5]);
    expect(ids(await call('GET', '/api/products?filter[id]=[2|7]&output_format=JSON'))).toEqual([2, 7]);
    expect(ids(await call('GET', '/api/products?filter[id]=>[8]&output_format=JSON'))).toEqual([9, 10]);
    expect(ids(await call('GET', '/api/products?filter[id]=<[2]&output_format=JSON'))).toEqual([1]);
    expect(ids(await call('GET', '/api/products?filter[price]=[12,14]&output_format=JSON'))).toEqual([5, 6, 7]);
    expect(ids(await call('GET', '/api/products?filter[reference]=%[ref-1]%&output_format=JSON'))).toEqual([4]);
    expect(ids(await call('GET', '/api/products?filter[reference]=[REF]%&filter[id]=![3|4]&output_format=JSON'))).toEqual([5, 6, 7, 8, 9, 10]);
    expect(ids(await call('GET', '/api/products?filter[name]=[Item 2]&output_format=JSON'))).toEqual([5]);
  });

  it('date fields need date=1; > on date_upd is strict; sort and limit=offset,count', async () => {
    const { call } = await withProducts();
    const noDate = await call('GET', '/api/products?filter[date_upd]=>[2026-01-15 11:03:00]&output_format=JSON');
    expect(noDate.status).toBe(500);
    expect(noDate.json().errors[0].code).toBe(32);
    expect(ids(await call('GET', '/api/products?date=1&filter[date_upd]=>[2026-01-15 11:06:00]&output_format=JSON'))).toEqual([9, 10]);
    expect(ids(await call('GET', '/api/products?date=1&filter[date_upd]=[2026-01-15 11:03:00,2026-01-15 11:04:00]&output_format=JSON'))).toEqual([5, 6]);
    expect(ids(await call('GET', '/api/products?sort=[id_DESC]&limit=2&output_format=JSON'))).toEqual([10, 9]);
    expect(ids(await call('GET', '/api/products?sort=[price_ASC]&limit=3,2&output_format=JSON'))).toEqual([6, 7]);
    const partial = (await call('GET', '/api/products?display=[reference,id]&filter[id]=[3]&output_format=JSON')).json();
    expect(partial).toEqual({ products: [{ id: 3, reference: 'REF-0' }] });
  });
});

describe('stock', () => {
  it('keeps the id_product_attribute=0 row as the sum of the combination rows', async () => {
    const { call } = setup();
    const rows = (await call('GET', '/api/stock_availables?filter[id_product]=[2]&display=full&output_format=JSON')).json().stock_availables;
    expect(rows.map((r: { id_product_attribute: string; quantity: string }) => [r.id_product_attribute, r.quantity])).toEqual([['0', '15'], ['1', '10'], ['2', '5']]);
    const combo = rows.find((r: { id_product_attribute: string }) => r.id_product_attribute === '2');
    await call('PATCH', `/api/stock_availables/${combo.id}`, xml('stock_available', `<id>${combo.id}</id><quantity>40</quantity>`));
    expect((await call('GET', '/api/stock_availables?filter[id_product]=[2]&filter[id_product_attribute]=[0]&display=[quantity]&output_format=JSON')).json()).toEqual({ stock_availables: [{ quantity: '50' }] });
    // stock_availables has no date fields at all, as the real resource.
    expect((await call('GET', '/api/stock_availables?date=1&filter[date_upd]=>[2000-01-01 00:00:00]')).status).toBe(500);
    expect((await call('POST', '/api/stock_availables', xml('stock_available', '<quantity>1</quantity>'))).status).toBe(405);
  });

  it('a simulated sale creates an order, decrements stock and is found by polling orders on date_upd', async () => {
    const { call, sim, tick } = setup();
    tick(3_600_000);
    const res = await sim.app.request('/__sandbox/sale', { method: 'POST', body: JSON.stringify({ lines: [{ id_product: 2, id_product_attribute: 1, quantity: 3 }, { id_product: 1, quantity: 1 }] }) });
    const { id_order } = (await res.json()) as { id_order: number };
    const polled = (await call('GET', '/api/orders?date=1&filter[date_upd]=>[2026-01-15 11:30:00]&display=[id,date_upd]&output_format=JSON')).json();
    expect(polled.orders).toEqual([{ id: id_order, date_upd: '2026-01-15 12:00:00' }]);
    const q = async (p: number, a: number) => (await call('GET', `/api/stock_availables?filter[id_product]=[${p}]&filter[id_product_attribute]=[${a}]&display=[quantity]&output_format=JSON`)).json().stock_availables[0].quantity;
    expect([await q(2, 1), await q(2, 0), await q(1, 0)]).toEqual(['7', '12', '24']);
    const details = (await call('GET', `/api/order_details?filter[id_order]=[${id_order}]&display=[product_id,product_quantity]&output_format=JSON`)).json();
    expect(details.order_details).toHaveLength(2);
  });
});

describe('faults, latency and limits', () => {
  it('has no rate limit (PrestaShop core has none) but applies injected faults over real HTTP', async () => {
    const { sim } = setup({ rateLimitScale: 10 });
    const running = await listen(sim);
    try {
      const auth = { Authorization: `Basic ${Buffer.from(`${DEFAULT_WS_KEY}:`).toString('base64')}` };
      const statuses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${running.url}/api/products`, { headers: auth }).then((r) => r.status)));
      expect(new Set(statuses)).toEqual(new Set([200]));
      await fetch(`${running.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 503, path: '^/api/products', times: 1 }) });
      expect((await fetch(`${running.url}/api/products`, { headers: auth })).status).toBe(503);
      expect((await fetch(`${running.url}/api/products`, { headers: auth })).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('exposes the whole state and validates seeds against the spec', async () => {
    const { sim } = setup();
    const state = (await (await sim.app.request('/__sandbox/state')).json()) as { resources: Record<string, unknown[]> };
    expect(state.resources.products).toHaveLength(2);
    const bad = await sim.app.request('/__sandbox/seed', { method: 'POST', body: JSON.stringify({ resources: { products: [{ id: 9, colour: 'red' }] } }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('unknown field \\"colour\\"');
  });
});
