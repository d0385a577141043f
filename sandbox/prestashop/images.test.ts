import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex, solidPng } from '../common/image-host.ts';
import { specPath } from '../common/specs.ts';
import { createPrestashopSimulator, DEFAULT_WS_KEY } from './index.ts';

const recorded = (name: string) => readFileSync(specPath(`samples/prestashop/recorded/${name}`));
const HOST = 'http://127.0.0.1:8090';

function setup() {
  const sim = createPrestashopSimulator();
  const auth = { Authorization: `Basic ${Buffer.from(`${DEFAULT_WS_KEY}:`).toString('base64')}` };
  const call = async (method: string, path: string, init: { body?: FormData | Uint8Array; headers?: Record<string, string> } = {}) => {
    const res = await sim.app.request(`${HOST}${path}`, { method, headers: { ...auth, ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), bytes, text: bytes.toString('utf8') };
  };
  const upload = (productId: number, bytes: Buffer, name = 'a.png', type = 'image/png') => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)], { type }), name);
    return call('POST', `/api/images/products/${productId}`, { body: form });
  };
  return { sim, call, upload };
}

const declinations = (xml: string) => [...xml.matchAll(/<declination id="(\d+)"/g)].map((m) => Number(m[1]));
const tag = (xml: string, name: string) => new RegExp(`<${name}><!\\[CDATA\\[([^\\]]*)\\]\\]></${name}>`).exec(xml)?.[1];

describe('product images (/api/images/products)', () => {
  it('answers the image type root exactly as the recorded shop (028)', async () => {
    const { call } = setup();
    const res = await call('GET', '/api/images');
    expect(res.status).toBe(200);
    expect(res.text).toBe(recorded('028-images-root-xml.response.body.xml').toString('utf8'));
  });

  it('takes the recorded multipart upload (085): 200, the image record, and the stored image in base64 — re-encoded', async () => {
    const { call, sim } = setup();
    const head = recorded('085-image-product-upload.request.http').toString('utf8');
    const contentType = /Content-Type: (.*)/.exec(head)![1]!.trim();
    const body = recorded('085-image-product-upload.request.body.bin');
    const res = await call('POST', '/api/images/products/1', { body: new Uint8Array(body), headers: { 'Content-Type': contentType } });
    expect(res.status).toBe(200);
    const want = recorded('085-image-product-upload.response.body.xml').toString('utf8');
    // Same element structure as the real answer (ids differ).
    // The demo shop has two languages, the recorded one had one: compare the distinct elements in order.
    const shape = (x: string) => [...new Set([...x.matchAll(/<(\w+)[ >]/g)].map((m) => m[1]))];
    expect(shape(res.text)).toEqual(shape(want));
    expect(tag(res.text, 'id_product')).toBe('1');
    const stored = Buffer.from(/<content encode="base64"><!\[CDATA\[([^\]]+)/.exec(res.text)![1]!, 'base64');
    const sent = body.subarray(body.indexOf('\r\n\r\n') + 4, body.lastIndexOf('\r\n------'));
    // The shop keeps a JPEG, but never the bytes that were sent: a connector cannot hash what it reads back.
    expect(stored.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(sha256Hex(stored)).not.toBe(sha256Hex(sent));
    const id = Number(tag(res.text, 'id'));
    const bin = await call('GET', `/api/images/products/1/${id}`);
    expect([bin.status, bin.type]).toEqual([200, 'image/jpeg']);
    expect(bin.bytes.equals(stored)).toBe(true);
    expect(sim.store.get('products', 1)!.associations.images).toContainEqual({ id: String(id) });
  });

  it('lists, covers, deletes and renumbers like Image::add / Image::delete (086, 087)', async () => {
    const { call, upload } = setup();
    const a = await upload(2, solidPng(255, 0, 0));
    const b = await upload(2, solidPng(0, 255, 0));
    const [ida, idb] = [Number(tag(a.text, 'id')), Number(tag(b.text, 'id'))];
    expect([tag(a.text, 'cover'), tag(b.text, 'cover'), tag(b.text, 'position')]).toEqual(['1', '', '2']);
    const list = await call('GET', '/api/images/products/2');
    expect(list.text).toContain('<image id="2">');
    expect(declinations(list.text)).toEqual([ida, idb]);
    const product = JSON.parse((await call('GET', '/api/products/2?output_format=JSON')).text).product;
    expect(product.id_default_image).toBe(String(ida));
    expect(product.associations.images).toEqual([{ id: String(ida) }, { id: String(idb) }]);

    const del = await call('DELETE', `/api/images/products/2/${ida}`);
    expect([del.status, del.text, del.type]).toEqual([200, '', null]);
    expect(declinations((await call('GET', '/api/images/products/2')).text)).toEqual([idb]);
    const after = JSON.parse((await call('GET', '/api/products/2?output_format=JSON')).text).product;
    // The next image becomes the cover.
    expect(after.id_default_image).toBe(String(idb));
    expect((await call('GET', `/api/images/products/2/${ida}`)).status).toBe(400);
    // A fresh upload never reuses a deleted id (auto-increment).
    const c = await upload(2, solidPng(0, 0, 255));
    expect(Number(tag(c.text, 'id'))).toBeGreaterThan(idb);
  });

  it('lists every product with images under /api/images/products (029) and serves the public /img/p path', async () => {
    const { call, upload, sim } = setup();
    const up = await upload(1, solidPng(1, 2, 3));
    const id = Number(tag(up.text, 'id'));
    const list = await call('GET', '/api/images/products');
    expect(list.text).toContain('<image_type id="5" name="large_default"');
    expect(list.text).toContain(`<image id="1" xlink:href="${HOST}/api/images/products/1"/>`);
    const digits = String(id).split('').join('/');
    const pub = await sim.app.request(`${HOST}/img/p/${digits}/${id}.jpg`);
    expect(pub.status).toBe(200);
    expect(Buffer.from(await pub.arrayBuffer()).equals((await call('GET', `/api/images/products/1/${id}`)).bytes)).toBe(true);
  });

  it('refuses a missing field, a non-image and an unknown product', async () => {
    const { call, upload } = setup();
    const form = new FormData();
    form.append('picture', new Blob([new Uint8Array(solidPng(1, 1, 1))]), 'x.png');
    const noField = await call('POST', '/api/images/products/1', { body: form });
    expect(noField.status).toBe(400);
    expect(tag(noField.text, 'code')).toBe('64');
    const text = await upload(1, Buffer.from('not an image at all'), 'x.txt', 'text/plain');
    expect(text.status).toBe(400);
    expect(tag(text.text, 'code')).toBe('73');
    expect((await upload(99999, solidPng(1, 1, 1))).status).toBe(400);
    expect(declinations((await call('GET', '/api/images/products/1')).text)).toEqual([]);
  });

  it('needs the key to allow images', async () => {
    const sim = createPrestashopSimulator({ keys: [{ key: 'K', permissions: { products: ['GET'] } }] });
    const res = await sim.app.request(`${HOST}/api/images/products/1`, { headers: { Authorization: `Basic ${Buffer.from('K:').toString('base64')}` } });
    expect(res.status).toBe(401);
  });
});
