import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifyProductUpdate, shopifySign } from './support/deliveries.ts';
import { SECRETS, type SecurityHub, startSecurityHub } from './support/hub.ts';

/**
 * `http.bodyLimit` applies to every route that takes a body — webhooks included — whether the client declares the
 * size (Content-Length) or streams it chunked without one: the answer is 413 with the limit in the message, and
 * nothing reaches the handler (no verification, nothing stored).
 */
const LIMIT = 16 * 1024;
let h: SecurityHub;

beforeAll(async () => {
  h = await startSecurityHub({ bodyLimit: LIMIT });
  await h.settle();
});
afterAll(async () => h?.close());

/** Every route of the hub's app that accepts a body, with its path parameters filled in. */
function bodyRoutes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  const out: Array<{ method: string; path: string }> = [];
  for (const r of h.hub.app!.routes) {
    if (r.path.includes('*')) continue; // middleware (metrics, the body limit itself)
    if (!['POST', 'PUT', 'PATCH', 'DELETE', 'ALL'].includes(r.method)) continue;
    const method = r.method === 'ALL' ? 'POST' : r.method;
    const path = r.path.replace(':connection', 'shopify').replace(/:[A-Za-z_]+/g, '1');
    if (!seen.has(`${method} ${path}`)) out.push({ method, path });
    seen.add(`${method} ${path}`);
  }
  return out;
}

/** Sends `size` bytes in 4 KiB chunks with Transfer-Encoding: chunked (no Content-Length); resolves with the answer. */
function chunked(path: string, method: string, size: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string; connection: string | undefined }> {
  const url = new URL(path, h.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
    });
    // The server may answer and close before the whole body is sent: that is the point, not a failure (the
    // answer still arrives). A connection reset without an answer fails the test, though.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? undefined : reject(err)));
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(4096, size - sent);
        sent += n;
        if (!req.write('a'.repeat(n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
    setTimeout(() => reject(new Error(`no answer to a chunked ${method} ${path} of ${size} bytes (sent ${sent})`)), 10_000).unref();
  });
}

describe('http.bodyLimit', () => {
  it('is enforced on every route that takes a body, including each webhook endpoint (Content-Length declared)', async () => {
    const routes = bodyRoutes();
    expect(routes.map((r) => r.path)).toContain('/webhooks/shopify');
    const before = await h.tableCounts();
    for (const { method, path } of routes) {
      const res = await fetch(`${h.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: 'a'.repeat(LIMIT + 1) });
      expect(res.status, `${method} ${path}`).toBe(413);
      expect(await res.json(), `${method} ${path}`).toEqual({ error: `request body larger than ${LIMIT} bytes` });
    }
    for (const connection of ['shopify', 'messenger', 'whatsapp']) {
      const res = await fetch(`${h.url}/webhooks/${connection}`, { method: 'POST', body: 'a'.repeat(LIMIT * 4) });
      expect(res.status, connection).toBe(413);
    }
    expect(await h.tableCounts()).toEqual(before);
  });

  it('is enforced on chunked bodies without Content-Length, before the signature is even checked', async () => {
    // Node's default agent keeps connections alive: each 413 must close its connection (Connection: close), or the
    // next request on the same socket would be cut off.
    const before = await h.tableCounts();
    const logsBefore = h.logs.length;
    for (const connection of ['shopify', 'messenger', 'whatsapp']) {
      const res = await chunked(`/webhooks/${connection}`, 'POST', LIMIT * 8, { 'content-type': 'application/json' });
      expect(res.status, connection).toBe(413);
      expect(JSON.parse(res.body)).toEqual({ error: `request body larger than ${LIMIT} bytes` });
      expect(res.connection).toBe('close');
    }
    for (const { method, path } of bodyRoutes()) {
      expect((await chunked(path, method, LIMIT + 1)).status, `${method} ${path}`).toBe(413);
    }
    // The limit answered; the webhook handler never ran, so nothing was verified, logged as rejected, or stored.
    expect(h.logs.slice(logsBefore).filter((l) => l.msg === 'webhook rejected')).toEqual([]);
    expect(await h.tableCounts()).toEqual(before);
  });

  it('lets a body at the limit through, chunked or not: a signed delivery of exactly the limit is accepted', async () => {
    const d = shopifyProductUpdate(SECRETS.shopifyWebhook, 830_001);
    // Pad the JSON with spaces to exactly LIMIT bytes, then sign those bytes.
    const body = d.body.replace(/}$/, `${' '.repeat(LIMIT - Buffer.byteLength(d.body))}}`);
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    const signed = { ...d.headers, 'x-shopify-hmac-sha256': shopifySign(body, SECRETS.shopifyWebhook) };
    const res = await fetch(`${h.url}/webhooks/shopify`, { method: 'POST', headers: signed, body });
    expect(res.status).toBe(200);
    const again = await chunked('/webhooks/shopify', 'POST', 0, {});
    expect(again.status).toBe(401); // an empty chunked body is under the limit: it reaches verification
    await h.settle();
  });
});
