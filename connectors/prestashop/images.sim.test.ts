import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type DesiredProduct, type ImageRef, type ItemResult } from '../../core/sdk/index.ts';
import { type ImageHost, sha256Hex, solidPng, startImageHost } from '../../sandbox/common/image-host.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createPrestashopSimulator, DEFAULT_WS_KEY } from '../../sandbox/prestashop/index.ts';
import prestashop from './index.ts';

/**
 * Images through the connector against the simulator: upload once per content hash, keep what is bound, delete only
 * what the hub uploaded, and read images back into snapshots.
 */
let host: ImageHost;
let sim: ReturnType<typeof createPrestashopSimulator>;
let running: RunningSimulator;
let sent: string[];

beforeAll(async () => {
  host = await startImageHost();
});
afterAll(() => host.close());
beforeEach(async () => {
  sim = createPrestashopSimulator();
  running = await listen(sim);
  sent = [];
});
afterEach(() => running.close());

function context() {
  const recording: typeof fetch = async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    if (url.pathname.includes('/images/')) sent.push(`${req.method} ${url.pathname}`);
    return fetch(req);
  };
  return createTestContext(prestashop, { url: running.url, key: DEFAULT_WS_KEY, languages: { pl: 1, en: 2 }, taxRuleGroups: { '0.23': 1 } }, { fetch: recording });
}

/** Demo product 1 (DEMO-MUG), already linked, asked to show `images`. */
function mug(images: ImageRef[], channelImages?: ImageRef[]): DesiredProduct {
  return {
    internalId: 'p-mug', externalId: '1', groups: ['media'], title: { pl: 'Kubek' }, description: {}, brand: null, category: null, attributes: {},
    images, ...(channelImages ? { channelImages } : {}), status: 'active',
    variants: [{ sku: 'DEMO-MUG', ean: null, externalId: '1-0', title: {}, attributes: {}, price: undefined, stock: undefined, status: 'active', images: [] }],
  };
}

const ok = (r: ItemResult | undefined) => {
  if (!r?.ok) throw new Error(`write failed: ${JSON.stringify(r)}`);
  return r;
};
const shopImageIds = () => [...sim.store.images.values()].filter((i) => i.productId === 1).map((i) => String(i.id));

describe('PrestaShop images', () => {
  it('uploads each image once, then uploads nothing while the hashes are bound', async () => {
    const ctx = context();
    const red = solidPng(255, 0, 0);
    const blue = solidPng(0, 0, 255);
    const images = [{ url: host.put('pim/red.png', red) }, { url: host.put('pim/blue.png', blue), sha256: sha256Hex(blue) }];
    const first = ok((await prestashop.capabilities.catalog!.write!.upsert(ctx.ctx, [mug(images)]))[0]);
    expect(sent.filter((s) => s.startsWith('POST'))).toHaveLength(2);
    expect(first.images!.map((i) => i.sha256)).toEqual([sha256Hex(red), sha256Hex(blue)]);
    expect(first.images!.map((i) => i.externalId)).toEqual(shopImageIds());

    sent = [];
    const downloadsBefore = host.downloads.get('/pim/blue.png');
    // The owner knows the hashes now (as the binding hands them back): nothing is downloaded or uploaded.
    const again = ok((await prestashop.capabilities.catalog!.write!.upsert(ctx.ctx, [mug(first.images!, first.images!)]))[0]);
    expect(sent).toEqual(['GET /api/images/products/1']);
    expect(host.downloads.get('/pim/blue.png')).toBe(downloadsBefore);
    expect(again.images).toEqual(first.images);
  });

  it('replacing one image uploads exactly one and deletes only the old one the hub had uploaded', async () => {
    const ctx = context();
    const write = (p: DesiredProduct) => prestashop.capabilities.catalog!.write!.upsert(ctx.ctx, [p]).then((r) => ok(r[0]));
    // An image the merchant put on the product in the back office.
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(solidPng(9, 9, 9))], { type: 'image/png' }), 'merchant.png');
    const merchant = await fetch(`${running.url}/api/images/products/1`, { method: 'POST', body: form, headers: { Authorization: `Basic ${Buffer.from(`${DEFAULT_WS_KEY}:`).toString('base64')}` } });
    expect(merchant.status).toBe(200);
    const merchantId = shopImageIds()[0]!;

    const a = host.put('a.png', solidPng(1, 0, 0));
    const b = host.put('b.png', solidPng(0, 1, 0));
    const first = await write(mug([{ url: a }, { url: b }]));
    sent = [];
    const c = host.put('c.png', solidPng(0, 0, 1));
    const second = await write(mug([{ url: a, sha256: first.images![0]!.sha256! }, { url: c }], first.images));
    expect(sent.filter((s) => s.startsWith('POST'))).toEqual(['POST /api/images/products/1']);
    expect(sent.filter((s) => s.startsWith('DELETE'))).toEqual([`DELETE /api/images/products/1/${first.images![1]!.externalId}`]);
    expect(second.images![0]!.externalId).toBe(first.images![0]!.externalId);
    expect(shopImageIds().sort()).toEqual([merchantId, first.images![0]!.externalId!, second.images![1]!.externalId!].sort());

    // No images desired: ours go, the merchant's stays.
    await write(mug([], second.images));
    expect(shopImageIds()).toEqual([merchantId]);
  });

  it('re-uploads a bound image that was deleted in the back office (level-triggered, not trusting the binding)', async () => {
    const ctx = context();
    const write = (p: DesiredProduct) => prestashop.capabilities.catalog!.write!.upsert(ctx.ctx, [p]).then((r) => ok(r[0]));
    const first = await write(mug([{ url: host.put('x.png', solidPng(5, 5, 5)) }]));
    sim.store.images.clear();
    const healed = await write(mug(first.images!, first.images));
    expect(healed.images![0]!.externalId).not.toBe(first.images![0]!.externalId);
    expect(shopImageIds()).toEqual([healed.images![0]!.externalId]);
  });

  it('fails the item without leaving half an upload behind when a source is missing', async () => {
    const ctx = context();
    const [r] = await prestashop.capabilities.catalog!.write!.upsert(ctx.ctx, [mug([{ url: host.put('ok.png', solidPng(7, 7, 7)) }, { url: `${host.url}/missing.png` }])]);
    expect(r).toMatchObject({ ok: false, kind: 'business' });
    expect((r as { message: string }).message).toContain('missing.png answered 404');
    expect(shopImageIds()).toEqual([]);
  });

  it('reads images back into snapshots: shop ids, cover first, public URLs that need no key', async () => {
    const ctx = context();
    const first = ok((await prestashop.capabilities.catalog!.write!.upsert(ctx.ctx, [mug([{ url: host.put('r.png', solidPng(3, 3, 3)) }, { url: host.put('s.png', solidPng(4, 4, 4)) }])]))[0]);
    const snap = await prestashop.capabilities.catalog!.read!.get(ctx.ctx, '1');
    expect(snap!.images!.map((i) => i.externalId)).toEqual(first.images!.map((i) => i.externalId));
    const pub = await fetch(snap!.images![0]!.url);
    expect(pub.status).toBe(200);
    expect(pub.headers.get('content-type')).toBe('image/png');
  });
});
