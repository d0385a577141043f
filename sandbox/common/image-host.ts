import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';

/**
 * A tiny static image host on 127.0.0.1: where a media source's image URLs point in tests and the sandbox, so
 * connectors download real bytes over HTTP. Counts every download per path (tests prove "nothing re-downloaded").
 */
export interface ImageHost {
  url: string;
  /** Serves `bytes` at `/<name>` (replacing what was there); returns the absolute URL. */
  put(name: string, bytes: Uint8Array, contentType?: string): string;
  downloads: Map<string, number>;
  close(): Promise<void>;
}

export async function startImageHost(): Promise<ImageHost> {
  const files = new Map<string, { bytes: Uint8Array; type: string }>();
  const downloads = new Map<string, number>();
  const app = new Hono();
  app.get('/*', (c) => {
    const path = c.req.path;
    const file = files.get(path);
    if (!file) return c.text('not found', 404);
    downloads.set(path, (downloads.get(path) ?? 0) + 1);
    return new Response(file.bytes, { headers: { 'Content-Type': file.type, 'Content-Length': String(file.bytes.length) } });
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    downloads,
    put(name, bytes, contentType = 'image/png') {
      const path = `/${name.replace(/^\/+/, '')}`;
      files.set(path, { bytes, type: contentType });
      return `${url}${path}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid `size`×`size` PNG of one colour: distinct colours give distinct bytes (and content hashes). */
export function solidPng(r: number, g: number, b: number, size = 4): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
