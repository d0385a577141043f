import { describe, expect, it } from 'vitest';
import { BETA_MEDIA, PUBLIC_MEDIA, schemaValidator } from './spec.ts';
import { setup } from './test-helpers.ts';

const offer = { id: '7700000001', name: 'Czajnik elektryczny stalowy 1.7 l', externalId: 'SKU-KETTLE', price: { amount: '99.00', currency: 'PLN' }, stock: 5 };

describe('allegro wire protocol', () => {
  it('answers 406 with the spec’s NotAcceptableException body when Accept is not the vendor type', async () => {
    const env = setup();
    for (const accept of ['application/json', null]) {
      const res = await env.call('GET', '/sale/offers', { accept });
      expect(res.status).toBe(406);
      expect(res.json.errors[0]).toMatchObject({
        code: 'NotAcceptableException',
        message: "Not acceptable representation requested. Please check 'Accept' request header",
      });
      expect(schemaValidator('ErrorsHolder')(res.json)).toBe(true);
    }
  });

  it('answers 415 when a body is sent as plain application/json', async () => {
    const env = setup();
    await env.seed({ offers: [offer] });
    const res = await env.call('PATCH', '/sale/product-offers/7700000001', { body: { stock: { available: 3 } }, contentType: 'application/json' });
    expect(res.status).toBe(415);
    expect(res.json.errors[0].code).toBe('UnsupportedMediaTypeException');
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.stock.available).toBe(5);
  });

  it('requires the beta media type where the spec says so (/sale/issues)', async () => {
    const env = setup();
    expect((await env.call('GET', '/sale/issues', { accept: PUBLIC_MEDIA })).status).toBe(406);
    const ok = await env.call('GET', '/sale/issues', { accept: BETA_MEDIA });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain(BETA_MEDIA);
  });

  it('rejects a body that breaks the OpenAPI schema with 422 and Allegro’s ErrorsHolder shape', async () => {
    const env = setup();
    await env.seed({ offers: [offer] });
    const res = await env.call('PATCH', '/sale/product-offers/7700000001', {
      body: { stock: { available: -1 }, sellingMode: { price: { amount: 12 } }, name: 'short' },
    });
    expect(res.status).toBe(422);
    expect(schemaValidator('ErrorsHolder')(res.json)).toBe(true);
    const byPath = Object.fromEntries(res.json.errors.map((e: any) => [e.path, e]));
    expect(Object.keys(byPath)).toEqual(
      expect.arrayContaining(['stock.available', 'sellingMode.price.amount', 'sellingMode.price.currency', 'name']),
    );
    for (const e of res.json.errors) {
      expect(e).toEqual({
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('Validation failed'),
        details: null,
        path: expect.any(String),
        userMessage: expect.any(String),
        metadata: {},
      });
    }
    // Nothing was applied.
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.stock.available).toBe(5);
  });

  it('answers 400 for malformed JSON and 422 for query parameters outside the spec’s bounds', async () => {
    const env = setup();
    await env.seed({ offers: [offer] });
    const res = await env.call('PATCH', '/sale/product-offers/7700000001', { rawBody: '{"stock":', contentType: PUBLIC_MEDIA });
    expect(res.status).toBe(400);
    const q = await env.call('GET', '/order/events?limit=5000');
    expect(q.status).toBe(422);
    expect(q.json.errors[0]).toMatchObject({ code: 'VALIDATION_ERROR', path: 'limit' });
    expect((await env.call('GET', '/sale/offers?publication.status=SOLD')).status).toBe(422);
  });

  it('answers 404 outside the spec and 501 for spec operations it does not simulate', async () => {
    const env = setup();
    expect((await env.call('GET', '/sale/no-such-thing')).status).toBe(404);
    const notSimulated = await env.call('GET', '/sale/categories');
    expect(notSimulated.status).toBe(501);
  });

  it('limits requests per Client ID, then blocks the client for a minute (429 body as real)', async () => {
    // 9000/min × scale = 3 requests a minute.
    const env = setup({ rateLimitScale: 3 / 9000 });
    for (let i = 0; i < 3; i++) expect((await env.call('GET', '/sale/offers')).status).toBe(200);
    const limited = await env.call('GET', '/sale/offers');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({
      errors: [
        {
          code: 'TOO_MANY_REQUESTS',
          message: 'Too Many Requests.',
          details: null,
          path: null,
          userMessage: 'The maximum number of queries per user has been exceeded. Try again in a few moments.',
          metadata: {},
        },
      ],
    });
    // The earlier hits leave the window after 60 s, but the block holds the client for a minute from the 429.
    env.advance(59_000);
    expect((await env.call('GET', '/sale/offers')).status).toBe(429);
    env.advance(1_500);
    expect((await env.call('GET', '/sale/offers')).status).toBe(200);
  });

  it('counts the limit per Client ID, and rateLimitScale raises it', async () => {
    const env = setup({ rateLimitScale: 30 / 9000 });
    for (let i = 0; i < 30; i++) expect((await env.call('GET', '/sale/offers')).status).toBe(200);
    expect((await env.call('GET', '/sale/offers')).status).toBe(429);
  });
});
