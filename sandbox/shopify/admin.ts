import { Hono } from 'hono';
import { deliveryPolicySchema, type WebhookSender } from '../common/webhooks.ts';
import type { LeakyBucket } from '../common/rate-limit.ts';
import type { ShopContext } from './context.ts';
import { cancelOrder, createOrder, orderInputSchema } from './orders.ts';
import { parseGid } from './store.ts';
import { orderPayload } from './webhook-payloads.ts';

/**
 * Shopify-specific admin routes, mounted under `/__sandbox` (no channel auth, never faulted or rate-limited):
 * - `POST /orders`              body: OrderInput → 201 `{ id, order }` (REST shape); fires orders/create
 * - `POST /orders/:id/cancel`   restocks and fires orders/updated
 * - `GET|PUT /webhooks/policy`  delivery policy (duplicates, reordering, delay, retries)
 * - `GET /webhooks/deliveries`  delivery log;  `POST /webhooks/flush` waits for every pending delivery
 * - `POST /rate-limit/empty`    empties the cost bucket (to test THROTTLED handling)
 */
export function adminRoutes(deps: { newContext: () => ShopContext; sender: WebhookSender; bucket: LeakyBucket }): Hono {
  const admin = new Hono();
  admin.post('/orders', async (c) => {
    const parsed = orderInputSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ ok: false, error: parsed.error.issues }, 400);
    const ctx = deps.newContext();
    try {
      const order = createOrder(ctx, parsed.data);
      return c.json({ id: `gid://shopify/Order/${order.id}`, order: orderPayload(ctx.store, order) }, 201);
    } catch (err) {
      return c.json({ ok: false, error: (err as Error).message }, 400);
    }
  });
  admin.post('/orders/:id/cancel', (c) => {
    const ctx = deps.newContext();
    const raw = c.req.param('id');
    const id = parseGid(raw, 'Order') ?? Number(raw);
    const order = ctx.store.orders.get(id);
    if (!order) return c.json({ ok: false, error: `order ${raw} not found` }, 404);
    cancelOrder(ctx, order);
    return c.json({ order: orderPayload(ctx.store, order) });
  });
  admin.get('/webhooks/policy', (c) => c.json(deps.sender.getPolicy()));
  admin.put('/webhooks/policy', async (c) => {
    const parsed = deliveryPolicySchema.partial().safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ ok: false, error: parsed.error.issues }, 400);
    return c.json(deps.sender.setPolicy(parsed.data));
  });
  admin.get('/webhooks/deliveries', (c) => c.json(deps.sender.log));
  admin.post('/webhooks/flush', async (c) => {
    await deps.sender.drain();
    return c.json({ ok: true, delivered: deps.sender.log.length });
  });
  admin.post('/rate-limit/empty', (c) => {
    deps.bucket.tryTake(Math.floor(deps.bucket.current()));
    return c.json({ currentlyAvailable: Math.floor(deps.bucket.current()) });
  });
  return admin;
}
