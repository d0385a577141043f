import { describe, expect, it } from 'vitest';
import { gql, makeSim } from './test-support.ts';

describe('Shopify simulator: endpoint, auth, validation', () => {
  it('answers 401 with Shopify\'s body for a missing or wrong token', async () => {
    const sim = makeSim();
    for (const token of [null, 'shpat_wrong']) {
      const r = await gql(sim, '{ shop { name } }', undefined, { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
  });

  it('answers 404 for an API version whose schema it does not hold', async () => {
    const r = await gql(makeSim(), '{ shop { name } }', undefined, { version: '2024-01' });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ errors: 'Not Found' });
  });

  it('rejects a field that does not exist the way Shopify does (200, undefinedField, path from the operation)', async () => {
    const r = await gql(makeSim(), 'query Q {\n  products(first: 1) {\n    nodes { id colour }\n  }\n}');
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors).toEqual([
      {
        message: "Field 'colour' doesn't exist on type 'Product'",
        locations: [{ line: 3, column: 16 }],
        path: ['query Q', 'products', 'nodes', 'colour'],
        extensions: { code: 'undefinedField', typeName: 'Product', fieldName: 'colour' },
      },
    ]);
  });

  it('rejects fields removed in 2026-04 (ignoreCompareQuantity) at validation, before any resolver runs', async () => {
    const r = await gql(
      makeSim(),
      `mutation { inventorySetQuantities(input: {name: "available", reason: "correction", ignoreCompareQuantity: true, quantities: []}) @idempotent(key: "k") { userErrors { code } } }`,
    );
    const errors = r.body.errors as Array<{ message: string; extensions: Record<string, unknown> }>;
    expect(errors[0]!.message).toBe("InputObject 'InventorySetQuantitiesInput' doesn't accept argument 'ignoreCompareQuantity'");
    expect(errors[0]!.extensions.code).toBe('argumentNotAccepted');
  });

  it('reports missing required arguments and bad variables in Shopify\'s words', async () => {
    const sim = makeSim();
    const missing = await gql(sim, '{ product { id } }');
    expect((missing.body.errors as any[])[0]).toMatchObject({ message: "Field 'product' is missing required arguments: id", extensions: { code: 'missingRequiredArguments' } });
    const badVar = await gql(
      sim,
      'mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { message } } }',
      { p: 'gid://shopify/Product/1', v: [{ id: 'gid://shopify/ProductVariant/1', price: 'not-a-price' }] },
    );
    expect((badVar.body.errors as any[])[0]).toMatchObject({
      message: "Variable $v of type [ProductVariantsBulkInput!]! was provided invalid value for 0.price (invalid money 'not-a-price')",
      extensions: { code: 'INVALID_VARIABLE', problems: [{ path: [0, 'price'], explanation: "invalid money 'not-a-price'" }] },
    });
  });

  it('answers a clear error for root fields the simulator does not implement', async () => {
    const r = await gql(makeSim(), '{ collections(first: 1) { nodes { id } } }');
    const err = (r.body.errors as any[])[0];
    expect(err.extensions.code).toBe('NOT_IMPLEMENTED_BY_SIMULATOR');
    expect(err.message).toContain('QueryRoot.collections');
    expect(err.path).toEqual(['collections']);
  });

  it('pages products with cursors and filters by sku and updated_at', async () => {
    const sim = makeSim();
    const page1 = await gql(sim, '{ products(first: 1) { edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }');
    expect(page1.body.data!.products.edges[0].node.title).toBe('T-Shirt');
    expect(page1.body.data!.products.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql(sim, 'query($a: String) { products(first: 5, after: $a) { nodes { title } pageInfo { hasNextPage } } }', { a: page1.body.data!.products.pageInfo.endCursor });
    expect(page2.body.data!.products.nodes.map((n: any) => n.title)).toEqual(['Mug']);
    expect(page2.body.data!.products.pageInfo.hasNextPage).toBe(false);

    const bySku = await gql(sim, '{ products(first: 5, query: "sku:TS-M") { nodes { title } } }');
    expect(bySku.body.data!.products.nodes).toEqual([{ title: 'T-Shirt' }]);
    const since = await gql(sim, `{ products(first: 5, query: "updated_at:>'2026-02-01T00:00:00Z'") { nodes { title } } }`);
    expect(since.body.data!.products.nodes).toEqual([{ title: 'Mug' }]);

    const noFirst = await gql(sim, '{ products { nodes { id } } }');
    expect((noFirst.body.errors as any[])[0].message).toBe('you must provide one of first or last');
  });

  it('reports calculated cost in extensions and refunds the unused part', async () => {
    // A frozen clock: with real time the bucket refills between the two reads and the figure drifts.
    const sim = makeSim({ clock: () => Date.parse('2026-05-01T00:00:00Z') });
    const r = await gql(sim, '{ products(first: 10) { edges { node { id title } } } }');
    expect(r.body.extensions!.cost).toEqual({
      requestedQueryCost: 12,
      actualQueryCost: 4,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1996, restoreRate: 100 },
    });
    const m = await gql(sim, 'mutation { productDelete(input: {id: "gid://shopify/Product/1"}) { userErrors { message } } }');
    expect(m.body.extensions!.cost.requestedQueryCost).toBe(10);
  });

  it('refuses a single query above 1000 points with MAX_COST_EXCEEDED', async () => {
    const r = await gql(makeSim(), '{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }');
    expect((r.body.errors as any[])[0].extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', maxCost: 1000 });
  });

  it('answers THROTTLED when the bucket is empty and recovers after the restore time (injected clock)', async () => {
    let now = Date.parse('2026-05-01T00:00:00Z');
    const sim = makeSim({ clock: () => now, bucketSize: 100, restoreRate: 10 });
    const q = '{ products(first: 40) { nodes { id } } }'; // requested 42
    expect((await gql(sim, q)).body.data).toBeDefined(); // actual 4 → 96 left
    await sim.app.request('/__sandbox/rate-limit/empty', { method: 'POST' });
    const throttled = await gql(sim, q);
    expect(throttled.status).toBe(200);
    expect(throttled.body.data).toBeUndefined();
    expect(throttled.body.errors).toEqual([
      { message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } },
    ]);
    expect(throttled.body.extensions!.cost).toMatchObject({ requestedQueryCost: 42, actualQueryCost: null, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 0, restoreRate: 10 } });
    now += 4_000; // 40 points: still short
    expect((await gql(sim, q)).body.errors).toBeDefined();
    now += 1_000; // 50 points
    const ok = await gql(sim, q);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.extensions!.cost.throttleStatus.currentlyAvailable).toBe(46);
  });

  it('scales the restore rate with rateLimitScale', async () => {
    const r = await gql(makeSim({ rateLimitScale: 10 }), '{ shop { name } }');
    expect(r.body.extensions!.cost.throttleStatus.restoreRate).toBe(1000);
  });
});
