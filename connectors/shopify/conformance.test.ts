import { Kind, OperationTypeNode, parse } from 'graphql';
import { Hono } from 'hono';
import { afterAll, expect, inject, it } from 'vitest';
import type { ConformanceHarness } from '../../core/conformance/kit.ts';
import { runConformance } from '../../core/conformance/vitest.ts';
import type { WebhookRequest } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createShopifySimulator, signWebhook, type ShopifySimulator } from '../../sandbox/shopify/index.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import shopify from './index.ts';

/**
 * The conformance kit against the Shopify Admin GraphQL simulator, on the real engine.
 *
 * Every Admin API call is `POST /admin/api/<version>/graphql.json`, reads included, so neither the simulator's
 * request log (method, path, status) nor a path/method fault rule can tell a write from a read. Rather than add
 * anything to the simulator, the harness puts a thin tap in front of it (same process, same HTTP server) that parses
 * each GraphQL document: `writeCount` counts mutation operations, and `failWrites` arms the simulator's own fault
 * plan for exactly the next mutation (the rule is added and the request handed over in the same tick, so no
 * concurrent read can take it). State changes were the other option, but they miss a write that sets the same
 * value again — which is exactly what the replay and echo checks must catch.
 */
const TOKEN = 'shpat_conformance_kit';
const SECRET = 'conformance-app-secret';
const GRAPHQL = /^\/admin\/api\/[^/]+\/graphql\.json$/;

let running: RunningSimulator | undefined;
let sim: ShopifySimulator | undefined;
/** Product GIDs the harness seeded, in order (the kit's own product first). */
const seeded: string[] = [];
/** Operations the connector sent through the tap, `query`/`mutation` and name, oldest first. */
const operations: Array<{ type: string; name: string; status: number; variables: Record<string, any> }> = [];
afterAll(async () => {
  await running?.close();
});

