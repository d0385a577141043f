import { describe, expect, it } from 'vitest';
import { gql, makeSim, productBySku } from './test-support.ts';

const PRODUCT_SET = `mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id handle variants(first: 10) { nodes { id sku price compareAtPrice selectedOptions { name value } } } }
    userErrors { field message code }
  }
}`;

const SET_QTY = (directive: string) => `mutation($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) ${directive} {
    inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`;

async function levelAvailable(sim: ReturnType<typeof makeSim>, itemId: string, locationId: string) {
  const r = await gql(sim, 'query($i: ID!, $l: ID!) { inventoryItem(id: $i) { inventoryLevel(locationId: $l) { quantities(names: ["available", "on_hand", "committed"]) { name quantity } } } }', { i: itemId, l: locationId });
  return Object.fromEntries(r.body.data!.inventoryItem.inventoryLevel.quantities.map((q: any) => [q.name, q.quantity]));
}

async function firstLocation(sim: ReturnType<typeof makeSim>): Promise<string> {
  return (await gql(sim, '{ location { id } }')).body.data!.location.id;
}

describe('Shopify simulator: products', () => {
  it('productSet replaces the variant list in full: missing variants are deleted, matched ones keep their id', async () => {
    const sim = makeSim();
    const m = await productBySku(sim, 'TS-M');
    const r = await gql(sim, PRODUCT_SET, {
      identifier: { id: m.product.id },
      input: {
        productOptions: [{ name: 'Size', values: [{ name: 'M' }, { name: 'L' }] }],
        variants: [
          { optionValues: [{ optionName: 'Size', name: 'M' }], price: '21.00', sku: 'TS-M' },
          { optionValues: [{ optionName: 'Size', name: 'L' }], price: '23.00', compareAtPrice: '25.00', inventoryItem: { sku: 'TS-L' } },
        ],
      },
    });
    expect(r.body.data!.productSet.userErrors).toEqual([]);
    const variants = r.body.data!.productSet.product.variants.nodes;
    expect(variants.map((v: any) => [v.sku, v.price, v.compareAtPrice])).toEqual([['TS-M', '21.00', null], ['TS-L', '23.00', '25.00']]);
    expect(variants[0].id).toBe(m.id);
    const gone = await gql(sim, '{ productVariants(first: 5, query: "sku:TS-S") { nodes { id } } }');
    expect(gone.body.data!.productVariants.nodes).toEqual([]);
  });

  it('productSet by handle creates, then updates the same product; bad input is a userError', async () => {
    const sim = makeSim();
    const input = { title: 'Cap', productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }], variants: [{ optionValues: [{ optionName: 'Title', name: 'Default Title' }], price: '5.00', sku: 'CAP' }] };
    const a = await gql(sim, PRODUCT_SET, { identifier: { handle: 'cap' }, input });
    const b = await gql(sim, PRODUCT_SET, { identifier: { handle: 'cap' }, input: { ...input, title: 'Cap v2' } });
    expect(a.body.data!.productSet.product.handle).toBe('cap');
    expect(b.body.data!.productSet.product.id).toBe(a.body.data!.productSet.product.id);
    const bad = await gql(sim, PRODUCT_SET, { identifier: { id: 'gid://shopify/Product/999' }, input: { title: 'x' } });
    expect(bad.body.data!.productSet).toMatchObject({ product: null, userErrors: [{ code: 'PRODUCT_DOES_NOT_EXIST', field: ['identifier', 'id'] }] });
    const badOption = await gql(sim, PRODUCT_SET, { input: { ...input, variants: [{ optionValues: [{ optionName: 'Colour', name: 'Red' }] }] } });
    expect(badOption.body.data!.productSet.userErrors[0].code).toBe('OPTION_DOES_NOT_EXIST');
  });

  it('productVariantsBulkUpdate sets price, compare-at, sku and barcode; rejects unknown ids and negative prices', async () => {
    const sim = makeSim();
    const v = await productBySku(sim, 'TS-S');
    const q = `mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) { productVariants { sku price compareAtPrice barcode } userErrors { field message code } } }`;
    const ok = await gql(sim, q, { p: v.product.id, v: [{ id: v.id, price: '15.00', compareAtPrice: '19.99', barcode: '5901234123457', inventoryItem: { sku: 'TS-S2' } }] });
    expect(ok.body.data!.productVariantsBulkUpdate).toEqual({ productVariants: [{ sku: 'TS-S2', price: '15.00', compareAtPrice: '19.99', barcode: '5901234123457' }], userErrors: [] });
    const bad = await gql(sim, q, { p: v.product.id, v: [{ id: v.id, price: '-1.00' }, { id: 'gid://shopify/ProductVariant/42', price: '1.00' }] });
    expect(bad.body.data!.productVariantsBulkUpdate.userErrors.map((e: any) => [e.field, e.code])).toEqual([
      [['variants', '0', 'price'], 'GREATER_THAN_OR_EQUAL_TO'],
      [['variants', '1', 'id'], 'PRODUCT_VARIANT_DOES_NOT_EXIST'],
    ]);
    expect((await productBySku(sim, 'TS-S2')).price).toBe('15.00');
  });
});

