import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImageHost, sha256Hex, solidPng, startImageHost } from '../common/image-host.ts';
import { gql, makeSim } from './test-support.ts';

const SET = `mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) { product { id } userErrors { field message code } }
}`;
const MEDIA = `query($id: ID!) { product(id: $id) { mediaCount { count } featuredMedia { id }
  media(first: 10) { nodes { id alt mediaContentType status mediaErrors { message } ... on MediaImage { image { url } originalSource { url fileSize } } } } } }`;

describe('product media through productSet files (2026-04)', () => {
  let host: ImageHost;
  beforeAll(async () => {
    host = await startImageHost();
  });
  afterAll(() => host.close());

  it('creates media from originalSource, downloads it in the background, and replaces the list in full', async () => {
    const sim = makeSim();
    const red = solidPng(255, 0, 0);
    const a = host.put('a.png', red);
    const b = host.put('b.png', solidPng(0, 255, 0));
    const created = await gql(sim, SET, { input: { title: 'Lamp', files: [{ originalSource: a, alt: 'one', contentType: 'IMAGE' }, { originalSource: b, alt: 'two' }] } });
    expect(created.body.data!.productSet.userErrors).toEqual([]);
    const id = created.body.data!.productSet.product.id as string;
    await settle(sim);
    const read = await gql(sim, MEDIA, { id });
    const nodes = read.body.data!.product.media.nodes;
    expect(nodes.map((n: any) => [n.alt, n.mediaContentType, n.status])).toEqual([['one', 'IMAGE', 'READY'], ['two', 'IMAGE', 'READY']]);
    expect(read.body.data!.product.mediaCount.count).toBe(2);
    expect(read.body.data!.product.featuredMedia.id).toBe(nodes[0].id);
    // Shopify's own copy: never the URL we sent.
    expect(nodes[0].originalSource.url).not.toBe(a);
    expect(nodes[0].originalSource.fileSize).toBe(red.length);
    const state = (await (await sim.app.request('/__sandbox/state')).json()) as any;
    expect(state.files.find((f: any) => f.alt === 'one').sha256).toBe(sha256Hex(red));

    // Keep the second by id, add a third, leave the first out: it is detached.
    const c = host.put('c.png', solidPng(0, 0, 255));
    const upd = await gql(sim, SET, { identifier: { id }, input: { files: [{ id: nodes[1].id }, { originalSource: c, alt: 'three' }] } });
    expect(upd.body.data!.productSet.userErrors).toEqual([]);
    await settle(sim);
    const after = (await gql(sim, MEDIA, { id })).body.data!.product.media.nodes;
    expect(after.map((n: any) => n.alt)).toEqual(['two', 'three']);
    expect(after[0].id).toBe(nodes[1].id);
    // A productSet without `files` leaves media alone.
    await gql(sim, SET, { identifier: { id }, input: { title: 'Lamp 2' } });
    expect((await gql(sim, MEDIA, { id })).body.data!.product.media.nodes).toHaveLength(2);
  });

  it('marks a source it cannot fetch as FAILED with a media error', async () => {
    const sim = makeSim();
    const r = await gql(sim, SET, { input: { title: 'Ghost', files: [{ originalSource: `${host.url}/missing.png` }] } });
    const id = r.body.data!.productSet.product.id;
    await settle(sim);
    const [node] = (await gql(sim, MEDIA, { id })).body.data!.product.media.nodes;
    expect(node.status).toBe('FAILED');
    expect(node.image).toBeNull();
    expect(node.mediaErrors[0].message).toContain('404');
  });

  it('refuses unknown file ids, bad URLs and entries with neither, changing nothing', async () => {
    const sim = makeSim();
    const r = await gql(sim, SET, { input: { title: 'Bad', files: [{ id: 'gid://shopify/MediaImage/42' }, { originalSource: 'ftp://x/y.png' }, { alt: 'nothing' }] } });
    expect(r.body.data!.productSet.product).toBeNull();
    expect(r.body.data!.productSet.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([
      ['input.files.0.id', 'NOT_FOUND'],
      ['input.files.1.originalSource', 'INVALID_INPUT'],
      ['input.files.2', 'MISSING_FIELD_REQUIRED'],
    ]);
    const videos = await gql(sim, SET, { input: { title: 'Film', files: [{ originalSource: `${host.url}/v.mp4`, contentType: 'VIDEO' }] } });
    expect(JSON.stringify(videos.body.errors)).toContain('NOT_IMPLEMENTED_BY_SIMULATOR');
  });
});

/** Waits for Shopify's background downloads of new media. */
async function settle(sim: ReturnType<typeof makeSim>) {
  await Promise.all([...sim.store.pendingDownloads]);
}
