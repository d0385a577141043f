import { z } from 'zod';
import { hmac, safeEqual, type Hint, type Verification, type WebhookRequest, type Webhooks } from '../../core/sdk/index.ts';
import type { ShopifyConfig } from './config.ts';

/**
 * Shopify webhooks. Classic deliveries use `X-Shopify-*` headers; the newer "Events" deliveries use the same
 * names without the `X-` prefix (shopify-app-js `ShopifyEventsHeader`), so both are read.
 *
 * Signature: base64(HMAC-SHA256(raw body, app secret)) in `X-Shopify-Hmac-Sha256`, compared in constant time
 * before any parsing. The key is `webhookSecret`, or `clientSecret` for client-credentials apps (same secret).
 *
 * Event id: `X-Shopify-Webhook-Id`. It is the delivery's id, identical on every retry of that delivery, which is
 * what durable dedup needs; shopify.dev "Verify webhook deliveries" and shopify-api 13.1 name it the idempotency
 * key. `X-Shopify-Event-Id` is shared by every delivery an event fans out to, possibly across topics, so deduping on
 * it alone could drop a topic's hints; it is used (with the topic) only when the Webhook-Id header is missing.
 */
const header = (req: WebhookRequest, name: string): string | undefined => req.headers[`x-shopify-${name}`] ?? req.headers[`shopify-${name}`];

function secretOf(config: ShopifyConfig): string | undefined {
  return (config.webhookSecret ?? config.clientSecret)?.reveal();
}

/**
 * Shopify retries a failed delivery for 4 hours with its original headers, so a correctly signed delivery whose
 * X-Shopify-Triggered-At is older than this is a replay, not a retry. Clocks may differ a little the other way.
 */
export const STALE_AFTER_MS = 6 * 60 * 60 * 1000;
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export function verifyWebhook(req: WebhookRequest, config: ShopifyConfig, now: Date = new Date()): Verification {
  const key = secretOf(config);
  if (!key) return { ok: false, reason: 'no webhookSecret configured for this connection' };
  const signature = header(req, 'hmac-sha256');
  if (!signature) return { ok: false, reason: 'missing X-Shopify-Hmac-Sha256 header' };
  const expected = hmac('sha256', key, req.rawBody, 'base64');
  if (!safeEqual(signature, expected)) return { ok: false, reason: 'X-Shopify-Hmac-Sha256 does not match the body' };
  // Optional (shopify-app-js) and not covered by the HMAC: it stops stale retries and naive replays, not a forger
  // holding a signed body — that one only makes the hub re-read the channel (hints carry no state).
  const triggered = header(req, 'triggered-at');
  if (triggered === undefined) return { ok: true };
  const at = Date.parse(triggered);
  if (Number.isNaN(at)) return { ok: false, reason: 'X-Shopify-Triggered-At is not a timestamp' };
  if (now.getTime() - at > STALE_AFTER_MS) return { ok: false, reason: `X-Shopify-Triggered-At ${triggered} is more than 6 hours old (a replayed delivery)` };
  if (at - now.getTime() > CLOCK_SKEW_MS) return { ok: false, reason: `X-Shopify-Triggered-At ${triggered} is in the future` };
  return { ok: true };
}

const withId = z.object({ id: z.number().int(), admin_graphql_api_id: z.string().optional() });
const inventoryLevel = z.object({ inventory_item_id: z.number().int(), location_id: z.number().int() });

function gidFrom(body: z.infer<typeof withId>, type: string): string {
  return body.admin_graphql_api_id ?? `gid://shopify/${type}/${body.id}`;
}

export function parseWebhook(req: WebhookRequest, config: ShopifyConfig): { eventId?: string; hints: Hint[] } {
  const topic = header(req, 'topic');
  if (!topic) throw new Error('missing X-Shopify-Topic header');
  const webhookId = header(req, 'webhook-id');
  const eventHeader = header(req, 'event-id');
  const eventId = webhookId ?? (eventHeader ? `${topic}:${eventHeader}` : undefined);
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw new Error(`${topic} webhook body is not JSON`);
  }
  const read = <T>(schema: z.ZodType<T>): T => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new Error(`${topic} webhook body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
    return parsed.data;
  };
  const hints = hintsFor(topic, read, config);
  return { ...(eventId ? { eventId } : {}), hints };
}

function hintsFor(topic: string, read: <T>(schema: z.ZodType<T>) => T, config: ShopifyConfig): Hint[] {
  switch (topic) {
    case 'products/create':
    case 'products/update':
      return [{ kind: 'product', externalId: gidFrom(read(withId), 'Product') }];
    case 'products/delete':
      return [{ kind: 'product', externalId: gidFrom(read(withId), 'Product'), deleted: true }];
    case 'inventory_levels/update': {
      const level = read(inventoryLevel);
      // Only the managed location matters; a change elsewhere does not move what the hub reads.
      if (config.locationId && config.locationId !== `gid://shopify/Location/${level.location_id}`) return [];
      // The payload names the inventory item, not the variant (1:1 on Shopify); stock.read accepts either GID.
      return [{ kind: 'stock', externalId: `gid://shopify/InventoryItem/${level.inventory_item_id}` }];
    }
    case 'orders/create':
    case 'orders/updated':
    case 'orders/cancelled':
      return [{ kind: 'order', externalId: gidFrom(read(withId), 'Order') }];
    default:
      // Subscribed topics we do not act on (app/uninstalled, …) are acknowledged without hints.
      return [];
  }
}

export const shopifyWebhooks: Webhooks<ShopifyConfig> = {
  verify: (req, config, now) => verifyWebhook(req, config, now),
  parse: (req, config) => parseWebhook(req, config),
};
