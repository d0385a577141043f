import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, createTestContext, RetryableError } from '../../core/sdk/index.ts';
import allegro from './index.ts';
import { PUBLIC_MEDIA } from './config.ts';
import { price, spyLimiter } from './test-support.ts';
import { VAULT_KEYS } from './tokens.ts';

/** Pins the exact requests of each operation against nock (no simulator). */
const API = 'https://api.allegro.pl.allegrosandbox.pl';
const AUTH = 'https://allegro.pl.allegrosandbox.pl';
const NOW = new Date('2026-03-02T09:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function context(extra: Record<string, unknown> = {}) {
  const t = createTestContext(allegro, { environment: 'sandbox', clientId: 'app-id', clientSecret: 'app-secret', commandPollIntervalMs: 0, ...extra }, { now: NOW });
  t.vault.set(VAULT_KEYS.refreshToken, 'refresh-1');
  t.vault.set(VAULT_KEYS.accessToken, 'access-1');
  t.vault.set(VAULT_KEYS.expiresAt, String(NOW.getTime() + 3600_000));
  return t;
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('allegro requests (nock)', () => {
  it('prices.write: PUT command with a fresh UUID and the FIXED_PRICE body, then report and tasks', async () => {
    const t = context();
    let commandId = '';
    const api = nock(API, { reqheaders: { authorization: 'Bearer access-1', accept: PUBLIC_MEDIA } })
      .put(/^\/sale\/offer-price-change-commands\/[0-9a-f-]+$/, (body) => {
        expect(body).toEqual({
          modification: { type: 'FIXED_PRICE', price: { amount: '19.90', currency: 'PLN' }, marketplaceId: 'allegro-pl' },
          offerCriteria: [{ type: 'CONTAINS_OFFERS', offers: [{ id: '111' }, { id: '222' }] }],
        });
        return true;
      })
      .matchHeader('content-type', PUBLIC_MEDIA)
      .reply(201, function (uri) {
        commandId = uri.split('/').pop()!;
        return { id: commandId, taskCount: { total: 0, success: 0, failed: 0 } };
      })
      .get(/^\/sale\/offer-price-change-commands\/[0-9a-f-]+$/)
      .reply(200, () => ({ id: commandId, completedAt: '2026-03-02T09:00:01.000Z', taskCount: { total: 2, success: 1, failed: 1 } }))
      .get(/^\/sale\/offer-price-change-commands\/[0-9a-f-]+\/tasks$/)
      .query({ limit: '1000', offset: '0' })
      .reply(200, {
        tasks: [
          { offer: { id: '222' }, status: 'SUCCESS', errors: [] },
          { offer: { id: '111' }, status: 'FAIL', message: 'x', errors: [{ code: 'VALIDATION_ERROR', message: 'Price too low', userMessage: 'Cena za niska', path: 'price' }] },
        ],
      });
    const results = await allegro.capabilities.prices!.write.set(t.ctx, [
      { sku: 'A', externalId: '222', productExternalId: undefined, price: price('19.9') },
      { sku: 'B', externalId: '111', productExternalId: undefined, price: price('19.90') },
    ]);
    expect(commandId).toMatch(UUID);
    expect(results).toEqual([
      { ok: true, externalId: '222' },
      { ok: false, kind: 'business', message: 'Allegro refused the change of offer 111: VALIDATION_ERROR: Cena za niska (price)' },
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('refreshes an expiring token with Basic auth and a form body, storing the rotated pair', async () => {
    const t = context();
    t.vault.set(VAULT_KEYS.expiresAt, String(NOW.getTime() + 60_000)); // inside the 5-minute margin
    const auth = nock(AUTH)
      .post('/auth/oauth/token', 'grant_type=refresh_token&refresh_token=refresh-1')
      .matchHeader('authorization', `Basic ${Buffer.from('app-id:app-secret').toString('base64')}`)
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 43199, token_type: 'bearer' });
    const api = nock(API, { reqheaders: { authorization: 'Bearer access-2' } }).get('/sale/product-offers/5').reply(404, { errors: [{ code: 'NOT_FOUND', message: 'Offer 5 not found' }] });
    expect(await allegro.capabilities.catalog!.read!.get(t.ctx, '5')).toBeNull();
    expect(t.vault.get(VAULT_KEYS.refreshToken)).toBe('refresh-2');
    expect(t.vault.get(VAULT_KEYS.accessToken)).toBe('access-2');
    expect(t.vault.get(VAULT_KEYS.expiresAt)).toBe(String(NOW.getTime() + 43_199_000));
    expect(auth.isDone() && api.isDone()).toBe(true);
  });

  it('a refused refresh (invalid_grant) is an AuthError and drops the cached token', async () => {
    const t = context();
    t.vault.set(VAULT_KEYS.expiresAt, String(NOW.getTime() - 1));
    nock(AUTH).post('/auth/oauth/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
    const err = await allegro.capabilities.catalog!.read!.get(t.ctx, '5').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(t.vault.has(VAULT_KEYS.accessToken)).toBe(false);
  });

  it('orders.read: asks for events after the checkpoint, then the checkout form', async () => {
    const t = context();
    const api = nock(API)
      .get('/order/events')
      .query({ from: '100', limit: '100' })
      .reply(200, { events: [{ id: '101', type: 'READY_FOR_PROCESSING', occurredAt: '2026-03-02T09:00:00Z', order: { checkoutForm: { id: 'cf-1', revision: 'r' } } }] })
      .get('/order/checkout-forms/cf-1')
      .reply(200, {
        id: 'cf-1',
        status: 'READY_FOR_PROCESSING',
        buyer: { id: '9', login: 'kupiec', email: 'k@allegromail.pl' },
        fulfillment: { status: 'NEW' },
        lineItems: [{ id: 'li-1', offer: { id: '111', name: 'Kubek', external: { id: 'MUG-1' } }, quantity: 1, price: { amount: '10.00', currency: 'PLN' } }],
        summary: { totalToPay: { amount: '10.00', currency: 'PLN' } },
      });
    const r = await allegro.capabilities.orders!.read!.changes(t.ctx, { lastEventId: '100' });
    expect(r.checkpoint).toEqual({ lastEventId: '101' });
    expect(r.orders).toEqual([
      expect.objectContaining({ externalId: 'cf-1', status: 'paid', lines: [expect.objectContaining({ sku: 'MUG-1', variantExternalId: '111', quantity: 1, unitPrice: '10.00' })] }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('a malformed answer is a clear error naming the field', async () => {
    const t = context();
    nock(API).get('/order/checkout-forms/cf-2').reply(200, { id: 'cf-2', status: 'BOUGHT', buyer: {}, lineItems: [{ id: 'l', offer: { id: '1' }, quantity: 'two', price: { amount: '1', currency: 'PLN' } }] });
    await expect(allegro.capabilities.orders!.read!.get(t.ctx, 'cf-2')).rejects.toThrow(/lineItems\.0\.quantity/);
  });

  it('429 without Retry-After: no quick retry, the connection blocked for a minute', async () => {
    const t = context();
    const limiter = spyLimiter();
    t.ctx.limiter = limiter;
    const api = nock(API).get('/sale/product-offers/5').once().reply(429, { errors: [{ code: 'TOO_MANY_REQUESTS', message: 'Too Many Requests.' }] });
    const err = await allegro.capabilities.catalog!.read!.get(t.ctx, '5').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(60_000);
    expect(limiter.blocks).toEqual([60_000]);
    expect(api.isDone()).toBe(true);
  });

  it('classifyError: a raw 429 HTTPError waits a minute; Retry-After wins when present', async () => {
    const { HTTPError } = await import('ky');
    const make = (headers: Record<string, string>) =>
      new HTTPError(new Response('', { status: 429, headers }), new Request(`${API}/sale/offers`), {} as never);
    expect((allegro.classifyError!(make({})) as RetryableError).retryAfterMs).toBe(60_000);
    expect((allegro.classifyError!(make({ 'retry-after': '7' })) as RetryableError).retryAfterMs).toBe(7000);
    expect(allegro.classifyError!(new Error('other'))).toBeUndefined();
  });

  it('the config refuses unknown keys and never prints the secret', () => {
    expect(allegro.config.safeParse({ clientId: 'a', clientSecret: 's', bogus: 1 }).success).toBe(false);
    const parsed = allegro.config.parse({ clientId: 'a', clientSecret: 'very-secret' });
    expect(JSON.stringify(parsed)).not.toContain('very-secret');
    expect(parsed).toMatchObject({ environment: 'production', marketplaceId: 'allegro-pl', reactivateWhenRestocked: true });
  });
});
