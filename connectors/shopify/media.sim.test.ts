import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredProduct, ImageRef, ItemResult } from '../../core/sdk/index.ts';
import { type ImageHost, sha256Hex, solidPng, startImageHost } from '../../sandbox/common/image-host.ts';
import shopify from './index.ts';
import { desiredProduct, desiredVariant, startSim } from './test-helpers.ts';

const catalog = shopify.capabilities.catalog!;
let env: Awaited<ReturnType<typeof startSim>>;
let host: ImageHost;
beforeAll(async () => {
  host = await startImageHost();
});
afterAll(() => host.close());
beforeEach(async () => {
  env = await startSim();
});
afterEach(() => env.close());

const ok = (r: ItemResult | undefined) => {
  if (!r?.ok) throw new Error(`write failed: ${JSON.stringify(r)}`);
  return r;
};
const lamp = (images: ImageRef[], over: Partial<DesiredProduct> = {}) =>
  desiredProduct('lamp-1', { groups: ['content', 'media', 'status', 'category'], title: { en: 'Lamp' }, images, variants: [desiredVariant('LAMP-1')], ...over });
/** The product's files as the simulator holds them, in product order. */
const filesOf = async (productId: string) => {
  await Promise.all([...env.sim.store.pendingDownloads]);
  const state = await env.admin('/state');
  const p = state.products.find((x: any) => `gid://shopify/Product/${x.id}` === productId);
  return (p.media as number[]).map((id) => state.files.find((f: any) => f.id === id));
};
const productSets = () => env.sim.requests.filter((r) => r.method === 'POST').length;

describe('Shopify media through productSet files', () => {
  it('creates a product with its images, then sends no files while they are already there', async () => {
    const red = solidPng(200, 0, 0);
    const images = [{ url: host.put('red.png', red), sha256: sha256Hex(red) }, { url: host.put('green.png', solidPng(0, 200, 0)) }];
    const created = ok((await catalog.write!.upsert(env.t.ctx, [lamp(images)]))[0]);
    const files = await filesOf(created.externalId);
    expect(files.map((f: any) => [f.status, f.alt])).toEqual([
      ['READY', `Lamp · omnihub:${sha256Hex(red).slice(0, 16)}`],
      ['READY', expect.stringMatching(/^Lamp · omnihub:[0-9a-f]{16}$/)],
    ]);
    expect(files[0].sha256).toBe(sha256Hex(red));
    expect(created.images!.map((i) => i.externalId)).toEqual(files.map((f: any) => `gid://shopify/MediaImage/${f.id}`));

    // Same images again (a retry, or a re-sync): found by their markers, nothing new is created.
    const before = env.sim.store.files.size;
    const again = ok((await catalog.write!.upsert(env.t.ctx, [lamp(images, { externalId: created.externalId, groups: ['media'] })]))[0]);
    expect(env.sim.store.files.size).toBe(before);
    expect(again.images).toEqual(created.images);
  });

  it('replaces one image: one new file, the old one detached, the merchant’s own media kept', async () => {
    const a = { url: host.put('a.png', solidPng(1, 0, 0)) };
    const b = { url: host.put('b.png', solidPng(0, 1, 0)) };
    const created = ok((await catalog.write!.upsert(env.t.ctx, [lamp([a, b])]))[0]);
    // The merchant adds a photo in the admin.
    const own = host.put('merchant.png', solidPng(9, 9, 9));
    const current = (await filesOf(created.externalId)).map((f: any) => ({ id: `gid://shopify/MediaImage/${f.id}` }));
    const res = await fetch(`${env.running.url}/admin/api/2026-04/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_test_token' },
      body: JSON.stringify({ query: 'mutation($i: ProductSetInput!, $id: ProductSetIdentifiers) { productSet(input: $i, identifier: $id) { userErrors { message } } }', variables: { id: { id: created.externalId }, i: { files: [...current, { originalSource: own, alt: 'Lamp in a living room' }] } } }),
    });
    expect(res.status).toBe(200);

    const c = { url: host.put('c.png', solidPng(0, 0, 1)) };
    const filesBefore = env.sim.store.files.size;
    const updated = ok((await catalog.write!.upsert(env.t.ctx, [lamp([a, c], { externalId: created.externalId, groups: ['media'] })]))[0]);
    expect(env.sim.store.files.size).toBe(filesBefore + 1);
    const files = await filesOf(created.externalId);
    expect(files.map((f: any) => f.source)).toEqual([a.url, c.url, own]);
    expect(updated.images![0]!.externalId).toBe(created.images![0]!.externalId);
  });

  it('a write without the media group leaves media alone, and a media-only write with nothing to change sends no productSet', async () => {
    const a = { url: host.put('only.png', solidPng(3, 3, 3)) };
    const created = ok((await catalog.write!.upsert(env.t.ctx, [lamp([a])]))[0]);
    await catalog.write!.upsert(env.t.ctx, [lamp([], { externalId: created.externalId, groups: ['content'], title: { en: 'Lamp 2' } })]);
    expect(await filesOf(created.externalId)).toHaveLength(1);
    const posts = productSets();
    await catalog.write!.upsert(env.t.ctx, [lamp([a], { externalId: created.externalId, groups: ['media'] })]);
    // Only the read before the write: no productSet.
    expect(productSets()).toBe(posts + 1);
  });

  it('reads media back into snapshots once Shopify has processed it', async () => {
    const created = ok((await catalog.write!.upsert(env.t.ctx, [lamp([{ url: host.put('snap.png', solidPng(5, 6, 7)) }])]))[0]);
    await filesOf(created.externalId);
    const snap = await catalog.read!.get(env.t.ctx, created.externalId);
    expect(snap!.images).toEqual([{ url: expect.stringContaining('cdn.shopify.com'), externalId: created.images![0]!.externalId, position: 0 }]);
  });
});
