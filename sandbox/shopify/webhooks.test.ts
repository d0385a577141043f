import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { specPath } from '../common/specs.ts';
import { SECRET, gql, makeSim, productBySku, webhookReceiver } from './test-support.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** Same shape: every key of `sample` exists in `actual` with the same JSON type (recursing into objects/arrays). */
function shapeDiff(sample: unknown, actual: unknown, path = '$'): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(sample) !== kind(actual)) return [`${path}: ${kind(sample)} vs ${kind(actual)}`];
  if (Array.isArray(sample)) return sample.length && (actual as unknown[]).length ? shapeDiff(sample[0], (actual as unknown[])[0], `${path}[0]`) : [];
  if (kind(sample) === 'object') {
    return Object.entries(sample as Record<string, unknown>).flatMap(([k, v]) =>
      k in (actual as object) ? shapeDiff(v, (actual as Record<string, unknown>)[k], `${path}.${k}`) : [`${path}.${k}: missing`],
    );
  }
  return [];
}

describe('Shopify simulator: webhooks', () => {
  it('signs products/update with base64 HMAC-SHA256 of the raw body and matches the docs sample shape', async () => {
    const hub = await webhookReceiver();
    closers.push(hub.close);
    const sim = makeSim({ webhookUrl: hub.url });
    const v = await productBySku(sim, 'TS-S');
    await gql(sim, 'mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { code } } }', { p: v.product.id, v: [{ id: v.id, price: '17.00' }] });
    await sim.flushWebhooks();
    expect(hub.received).toHaveLength(1);
    const d = hub.received[0]!;
    expect(d.headers['x-shopify-topic']).toBe('products/update');
    expect(d.headers['x-shopify-hmac-sha256']).toBe(createHmac('sha256', SECRET).update(d.raw).digest('base64'));
    expect(d.headers['x-shopify-hmac-sha256']).not.toBe(createHmac('sha256', 'other-secret').update(d.raw).digest('base64'));
    for (const h of ['x-shopify-shop-domain', 'x-shopify-webhook-id', 'x-shopify-event-id', 'x-shopify-triggered-at']) expect(d.headers[h]).toBeTruthy();
    expect(d.headers['x-shopify-api-version']).toBe('2026-04');
    const sample = JSON.parse(readFileSync(specPath('samples/shopify/webhook-products-update.docs-abridged.json'), 'utf8'));
    const body = JSON.parse(d.raw);
    expect(shapeDiff(sample, body)).toEqual([]);
    expect(body.variants[0]).toMatchObject({ sku: 'TS-S', price: '17.00' });
    expect(body.admin_graphql_api_id).toBe(v.product.id);
  });

  it('fires inventory_levels/update and orders/create for an order, and delivers twice under the duplicates policy', async () => {
    const hub = await webhookReceiver();
    closers.push(hub.close);
    const sim = makeSim({ webhookUrl: hub.url, random: () => 0 });
    const policy = await sim.app.request('/__sandbox/webhooks/policy', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ duplicateRate: 1 }) });
    expect(((await policy.json()) as { duplicateRate: number }).duplicateRate).toBe(1);
    await sim.app.request('/__sandbox/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', lineItems: [{ sku: 'MUG-1', quantity: 1 }] }) });
    await sim.flushWebhooks();
    // Deliveries travel concurrently, so arrival order is not asserted.
    const byTopic = (t: string) => hub.received.filter((r) => r.headers['x-shopify-topic'] === t);
    expect(hub.received).toHaveLength(4);
    const created = byTopic('orders/create');
    expect(created).toHaveLength(2);
    expect(byTopic('inventory_levels/update')).toHaveLength(2);
    // A duplicate is the same delivery: same webhook id, same body.
    expect(created[0]!.headers['x-shopify-webhook-id']).toBe(created[1]!.headers['x-shopify-webhook-id']);
    expect(created[0]!.raw).toBe(created[1]!.raw);
    expect(JSON.parse(byTopic('inventory_levels/update')[0]!.raw)).toMatchObject({ available: 2 });
    const order = JSON.parse(created[0]!.raw);
    expect(order.line_items[0]).toMatchObject({ sku: 'MUG-1', quantity: 1, price: '9.50' });
  });
});
