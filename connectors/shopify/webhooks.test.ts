import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../core/sdk/index.ts';
import { signWebhook } from '../../sandbox/shopify/index.ts';
import { SECRET, webhookReceiver } from '../../sandbox/shopify/test-support.ts';
import shopify from './index.ts';
import { startSim } from './test-helpers.ts';

const config = shopify.config.parse({ shop: 'demo', accessToken: 'shpat_x', webhookSecret: SECRET });
const hooks = shopify.webhooks!;

function request(topic: string, body: unknown, headers: Record<string, string> = {}): WebhookRequest {
  const raw = JSON.stringify(body);
  return {
    method: 'POST',
    query: {},
    rawBody: Buffer.from(raw),
    headers: { 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': signWebhook(raw, SECRET), 'x-shopify-webhook-id': 'wh-1', 'x-shopify-event-id': 'ev-1', ...headers },
  };
}

describe('webhook verification', () => {
  it('accepts the HMAC of the raw body and rejects forged, re-serialised or unsigned deliveries', () => {
    const req = request('products/update', { id: 1, title: 'A' });
    expect(hooks.verify(req, config, new Date())).toEqual({ ok: true });
    const forged = { ...req, headers: { ...req.headers, 'x-shopify-hmac-sha256': signWebhook('{"id":1}', 'other-secret') } };
    expect(hooks.verify(forged, config, new Date())).toMatchObject({ ok: false });
    // Same JSON, different bytes: the signature is over bytes, so it must fail.
    const respaced = { ...req, rawBody: Buffer.from(JSON.stringify({ id: 1, title: 'A' }, null, 1)) };
    expect(hooks.verify(respaced, config, new Date())).toMatchObject({ ok: false });
    const { ['x-shopify-hmac-sha256']: _, ...unsigned } = req.headers;
    expect(hooks.verify({ ...req, headers: unsigned }, config, new Date())).toEqual({ ok: false, reason: 'missing X-Shopify-Hmac-Sha256 header' });
    const noSecret = shopify.config.parse({ shop: 'demo', accessToken: 'shpat_x' });
    expect(hooks.verify(req, noSecret, new Date())).toMatchObject({ ok: false });
  });

  it('uses clientSecret as the key for client-credentials apps, and accepts un-prefixed Events headers', () => {
    const cc = shopify.config.parse({ shop: 'demo', clientId: 'id', clientSecret: SECRET });
    const req = request('orders/create', { id: 5 });
    const events = { ...req, headers: { 'shopify-topic': 'orders/create', 'shopify-hmac-sha256': req.headers['x-shopify-hmac-sha256']!, 'shopify-webhook-id': 'wh-9' } };
    expect(hooks.verify(events, cc, new Date())).toEqual({ ok: true });
    expect(hooks.parse(events, cc)).toEqual({ eventId: 'wh-9', hints: [{ kind: 'order', externalId: 'gid://shopify/Order/5' }] });
  });
});

describe('webhook parsing', () => {
  it('turns each topic into hints, with X-Shopify-Webhook-Id as the event id', () => {
    expect(hooks.parse(request('products/update', { id: 1, admin_graphql_api_id: 'gid://shopify/Product/1' }), config)).toEqual({
      eventId: 'wh-1',
      hints: [{ kind: 'product', externalId: 'gid://shopify/Product/1' }],
    });
    expect(hooks.parse(request('products/delete', { id: 2 }), config).hints).toEqual([{ kind: 'product', externalId: 'gid://shopify/Product/2', deleted: true }]);
    expect(hooks.parse(request('inventory_levels/update', { inventory_item_id: 3, location_id: 4, available: 1 }), config).hints).toEqual([
      { kind: 'stock', externalId: 'gid://shopify/InventoryItem/3' },
    ]);
    for (const topic of ['orders/create', 'orders/updated', 'orders/cancelled']) {
      expect(hooks.parse(request(topic, { id: 6, admin_graphql_api_id: 'gid://shopify/Order/6' }), config).hints).toEqual([{ kind: 'order', externalId: 'gid://shopify/Order/6' }]);
    }
    expect(hooks.parse(request('app/uninstalled', { id: 1 }), config).hints).toEqual([]);
  });

  it('ignores stock changes at other locations than the configured one', () => {
    const located = shopify.config.parse({ shop: 'demo', accessToken: 'x', webhookSecret: SECRET, locationId: 'gid://shopify/Location/4' });
    expect(hooks.parse(request('inventory_levels/update', { inventory_item_id: 3, location_id: 4 }), located).hints).toHaveLength(1);
    expect(hooks.parse(request('inventory_levels/update', { inventory_item_id: 3, location_id: 5 }), located).hints).toEqual([]);
  });

  it('falls back to topic + Event-Id without a Webhook-Id, and rejects bodies it cannot read', () => {
    const { ['x-shopify-webhook-id']: _, ...headers } = request('products/create', { id: 1 }).headers;
    expect(hooks.parse({ ...request('products/create', { id: 1 }), headers }, config).eventId).toBe('products/create:ev-1');
    expect(() => hooks.parse(request('products/update', { title: 'no id' }), config)).toThrow(/products\/update webhook body: id/);
    expect(() => hooks.parse({ ...request('orders/create', {}), rawBody: Buffer.from('not json') }, config)).toThrow(/not JSON/);
  });
});

describe('webhooks delivered by the simulator', () => {
  it('verifies and parses real deliveries (stock change after a write, order placed)', async () => {
    const receiver = await webhookReceiver();
    const env = await startSim({ webhookUrl: receiver.url });
    try {
      const page = await shopify.capabilities.catalog!.read!.list(env.t.ctx, undefined);
      const mug = page.items.flatMap((p) => p.variants).find((v) => v.sku === 'MUG-1')!;
      await shopify.capabilities.stock!.write!.set(env.t.ctx, [{ sku: 'MUG-1', externalId: mug.externalId, productExternalId: undefined, available: 9, expected: 3 }]);
      const order = await env.admin('/orders', { lineItems: [{ sku: 'MUG-1', quantity: 1 }] });
      await env.sim.flushWebhooks();

      const parsed = receiver.received.map((r) => {
        const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
        const req: WebhookRequest = { method: 'POST', headers, query: {}, rawBody: Buffer.from(r.raw) };
        expect(hooks.verify(req, config, new Date())).toEqual({ ok: true });
        return { topic: headers['x-shopify-topic'], ...hooks.parse(req, config) };
      });
      expect(parsed.every((p) => typeof p.eventId === 'string' && p.eventId.length > 0)).toBe(true);
      expect(parsed.find((p) => p.topic === 'orders/create')!.hints).toEqual([{ kind: 'order', externalId: order.id }]);
      const stockHint = parsed.find((p) => p.topic === 'inventory_levels/update')!.hints[0]!;
      // The hint names the inventory item; stock.read hydrates it directly.
      const [read] = await shopify.capabilities.stock!.read!.get(env.t.ctx, [{ sku: 'MUG-1', externalId: (stockHint as { externalId: string }).externalId }]);
      expect(read!.available).toBe(8);
    } finally {
      await env.close();
      await receiver.close();
    }
  });
});
