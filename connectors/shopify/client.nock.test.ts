import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, BusinessError, RetryableError, createTestContext } from '../../core/sdk/index.ts';
import shopify from './index.ts';
import { REFRESH_MARGIN_MS, VAULT_KEY } from './token.ts';

const SHOP = 'https://demo.myshopify.com';
const GQL = '/admin/api/2026-04/graphql.json';
const cost = (requested: number, available = 990) => ({ requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: available, restoreRate: 100 } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

const tokenCtx = () => createTestContext(shopify, { shop: 'demo', accessToken: 'shpat_secret_value' });

describe('the GraphQL client (nock)', () => {
  it('POSTs the document to /admin/api/{version}/graphql.json with the token header, on the shop origin', async () => {
    const t = tokenCtx();
    let seen: any;
    nock(SHOP, { reqheaders: { 'x-shopify-access-token': 'shpat_secret_value', 'content-type': 'application/json' } })
      .post(GQL, (body) => ((seen = body), true))
      .reply(200, { data: { shop: { name: 'Demo', currencyCode: 'EUR' } }, extensions: { cost: cost(1) } });
    await shopify.check!(t.ctx);
    expect(seen.query).toContain('query Shop');
    expect(seen.variables).toEqual({});
  });

  it('rewrites the origin to the configured endpoint, keeping path and version', async () => {
    const t = createTestContext(shopify, { shop: 'demo', accessToken: 'x', endpoint: 'http://127.0.0.1:9999', apiVersion: '2026-07' });
    nock('http://127.0.0.1:9999').post('/admin/api/2026-07/graphql.json').reply(200, { data: { shop: { name: 'D', currencyCode: 'EUR' } } });
    await shopify.check!(t.ctx);
  });

  it('THROTTLED → RetryableError waiting deficit / restoreRate', async () => {
    const t = tokenCtx();
    nock(SHOP).post(GQL).reply(200, { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: { cost: { ...cost(54, 4), actualQueryCost: null } } });
    const err = await shopify.check!(t.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.retryAfterMs).toBe(500); // (54 − 4) / 100 per second
  });

  it('ACCESS_DENIED → AuthError; 401 → AuthError; other GraphQL errors → BusinessError; 503 → retryable', async () => {
    const t = tokenCtx();
    nock(SHOP).post(GQL).reply(200, { errors: [{ message: 'Access denied for shop field.', extensions: { code: 'ACCESS_DENIED' } }] });
    await expect(shopify.check!(t.ctx)).rejects.toBeInstanceOf(AuthError);
    nock(SHOP).post(GQL).reply(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    const unauthorized = await shopify.check!(t.ctx).catch((e) => e);
    expect(unauthorized).toBeInstanceOf(AuthError);
    expect(String(unauthorized.message)).not.toContain('shpat_secret_value');
    nock(SHOP).post(GQL).reply(200, { errors: [{ message: "Field 'x' doesn't exist on type 'Shop'", extensions: { code: 'undefinedField' } }] });
    await expect(shopify.check!(t.ctx)).rejects.toBeInstanceOf(BusinessError);
    nock(SHOP).post(GQL).reply(503, 'busy', { 'Retry-After': '2' });
    const busy = await shopify.check!(t.ctx).catch((e) => e);
    expect(busy).toBeInstanceOf(RetryableError);
    expect(busy.retryAfterMs).toBe(2000);
  });

  it('a response that does not match the schema fails naming the field', async () => {
    const t = tokenCtx();
    nock(SHOP).post(GQL).reply(200, { data: { shop: { name: 'Demo', currencyCode: 42 } } });
    await expect(shopify.check!(t.ctx)).rejects.toThrow(/shop\.currencyCode/);
  });
});

describe('client credentials grant (nock; the simulator has no token endpoint)', () => {
  const config = { shop: 'demo', clientId: 'cid', clientSecret: 'csecret-value' };

  it('fetches a 24 h token, caches it in the vault, reuses it, and renews it before expiry', async () => {
    const t = createTestContext(shopify, config, { now: new Date('2026-06-01T00:00:00Z') });
    nock(SHOP)
      .post('/admin/oauth/access_token', { client_id: 'cid', client_secret: 'csecret-value', grant_type: 'client_credentials' })
      .reply(200, { access_token: 'tok-1', scope: 'read_products', expires_in: 86399 });
    nock(SHOP, { reqheaders: { 'x-shopify-access-token': 'tok-1' } }).post(GQL).times(2).reply(200, { data: { shop: { name: 'D', currencyCode: 'EUR' } } });
    await shopify.check!(t.ctx);
    await shopify.check!(t.ctx);
    expect(JSON.parse(t.vault.get(VAULT_KEY)!)).toEqual({ token: 'tok-1', expiresAt: Date.parse('2026-06-01T00:00:00Z') + 86399_000 });

    t.setNow(new Date(Date.parse('2026-06-01T00:00:00Z') + 86399_000 - REFRESH_MARGIN_MS + 1));
    nock(SHOP).post('/admin/oauth/access_token').reply(200, { access_token: 'tok-2', scope: 'read_products', expires_in: 86399 });
    nock(SHOP, { reqheaders: { 'x-shopify-access-token': 'tok-2' } }).post(GQL).reply(200, { data: { shop: { name: 'D', currencyCode: 'EUR' } } });
    await shopify.check!(t.ctx);
  });

  it('a token refused before its expiry is dropped and fetched again once', async () => {
    const t = createTestContext(shopify, config);
    t.vault.set(VAULT_KEY, JSON.stringify({ token: 'revoked', expiresAt: Date.now() + 3_600_000 }));
    nock(SHOP, { reqheaders: { 'x-shopify-access-token': 'revoked' } }).post(GQL).reply(401, { errors: '[API] Invalid API key or access token' });
    nock(SHOP).post('/admin/oauth/access_token').reply(200, { access_token: 'fresh', expires_in: 86399 });
    nock(SHOP, { reqheaders: { 'x-shopify-access-token': 'fresh' } }).post(GQL).reply(200, { data: { shop: { name: 'D', currencyCode: 'EUR' } } });
    await shopify.check!(t.ctx);
  });

  it('a refused grant is an AuthError that does not leak the secret', async () => {
    const t = createTestContext(shopify, config);
    nock(SHOP).post('/admin/oauth/access_token').reply(400, { error: 'invalid_client', error_description: 'Client authentication failed' });
    const err = await shopify.check!(t.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain('invalid_client');
    expect(err.message).not.toContain('csecret-value');
  });

  it('config requires exactly one way to authenticate', () => {
    expect(shopify.config.safeParse({ shop: 'demo' }).success).toBe(false);
    expect(shopify.config.safeParse({ shop: 'demo', accessToken: 'a', clientId: 'b', clientSecret: 'c' }).success).toBe(false);
    expect(shopify.config.safeParse({ shop: 'demo', clientId: 'b' }).success).toBe(false);
    const ok = shopify.config.parse({ shop: 'demo.myshopify.com', accessToken: 'a' });
    expect(ok).toMatchObject({ shop: 'demo', apiVersion: '2026-04', pricesIncludeTax: true, rateLimit: { restoreRate: 100, bucketSize: 1000 } });
    expect(JSON.stringify(ok)).not.toContain('"a"');
  });
});
