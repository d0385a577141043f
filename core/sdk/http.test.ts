import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp } from '../conformance/engine.ts';
import type { ConnectorContext } from './context.ts';
import { classifyFailure, RetryableError } from './errors.ts';
import { createConnectorHttp, loggableUrl } from './http.ts';
import { memoryRateLimiter, type RateLimiter } from './rate-limiter.ts';

describe('the connector HTTP client', () => {
  const hits: Array<{ method: string; at: number; auth: string | undefined }> = [];
  let answers: Array<{ status: number; headers?: Record<string, string> }> = [];
  const app = new Hono();
  app.all('/*', (c) => {
    hits.push({ method: c.req.method, at: Date.now(), auth: c.req.header('x-key') });
    const a = answers.shift() ?? { status: 200 };
    return c.json({ ok: a.status < 400 }, a.status as 200, a.headers ?? {});
  });
  let server: Awaited<ReturnType<typeof serveApp>>;
  const lines: Array<{ obj: unknown; msg?: string }> = [];
  const log = { debug: (obj: object | string, msg?: string) => void lines.push({ obj, ...(msg ? { msg } : {}) }), info: () => {}, warn: () => {}, error: () => {} };
  const blocks: number[] = [];
  const limiter: RateLimiter = { acquire: async () => {}, block: async (ms) => void blocks.push(ms) };
  const client = () =>
    createConnectorHttp({ prefixUrl: server.url, authorize: (req) => req.headers.set('x-key', 'k-123') }, { limiter, log, context: () => ({}) as ConnectorContext<unknown> });

  beforeAll(async () => {
    server = await serveApp(app);
  });
  afterAll(async () => {
    await server.close();
  });

  it('retries an idempotent request after a 429, waiting as Retry-After says, and blocks the connection meanwhile', async () => {
    hits.length = 0;
    answers = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }];
    const res = await client().get('things?access_token=secret-token');
    expect(res.status).toBe(200);
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
    expect(blocks).toContain(1000);
    expect(hits.every((h) => h.auth === 'k-123')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });

  it('never retries a POST by itself: the failure reaches the job, classified with the wait', async () => {
    hits.length = 0;
    answers = [{ status: 503, headers: { 'retry-after': '7' } }];
    const err = await client().post('orders', { json: {} }).catch((e: unknown) => e);
    expect(hits).toHaveLength(1);
    const classified = classifyFailure(err);
    expect(classified).toBeInstanceOf(RetryableError);
    expect((classified as RetryableError).retryAfterMs).toBe(7000);
  });

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [422, 'business'],
    [404, 'business'],
    [500, 'retryable'],
    [429, 'retryable'],
  ])('classifies HTTP %i as %s', async (status, kind) => {
    answers = [{ status }, { status }, { status }];
    const err = await client().post('x', { json: {} }).catch((e: unknown) => e);
    expect(classifyFailure(err).kind).toBe(kind);
  });

  it('masks credentials in logged URLs', () => {
    expect(loggableUrl('https://x/api/products?ws_key=ABC&display=full&access_token=T')).toBe('https://x/api/products?ws_key=[redacted]&display=full&access_token=[redacted]');
  });
});

describe('memoryRateLimiter', () => {
  it('spends a burst at once, then paces at the sustained rate', async () => {
    let now = 0;
    const clock = () => now;
    const l = memoryRateLimiter({ perSecond: 2, burst: 2 }, clock);
    await l.acquire();
    await l.acquire();
    let third = false;
    const p = l.acquire().then(() => (third = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    now = 600; // 0.6 s refills 1.2 tokens
    await p;
    expect(third).toBe(true);
  });
});
