import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../core/sdk/index.ts';
import facebook from './index.ts';
import { PRODUCT_FIELDS } from './read-catalog.ts';

const GRAPH = 'https://graph.facebook.com';
const config = {
  catalogId: '111',
  accessToken: 'EAAB-secret-token',
  productUrlTemplate: 'https://shop.example/p/{sku}',
  graphVersion: 'v25.0',
  batchPollIntervalMs: 0,
};
const price = (gross: string, compareAt: string | null = null) => ({ gross, net: gross, taxRate: '0.23', currency: 'PLN', compareAt });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});

describe('facebook wire requests', () => {
  it('sends a promotion as one UPDATE with sale_price and its window, then polls the handle', async () => {
    const { ctx } = createTestContext(facebook, config);
    nock(GRAPH, { reqheaders: { authorization: 'Bearer EAAB-secret-token' } })
      .post('/v25.0/111/items_batch', {
        item_type: 'PRODUCT_ITEM',
        allow_upsert: true,
        requests: [
          {
            method: 'UPDATE',
            data: { id: 'SKU-1', price: '49.99 PLN', sale_price: '29.99 PLN', sale_price_effective_date: '2026-11-27T00:00:00+00:00/2026-11-30T23:59:59+00:00' },
          },
        ],
      })
      .reply(200, { handles: ['h-1'], validation_status: [] })
      .get('/v25.0/111/check_batch_request_status')
      .query({ handle: 'h-1', load_ids_of_invalid_requests: 'true' })
      .reply(200, { data: [{ handle: 'h-1', status: 'in_progress', errors: [] }] })
      .get('/v25.0/111/check_batch_request_status')
      .query({ handle: 'h-1', load_ids_of_invalid_requests: 'true' })
      .reply(200, { data: [{ handle: 'h-1', status: 'finished', errors: [], errors_total_count: 0 }] });

    const results = await facebook.capabilities.promotions!.write.apply(ctx, [
      {
        sku: 'SKU-1',
        externalId: 'SKU-1',
        productExternalId: undefined,
        price: price('29.99'),
        regular: price('49.99'),
        startsAt: new Date('2026-11-27T00:00:00Z'),
        endsAt: new Date('2026-11-30T23:59:59Z'),
        promotionKey: 'bf',
      },
    ]);
    expect(results).toEqual([{ ok: true, externalId: 'SKU-1' }]);
  });

  it('maps line-numbered status errors back to the item, and sends compare-at prices as a windowless sale', async () => {
    const { ctx } = createTestContext(facebook, config);
    nock(GRAPH)
      .post('/v25.0/111/items_batch', (body) => {
        expect(body.requests).toEqual([
          { method: 'UPDATE', data: { id: 'A', price: '10.00 PLN' } },
          { method: 'UPDATE', data: { id: 'B', price: '20.00 PLN', sale_price: '15.00 PLN', sale_price_effective_date: '' } },
        ]);
        return true;
      })
      .reply(200, { handles: ['h-2'] })
      .get('/v25.0/111/check_batch_request_status')
      .query(true)
      .reply(200, { data: [{ status: 'finished', errors: [{ line: 1, message: 'sale_price currency differs' }] }] });
    const results = await facebook.capabilities.prices!.write.set(ctx, [
      { sku: 'A', externalId: 'A', productExternalId: undefined, price: price('10') },
      { sku: 'B', externalId: 'B', productExternalId: undefined, price: price('15', '20') },
    ]);
    expect(results).toEqual([
      { ok: true, externalId: 'A' },
      { ok: false, kind: 'business', message: 'B: sale_price currency differs' },
    ]);
  });

  it('splits large writes into calls of at most requestsPerCall requests', async () => {
    const { ctx } = createTestContext(facebook, { ...config, requestsPerCall: 2 });
    const sizes: number[] = [];
    nock(GRAPH)
      .post('/v25.0/111/items_batch', (body) => sizes.push(body.requests.length) > 0)
      .times(2)
      .reply(200, { handles: ['h'] })
      .get('/v25.0/111/check_batch_request_status')
      .query(true)
      .times(2)
      .reply(200, { data: [{ status: 'finished', errors: [] }] });
    const items = ['A', 'B', 'C'].map((sku) => ({ sku, externalId: sku, productExternalId: undefined, available: 1, expected: undefined }));
    const results = await facebook.capabilities.stock!.write!.set(ctx, items);
    expect(sizes).toEqual([2, 1]);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('reads products with explicit fields and follows the after cursor; a throttled call carries the BUC wait', async () => {
    const { ctx } = createTestContext(facebook, { ...config, pageSize: 50 });
    nock(GRAPH)
      .get('/v25.0/111/products')
      .query({ fields: PRODUCT_FIELDS, limit: '50', after: 'CUR' })
      .reply(200, {
        data: [{ id: '9', retailer_id: 'SKU-9', name: 'Mug', price: 'PLN1,299.00', currency: 'PLN', quantity_to_sell_on_facebook: 2 }],
        paging: { cursors: { before: 'x', after: 'y' } },
      })
      .get('/v25.0/111/products')
      .query(true)
      .reply(
        400,
        { error: { message: '(#80014) There have been too many calls', type: 'OAuthException', code: 80014 } },
        { 'x-business-use-case-usage': JSON.stringify({ '111': [{ type: 'catalog_batch', call_count: 100, estimated_time_to_regain_access: 3 }] }) },
      );
    const page = await facebook.capabilities.catalog!.read!.list(ctx, 'CUR');
    expect(page.next).toBeUndefined();
    expect(page.items[0]!.variants[0]).toMatchObject({ sku: 'SKU-9', price: { gross: '1299.00', currency: 'PLN' }, stock: { available: 2 } });
    const err = await facebook.capabilities.catalog!.read!.list(ctx, undefined).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: 180_000 });
    expect(String((err as Error).message)).not.toContain('EAAB-secret-token');
  });

  it('names the field when Meta answers with an unexpected shape', async () => {
    const { ctx } = createTestContext(facebook, config);
    nock(GRAPH).get('/v25.0/111/products').query(true).reply(200, { data: [{ id: '1' }] });
    await expect(facebook.capabilities.catalog!.read!.list(ctx, undefined)).rejects.toThrow(/data\.0\.retailer_id/);
  });
});
