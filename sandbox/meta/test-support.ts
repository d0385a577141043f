import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specsDir } from '../common/specs.ts';

/**
 * A stand-in for the hub in tests: records every webhook POST with its raw bytes and headers, and answers the
 * `hub.*` subscription handshake the way a correct hub does (200 + raw challenge when the token matches, else 403).
 */
export interface ReceivedWebhook {
  headers: Record<string, string>;
  raw: Buffer;
  json: unknown;
}

export interface FakeHub {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

export function startFakeHub(verifyToken: string): Promise<FakeHub> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET') {
      const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
      res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' });
      res.end(ok ? (url.searchParams.get('hub.challenge') ?? '') : 'forbidden');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ headers, raw, json: JSON.parse(raw.toString('utf8')) });
      res.writeHead(200);
      res.end('EVENT_RECEIVED');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/webhooks/meta`,
        received,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** Every key path of a JSON value, arrays collapsed to `[]` (e.g. `entry[].changes[].value.messages[].text.body`). */
export function keyPaths(value: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const p of keyPaths(item, `${prefix}[]`)) out.add(p);
    if (value.length === 0) out.add(`${prefix}[]`);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${k}` : k;
      out.add(path);
      for (const p of keyPaths(v, path)) out.add(p);
    }
  }
  return out;
}

/** Reads every sample JSON of one channel folder under shared/specs/samples, keyed by file name. */
export function readSamples(channel: string, prefix: string): Record<string, unknown> {
  const dir = join(specsDir(), 'samples', channel);
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.json'));
  return Object.fromEntries(files.map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]));
}
