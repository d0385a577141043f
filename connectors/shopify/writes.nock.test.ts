import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../../core/sdk/index.ts';
import shopify from './index.ts';
import { desiredProduct, desiredVariant } from './test-helpers.ts';

const SHOP = 'https://demo.myshopify.com';
const GQL = '/admin/api/2026-04/graphql.json';
const LOC = 'gid://shopify/Location/7';

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

const ctx = (over: Record<string, unknown> = {}) => createTestContext(shopify, { shop: 'demo', accessToken: 'shpat_x', locationId: LOC, ...over });
const gross = (g: string, net: string, compareAt: string | null = null) => ({ gross: g, net, taxRate: '0.23', currency: 'PLN', compareAt });

/** Answers GraphQL requests in order, recording each body. */
function script(...answers: Array<(body: any) => unknown>) {
  const bodies: any[] = [];
  for (const answer of answers) nock(SHOP).post(GQL, (b) => (bodies.push(b), true)).reply(200, (_uri, body) => answer(body));
  return bodies;
}

describe('prices.write request shape', () => {
  it('one productVariantsBulkUpdate per product, net prices (with net compare-at) when prices exclude tax', async () => {
    const t = ctx({ pricesIncludeTax: false });
    const bodies = script(
      () => ({ data: { productVariantsBulkUpdate: { productVariants: [{ id: 'V1', price: '10.00', compareAtPrice: '20.00' }, { id: 'V2', price: '8.13', compareAtPrice: null }], userErrors: [] } } }),
      () => ({ data: { productVariantsBulkUpdate: { productVariants: [], userErrors: [{ field: ['variants', '0', 'price'], message: 'Price is too big', code: 'INVALID' }] } } }),
    );
    const results = await shopify.capabilities.prices!.write.set(t.ctx, [
      { sku: 'A', externalId: 'V1', productExternalId: 'P1', price: gross('12.30', '10.00', '24.60') },
      { sku: 'B', externalId: 'V3', productExternalId: 'P2', price: gross('1e9', '999999999.00') },
      { sku: 'C', externalId: 'V2', productExternalId: 'P1', price: gross('10.00', '8.13') },
    ]);
    expect(bodies.map((b) => b.variables)).toEqual([
      { productId: 'P1', variants: [{ id: 'V1', price: '10.00', compareAtPrice: '20.00' }, { id: 'V2', price: '8.13', compareAtPrice: null }] },
      { productId: 'P2', variants: [{ id: 'V3', price: '999999999.00', compareAtPrice: null }] },
    ]);
    expect(bodies[0].query).toContain('allowPartialUpdates: true');
    expect(results).toEqual([
      { ok: true, externalId: 'V1' },
      { ok: false, kind: 'business', message: 'variants.0.price: Price is too big [INVALID]' },
      { ok: true, externalId: 'V2' },
    ]);
  });
});

describe('stock.write request shape', () => {
  const inventory = (rows: Array<[string, string, number]>) => () => ({
    data: { nodes: rows.map(([variant, item, available]) => ({ __typename: 'ProductVariant', id: variant, inventoryItem: { id: item, tracked: true, inventoryLevel: { quantities: [{ name: 'available', quantity: available }] } } })) },
  });

  it('sends one inventorySetQuantities with name "available", changeFromQuantity on every row and a fresh @idempotent key', async () => {
    const t = ctx();
    const bodies = script(
      inventory([['V1', 'I1', 5], ['V2', 'I2', 9]]),
      () => ({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'G1' }, userErrors: [] } } }),
    );
    const items = [
      { sku: 'A', externalId: 'V1', productExternalId: undefined, available: 3, expected: 5 },
      { sku: 'B', externalId: 'V2', productExternalId: undefined, available: 4, expected: undefined },
    ];
    expect(await shopify.capabilities.stock!.write!.set(t.ctx, items)).toEqual([{ ok: true, externalId: 'V1' }, { ok: true, externalId: 'V2' }]);
    expect(bodies[0].variables).toEqual({ ids: ['V1', 'V2'], locationId: LOC });
    const { input, key } = bodies[1].variables;
    expect(input).toEqual({
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: 'gid://omnihub/StockSync/shopify',
      quantities: [
        { inventoryItemId: 'I1', locationId: LOC, quantity: 3, changeFromQuantity: 5 },
        { inventoryItemId: 'I2', locationId: LOC, quantity: 4, changeFromQuantity: 9 },
      ],
    });
    expect(bodies[1].query).toContain('@idempotent(key: $key)');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // The same write again (stock back at an earlier pair) gets another key: a reused key would be replayed, not applied.
    const again = script(
      inventory([['V1', 'I1', 5], ['V2', 'I2', 9]]),
      () => ({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'G1b' }, userErrors: [] } } }),
    );
    await shopify.capabilities.stock!.write!.set(t.ctx, items);
    expect(again[1].variables.input).toEqual(input);
    expect(again[1].variables.key).not.toBe(key);
  });

  it('CHANGE_FROM_QUANTITY_STALE on one row: that item retryable, the others sent again without it', async () => {
    const t = ctx();
    const bodies = script(
      inventory([['V1', 'I1', 5], ['V2', 'I2', 9]]),
      () => ({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [{ field: ['input', 'quantities', '0', 'changeFromQuantity'], message: 'The changeFromQuantity value does not match persisted value.', code: 'CHANGE_FROM_QUANTITY_STALE' }] } } }),
      () => ({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'G2' }, userErrors: [] } } }),
    );
    const results = await shopify.capabilities.stock!.write!.set(t.ctx, [
      { sku: 'A', externalId: 'V1', productExternalId: undefined, available: 3, expected: 4 },
      { sku: 'B', externalId: 'V2', productExternalId: undefined, available: 1, expected: 9 },
    ]);
    expect(results[0]).toMatchObject({ ok: false, kind: 'retryable' });
    expect(results[1]).toEqual({ ok: true, externalId: 'V2' });
    expect(bodies[2].variables.input.quantities).toEqual([{ inventoryItemId: 'I2', locationId: LOC, quantity: 1, changeFromQuantity: 9 }]);
    expect(bodies[2].variables.key).not.toBe(bodies[1].variables.key);
  });

  it('sends nothing for items already at their target', async () => {
    const t = ctx();
    script(inventory([['V1', 'I1', 5]]));
    expect(await shopify.capabilities.stock!.write!.set(t.ctx, [{ sku: 'A', externalId: 'V1', productExternalId: undefined, available: 5, expected: 5 }])).toEqual([{ ok: true, externalId: 'V1' }]);
  });
});

