import { beforeEach, describe, expect, it } from 'vitest';
import { createMetaSimulator, type MetaSimulator } from './index.ts';

const CATALOG = '367025965434465';
const TOKEN = 'sandbox-access-token';
const V = 'v26.0';
let t = Date.UTC(2026, 10, 2, 9, 0, 0);
let sim: MetaSimulator;

const item = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Mug ${id}`,
  description: 'Stoneware mug',
  availability: 'in stock',
  condition: 'new',
  price: '49.99 PLN',
  link: `https://shop.example/p/${id}`,
  image_link: `https://shop.example/i/${id}.jpg`,
  quantity_to_sell_on_facebook: 7,
  ...extra,
});

async function batch(requests: unknown[], extra: Record<string, unknown> = {}) {
  const res = await sim.app.request(`/${V}/${CATALOG}/items_batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ item_type: 'PRODUCT_ITEM', requests, ...extra }),
  });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

async function get(path: string) {
  const res = await sim.app.request(`/${V}/${CATALOG}${path}${path.includes('?') ? '&' : '?'}access_token=${TOKEN}`);
  return { status: res.status, json: (await res.json()) as any };
}

const status = async (handle: string) => (await get(`/check_batch_request_status?handle=${handle}&load_ids_of_invalid_requests=true`)).json.data[0];
const product = async (id: string) =>
  (await get(`/products?fields=retailer_id,name,price,sale_price,sale_price_start_date,quantity_to_sell_on_facebook&filter=${encodeURIComponent(JSON.stringify({ retailer_id: { eq: id } }))}`)).json.data[0];

beforeEach(() => {
  sim = createMetaSimulator({ now: () => t, batchProcessingMs: 5000 });
  sim.seed({ catalogs: [{ id: CATALOG, products: [item('seeded-1')] }] });
});

describe('items_batch', () => {
  it('returns a handle that goes from in_progress to finished, and applies the items only then', async () => {
    const r = await batch([{ method: 'CREATE', data: item('sku-1') }]);
    expect(r.status).toBe(200);
    expect(r.json.handles).toHaveLength(1);
    expect(await status(r.json.handles[0])).toMatchObject({ status: 'in_progress', errors_total_count: 0 });
    expect(await product('sku-1')).toBeUndefined();
    t += 5000;
    expect(await status(r.json.handles[0])).toMatchObject({ status: 'finished', errors_total_count: 0, errors: [] });
    expect(await product('sku-1')).toMatchObject({ retailer_id: 'sku-1', name: 'Mug sku-1', price: '49.99 PLN', quantity_to_sell_on_facebook: 7 });
  });

  it('reports a bad price string per item, without failing the good items', async () => {
    const r = await batch([
      { method: 'UPDATE', data: { id: 'seeded-1', price: '12,99 zł' } },
      { method: 'CREATE', data: item('sku-2') },
      { method: 'CREATE', data: item('sku-3', { price: 12.99 }) },
    ]);
    expect(r.json.validation_status.map((v: any) => v.retailer_id)).toEqual(['seeded-1', 'sku-3']);
    t += 5000;
    const s = await status(r.json.handles[0]);
    expect(s.status).toBe('finished');
    expect(s.errors_total_count).toBe(2);
    expect(s.errors[0]).toMatchObject({ line: 0, id: 'seeded-1', message: expect.stringMatching(/Invalid price "12,99 zł"/) });
    expect(s.errors[1]).toMatchObject({ line: 2, id: 'sku-3' });
    expect(s.ids_of_invalid_requests).toEqual(['seeded-1', 'sku-3']);
    expect((await product('seeded-1')).price).toBe('49.99 PLN');
    expect(await product('sku-2')).toBeDefined();
  });

  it('rejects retailer_id inside data, unknown currencies, missing required fields on create', async () => {
    const r = await batch([
      { method: 'CREATE', data: { ...item('a'), retailer_id: 'a' } },
      { method: 'CREATE', data: item('b', { price: '10.00 XYZ' }) },
      { method: 'CREATE', data: { id: 'c', title: 'No price' } },
      { method: 'UPDATE', data: { id: 'seeded-1', sale_price: '9.99 EUR' } },
      { method: 'UPSERT', data: item('d') },
    ]);
    t += 5000;
    const s = await status(r.json.handles[0]);
    const lines = new Set(s.errors.map((e: any) => e.line));
    expect([...lines].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(s.errors.find((e: any) => e.line === 3).message).toMatch(/currency EUR differs/);
  });

  it('refuses a batch over the request limit with a Graph error', async () => {
    sim = createMetaSimulator({ now: () => t, maxBatchRequests: 3 });
    sim.seed({ catalogs: [{ id: CATALOG }] });
    const r = await batch([1, 2, 3, 4].map((i) => ({ method: 'CREATE', data: item(`x${i}`) })));
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 100, type: 'OAuthException', fbtrace_id: expect.any(String) });
    expect(r.json.error.message).toMatch(/at most 3/);
  });

  it('applies the catalog-batch business-use-case limit (80014) and reports usage', async () => {
    sim = createMetaSimulator({ now: () => t, catalogBatchCallsPerHour: 2 });
    sim.seed({ catalogs: [{ id: CATALOG }] });
    const first = await batch([{ method: 'DELETE', data: { id: 'nope' } }]);
    expect(JSON.parse(first.headers.get('x-business-use-case-usage')!)[CATALOG][0]).toMatchObject({ type: 'catalog_batch', call_count: 50 });
    await batch([{ method: 'DELETE', data: { id: 'nope' } }]);
    const third = await batch([{ method: 'DELETE', data: { id: 'nope' } }]);
    expect(third.json.error.code).toBe(80014);
    t += 3_600_001;
    expect((await batch([{ method: 'DELETE', data: { id: 'nope' } }])).status).toBe(200);
  });

  it('accepts the form-encoded call with requests as a JSON string', async () => {
    const body = new URLSearchParams({ item_type: 'PRODUCT_ITEM', requests: JSON.stringify([{ method: 'DELETE', data: { id: 'seeded-1' } }]), access_token: TOKEN });
    const res = await sim.app.request(`/${V}/${CATALOG}/items_batch`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    expect(res.status).toBe(200);
    t += 5000;
    expect(await product('seeded-1')).toBeUndefined();
  });
});

describe('sale price window (the catalogue switches itself)', () => {
  it('shows sale_price only inside its effective window', async () => {
    const start = new Date(t + 86_400_000).toISOString();
    const end = new Date(t + 3 * 86_400_000).toISOString();
    await batch([{ method: 'UPDATE', data: { id: 'seeded-1', sale_price: '39.99 PLN', sale_price_effective_date: `${start}/${end}` } }]);
    t += 5000;
    const before = await product('seeded-1');
    expect(before.sale_price).toBeUndefined();
    expect(before.sale_price_start_date).toBe(start);
    t += 86_400_000;
    expect((await product('seeded-1')).sale_price).toBe('39.99 PLN');
    t += 2 * 86_400_000;
    expect((await product('seeded-1')).sale_price).toBeUndefined();
  });

  it('clears a sale with empty strings', async () => {
    await batch([{ method: 'UPDATE', data: { id: 'seeded-1', sale_price: '39.99 PLN' } }]);
    t += 5000;
    expect((await product('seeded-1')).sale_price).toBe('39.99 PLN');
    await batch([{ method: 'UPDATE', data: { id: 'seeded-1', sale_price: '', sale_price_effective_date: '' } }]);
    t += 5000;
    expect((await product('seeded-1')).sale_price).toBeUndefined();
  });
});

describe('products edge and Graph basics', () => {
  it('filters by retailer_id with is_any and paginates', async () => {
    await batch(['a', 'b', 'c'].map((id) => ({ method: 'CREATE', data: item(id) })));
    t += 5000;
    const filter = encodeURIComponent(JSON.stringify({ retailer_id: { is_any: ['a', 'c', 'zzz'] } }));
    const r = await get(`/products?filter=${filter}&fields=retailer_id&limit=1`);
    expect(r.json.data.map((p: any) => p.retailer_id)).toEqual(['a']);
    const next = new URL(r.json.paging.next);
    const r2 = await get(`/products?${next.searchParams.toString()}`);
    expect(r2.json.data.map((p: any) => p.retailer_id)).toEqual(['c']);
    expect(r2.json.paging.next).toBeUndefined();
  });

  it('answers unknown catalogues with 100/33, bad tokens with 190, unknown versions with 2500', async () => {
    const unknown = await sim.app.request(`/${V}/123/products?access_token=${TOKEN}`);
    expect(((await unknown.json()) as any).error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    const noToken = await sim.app.request(`/${V}/${CATALOG}/products`);
    expect(((await noToken.json()) as any).error.code).toBe(190);
    const oldVersion = await sim.app.request(`/v2.0/${CATALOG}/products?access_token=${TOKEN}`);
    expect(((await oldVersion.json()) as any).error.code).toBe(2500);
  });

  it('limits app-level calls with code 4 and reports X-App-Usage', async () => {
    sim = createMetaSimulator({ now: () => t, appCallsPerHour: 2 });
    sim.seed({ catalogs: [{ id: CATALOG }] });
    const first = await sim.app.request(`/${V}/${CATALOG}/products?access_token=${TOKEN}`);
    expect(JSON.parse(first.headers.get('x-app-usage')!)).toMatchObject({ call_count: 50 });
    await sim.app.request(`/${V}/${CATALOG}/products?access_token=${TOKEN}`);
    const third = await sim.app.request(`/${V}/${CATALOG}/products?access_token=${TOKEN}`);
    expect(((await third.json()) as any).error.code).toBe(4);
  });

  it('rateLimitScale multiplies the allowance', async () => {
    sim = createMetaSimulator({ now: () => t, appCallsPerHour: 1, rateLimitScale: 3 });
    sim.seed({ catalogs: [{ id: CATALOG }] });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await sim.app.request(`/${V}/${CATALOG}/products?access_token=${TOKEN}`)).status);
    expect(codes).toEqual([200, 200, 200, 400]);
  });

  it('state() shows products, batches and feed fields', async () => {
    const s = (await (await sim.app.request('/__sandbox/state')).json()) as any;
    expect(s.catalogs[0].products[0]).toMatchObject({ retailer_id: 'seeded-1', feed: { id: 'seeded-1', price: '49.99 PLN' } });
  });
});