/** The operation type and name of a GraphQL request body; undefined when the body is not one. */
function operationOf(body: unknown): { type: string; name: string; variables: Record<string, any> } | undefined {
  const { query, operationName, variables } = (body ?? {}) as { query?: unknown; operationName?: unknown; variables?: Record<string, any> };
  if (typeof query !== 'string') return undefined;
  try {
    const ops = parse(query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const op = ops.find((d) => d.name?.value === operationName) ?? ops[0];
    return op ? { type: op.operation, name: op.name?.value ?? '', variables: variables ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

async function harness(): Promise<ConformanceHarness> {
  // The cost bucket restores 10× faster than a Standard shop's (a Plus shop's rate), and the connector is told so:
  // the kit's sweeps and order polls would otherwise spend most of the run waiting for points.
  const s = createShopifySimulator({ accessToken: TOKEN, appSecret: SECRET, currency: 'PLN', rateLimitScale: 10, seed: { locations: [{ name: 'Main warehouse' }] } });
  sim = s;
  let failing: { status: number; times: number; retryAfter: string } | undefined;
  const tap = new Hono();
  tap.all('*', async (c) => {
    const req = c.req.raw;
    if (req.method !== 'POST' || !GRAPHQL.test(new URL(req.url).pathname)) return s.app.fetch(req);
    const op = operationOf(await req.clone().json().catch(() => undefined));
    if (op?.type === OperationTypeNode.MUTATION && failing && failing.times > 0) {
      failing.times--;
      s.faults.add({ kind: 'status', status: failing.status, times: 1, method: 'POST', headers: { 'retry-after': failing.retryAfter } });
    }
    // Synchronously after the rule is added: the fault middleware takes it before anything else can run.
    const res = await s.app.fetch(req);
    if (op) operations.push({ ...op, status: res.status });
    return res;
  });
  running = await listen({ ...s, app: tap });
  const url = running.url;
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}/__sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const base = { shop: 'omnihub-sandbox', endpoint: url, accessToken: TOKEN, webhookSecret: SECRET, rateLimit: { restoreRate: 1000, bucketSize: 2000 } };
  const delivery = (productGid: string, secret: string): WebhookRequest => {
    const body = JSON.stringify({ id: Number(productGid.split('/').pop()), admin_graphql_api_id: productGid, title: 'Conformance product' });
    return {
      method: 'POST',
      headers: {
        'x-shopify-topic': 'products/update',
        'x-shopify-hmac-sha256': signWebhook(body, secret),
        'x-shopify-shop-domain': 'omnihub-sandbox.myshopify.com',
        'x-shopify-webhook-id': `kit-${productGid}`,
      },
      query: {},
      rawBody: Buffer.from(body),
    };
  };
  return {
    connector: shopify,
    config: base,
    invalidConfigs: [
      { config: { ...base, shop: 'Not a shop!' }, path: 'shop' },
      { config: { shop: 'omnihub-sandbox', endpoint: url }, path: 'accessToken' },
      { config: { ...base, endpoint: 'not a url' }, path: 'endpoint' },
      { config: { ...base, locationId: 'gid://shopify/Product/1' }, path: 'locationId' },
      { config: { ...base, rateLimit: { restoreRate: -1 } }, path: 'rateLimit.restoreRate' },
      { config: { ...base, colour: 'red' }, path: 'colour' },
    ],
    async seedProduct(p) {
      await admin('/seed', { products: [{ title: p.title, variants: [{ sku: p.sku, price: p.price, available: p.stock }] }] });
      // The seed endpoint answers no ids: find the product by its variant's SKU.
      const state = (await admin('/state')) as { products: Array<{ id: number; variants: Array<{ sku: string | null }> }> };
      const made = state.products.find((x) => x.variants.some((v) => v.sku === p.sku));
      if (!made) throw new Error(`seeded product with SKU ${p.sku} not found in the simulator's state`);
      seeded.push(`gid://shopify/Product/${made.id}`);
      return { productExternalId: seeded.at(-1)! };
    },
    async deleteProduct(productExternalId) {
      // Straight to the simulator (not through the tap): the harness's own mutation is not the connector's write.
      const res = await s.app.request('/admin/api/2026-04/graphql.json', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': TOKEN },
        body: JSON.stringify({ query: 'mutation($id: ID!) { productDelete(input: { id: $id }) { deletedProductId userErrors { message } } }', variables: { id: productExternalId } }),
      });
      const body = (await res.json()) as { data?: { productDelete?: { deletedProductId: string | null } } };
      if (body.data?.productDelete?.deletedProductId !== productExternalId) throw new Error(`productDelete failed: ${JSON.stringify(body)}`);
    },
    async failWrites(status, times, retryAfterSeconds) {
      failing = { status, times, retryAfter: String(retryAfterSeconds) };
    },
    async writeCount() {
      return operations.filter((o) => o.type === OperationTypeNode.MUTATION).length;
    },
    webhook(productExternalId) {
      const valid = delivery(productExternalId, SECRET);
      const tampered = { ...valid, rawBody: Buffer.from(valid.rawBody.toString('utf8').replace('Conformance product', 'Tampered product')) };
      const { ['x-shopify-hmac-sha256']: _drop, ...unsigned } = valid.headers;
      return {
        valid,
        forged: {
          'wrong secret': delivery(productExternalId, 'guessed-secret'),
          'tampered body': tampered,
          'missing signature': { ...valid, headers: unsigned },
        },
      };
    },
    async placeOrder(sku, quantity) {
      const made = (await admin('/orders', { lineItems: [{ sku, quantity }] })) as { id: string };
      return { orderExternalId: made.id };
    },
  };
}

runConformance(harness, { database: () => freshDatabase('shopify'), redisUrl: inject('redisUrl') });

// Guards the harness itself: the retries check proves nothing unless the injected answers hit the connector's writes.
it('the injected 429 and 503s were answered to the connector\'s stock mutations, which were then repeated', () => {
  const faulted = operations.filter((o) => o.status === 429 || o.status === 503);
  expect(faulted.map((o) => `${o.name} ${o.status}`)).toEqual(['InventorySetQuantities 429', 'InventorySetQuantities 503', 'InventorySetQuantities 503']);
  const last = operations.lastIndexOf(faulted[2]!);
  expect(operations.slice(last + 1).some((o) => o.name === 'InventorySetQuantities' && o.status === 200)).toBe(true);
  // The seeded product was linked by SKU and its content updated in place, never created again.
  const sets = operations.filter((o) => o.name === 'ProductSet');
  expect(sets.map((o) => o.variables.identifier?.id)).toEqual(sets.map(() => seeded[0]));
  expect(sim!.faults.list()).toEqual([]);
});
