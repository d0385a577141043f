import { createHmac, randomUUID } from 'node:crypto';
import type { WebhookSender } from '../common/webhooks.ts';
import { SCHEMA_VERSION } from './schema.ts';

/** Topics the simulator fires, in Shopify's header form. */
export const WEBHOOK_TOPICS = [
  'products/create',
  'products/update',
  'products/delete',
  'inventory_levels/update',
  'orders/create',
  'orders/updated',
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

/** GraphQL enum form (`PRODUCTS_UPDATE`) ↔ header form (`products/update`). */
export const topicFromEnum = (value: string): string => value.toLowerCase().replace(/_(?=[^_]*$)/, '/');

export interface WebhookTarget {
  topic: string;
  uri: string;
}

/** base64(HMAC-SHA256(raw body, app client secret)): what `X-Shopify-Hmac-Sha256` carries. */
export function signWebhook(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

/**
 * Turns state changes into deliveries: one per matching subscription, with the headers a classic Shopify webhook
 * carries. Retries and duplicates reuse the same `X-Shopify-Webhook-Id` (it is the delivery's idempotency key);
 * `X-Shopify-Event-Id` names the underlying event, shared by every subscription's delivery of it.
 */
export class ShopWebhooks {
  constructor(
    private readonly sender: WebhookSender,
    private readonly targets: () => WebhookTarget[],
    private readonly secret: string,
    private readonly shopDomain: string,
    private readonly now: () => number,
  ) {}

  fire(topic: WebhookTopic, payload: Record<string, unknown>): void {
    const body = JSON.stringify(payload);
    const eventId = randomUUID();
    const triggeredAt = new Date(this.now()).toISOString();
    for (const target of this.targets()) {
      if (target.topic !== topic) continue;
      this.sender.send({
        url: target.uri,
        body,
        headers: {
          'Content-Type': 'application/json',
          'X-Shopify-Topic': topic,
          'X-Shopify-Hmac-Sha256': signWebhook(body, this.secret),
          'X-Shopify-Shop-Domain': this.shopDomain,
          'X-Shopify-API-Version': SCHEMA_VERSION,
          'X-Shopify-Webhook-Id': randomUUID(),
          'X-Shopify-Event-Id': eventId,
          'X-Shopify-Triggered-At': triggeredAt,
        },
      });
    }
  }
}