describe('Shopify simulator: inventory (2026-04 rules)', () => {
  it('fails inventorySetQuantities without @idempotent, and without the changeFromQuantity key', async () => {
    const sim = makeSim();
    const v = await productBySku(sim, 'MUG-1');
    const loc = await firstLocation(sim);
    const input = { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: v.inventoryItem.id, locationId: loc, quantity: 7, changeFromQuantity: 3 }] };
    const noKey = await gql(sim, SET_QTY(''), { input });
    expect(noKey.body.data).toEqual({ inventorySetQuantities: null });
    expect((noKey.body.errors as any[])[0]).toMatchObject({ message: 'The @idempotent directive is required for this mutation but was not provided.', path: ['inventorySetQuantities'], extensions: { code: 'BAD_REQUEST' } });
    const { changeFromQuantity: _drop, ...row } = input.quantities[0]!;
    const noCas = await gql(sim, SET_QTY('@idempotent(key: "k-1")'), { input: { ...input, quantities: [row] } });
    expect((noCas.body.errors as any[])[0]).toMatchObject({ message: 'InventoryQuantityInput must include the following argument: changeFromQuantity.', extensions: { code: 'INVALID_FIELD_ARGUMENTS' } });
    expect((await levelAvailable(sim, v.inventoryItem.id, loc)).available).toBe(3);
  });

  it('compare-and-set: a stale changeFromQuantity is CHANGE_FROM_QUANTITY_STALE and changes nothing; a fresh one applies once', async () => {
    const sim = makeSim();
    const v = await productBySku(sim, 'MUG-1');
    const loc = await firstLocation(sim);
    const row = (changeFromQuantity: number | null) => ({ name: 'available', reason: 'correction', referenceDocumentUri: 'gid://omnihub/SyncJob/1', quantities: [{ inventoryItemId: v.inventoryItem.id, locationId: loc, quantity: 8, changeFromQuantity }] });
    const stale = await gql(sim, SET_QTY('@idempotent(key: "a")'), { input: row(99) });
    expect(stale.body.data!.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [{ field: ['input', 'quantities', '0', 'changeFromQuantity'], message: 'The changeFromQuantity value does not match persisted value.', code: 'CHANGE_FROM_QUANTITY_STALE' }],
    });
    expect((await levelAvailable(sim, v.inventoryItem.id, loc)).available).toBe(3);
    const ok = await gql(sim, SET_QTY('@idempotent(key: "b")'), { input: row(3) });
    expect(ok.body.data!.inventorySetQuantities.inventoryAdjustmentGroup.changes).toEqual([
      { name: 'available', delta: 5, quantityAfterChange: 8 },
      { name: 'on_hand', delta: 5, quantityAfterChange: 8 },
    ]);
    // A retry with the same key replays the answer without applying twice; the same key with new input is refused.
    const replay = await gql(sim, SET_QTY('@idempotent(key: "b")'), { input: row(3) });
    expect(replay.body.data!.inventorySetQuantities.userErrors).toEqual([]);
    const misuse = await gql(sim, SET_QTY('@idempotent(key: "b")'), { input: row(null) });
    expect(misuse.body.data!.inventorySetQuantities.userErrors[0].code).toBe('IDEMPOTENCY_KEY_PARAMETER_MISMATCH');
    expect((await levelAvailable(sim, v.inventoryItem.id, loc)).available).toBe(8);
  });

  it('inventoryAdjustQuantities applies deltas with CAS, and an admin order moves available to committed', async () => {
    const sim = makeSim();
    const v = await productBySku(sim, 'TS-S');
    const loc = await firstLocation(sim);
    const q = `mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) @idempotent(key: "adj-1") { userErrors { code } inventoryAdjustmentGroup { id } } }`;
    const r = await gql(sim, q, { input: { name: 'available', reason: 'received', changes: [{ inventoryItemId: v.inventoryItem.id, locationId: loc, delta: 4, changeFromQuantity: 10 }] } });
    expect(r.body.data!.inventoryAdjustQuantities.userErrors).toEqual([]);
    const res = await sim.app.request('/__sandbox/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ lineItems: [{ sku: 'TS-S', quantity: 2 }] }) });
    expect(res.status).toBe(201);
    expect(await levelAvailable(sim, v.inventoryItem.id, loc)).toEqual({ available: 12, on_hand: 14, committed: 2 });
    const orders = await gql(sim, `{ orders(first: 5, query: "updated_at:>'2020-01-01T00:00:00Z'") { nodes { name lineItems(first: 5) { nodes { sku quantity variant { id } } } } } }`);
    expect(orders.body.data!.orders.nodes).toEqual([{ name: '#1001', lineItems: { nodes: [{ sku: 'TS-S', quantity: 2, variant: { id: v.id } }] } }]);
  });
});