describe('catalog.write request shape', () => {
  it('reads first, then productSet by id, sending back the variant the hub does not own as {id, optionValues}', async () => {
    const t = ctx();
    const variant = (id: string, sku: string, size: string) => ({ id, sku, barcode: null, title: size, price: '10.00', compareAtPrice: null, selectedOptions: [{ name: 'Size', value: size }] });
    const bodies = script(
      () => ({
        data: {
          productByIdentifier: {
            id: 'P1', handle: 'shirt',
            options: [{ name: 'Size', position: 1, optionValues: [{ name: 'S' }, { name: 'M' }] }],
            variants: { nodes: [variant('V1', 'S-1', 'S'), variant('V2', 'MERCHANT', 'M')], pageInfo: { hasNextPage: false, endCursor: null } },
          },
        },
      }),
      () => ({ data: { productSet: { product: { id: 'P1', variants: { nodes: [{ id: 'V1', sku: 'S-1' }, { id: 'V2', sku: 'MERCHANT' }] } }, userErrors: [] } } }),
    );
    const item = desiredProduct('hub-1', {
      externalId: 'P1',
      groups: ['price'],
      variants: [desiredVariant('S-1', { externalId: 'V1', attributes: { Size: 'S' }, price: gross('12.30', '10.00') })],
    });
    expect(await shopify.capabilities.catalog!.write!.upsert(t.ctx, [item])).toEqual([{ ok: true, externalId: 'P1', variantIds: { 'S-1': 'V1' } }]);
    expect(bodies[0].variables).toEqual({ identifier: { id: 'P1' } });
    expect(bodies[1].variables).toEqual({
      identifier: { id: 'P1' },
      input: {
        productOptions: [{ name: 'Size', position: 1, values: [{ name: 'S' }, { name: 'M' }] }],
        variants: [
          { id: 'V1', sku: 'S-1', price: '12.30', compareAtPrice: null, optionValues: [{ optionName: 'Size', name: 'S' }] },
          { id: 'V2', optionValues: [{ optionName: 'Size', name: 'M' }] },
        ],
      },
    });
  });

  it('a content-only write leaves the variant list out entirely', async () => {
    const t = ctx();
    const bodies = script(
      () => ({ data: { productByIdentifier: { id: 'P1', handle: 'h', options: [], variants: { nodes: [{ id: 'V1', sku: 'S-1', barcode: null, title: 'Default Title', price: '1.00', compareAtPrice: null, selectedOptions: [{ name: 'Title', value: 'Default Title' }] }], pageInfo: { hasNextPage: false, endCursor: null } } } } }),
      () => ({ data: { productSet: { product: { id: 'P1', variants: { nodes: [] } }, userErrors: [] } } }),
    );
    await shopify.capabilities.catalog!.write!.upsert(t.ctx, [
      desiredProduct('hub-1', { externalId: 'P1', groups: ['content'], title: { en: 'New title' }, variants: [desiredVariant('S-1', { externalId: 'V1' })] }),
    ]);
    expect(bodies[1].variables.input).toEqual({ title: 'New title', descriptionHtml: '', vendor: '' });
  });
});
