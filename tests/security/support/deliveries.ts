import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specsDir } from '../../../sandbox/common/specs.ts';

/**
 * Correctly signed webhook deliveries for each channel with webhooks, as the channel sends them (headers, raw
 * body), built from the documented samples in shared/specs/samples. Tests tamper with them to prove rejection.
 */
export interface Delivery {
  connection: string;
  headers: Record<string, string>;
  body: string;
}

export const IDS = { pageId: '1234567890', psid: '24012345678901234', wabaId: '102290129340398', phoneNumberId: '106540352242922' } as const;

export const shopifySign = (body: string, secret: string) => createHmac('sha256', secret).update(body, 'utf8').digest('base64');
export const metaSign = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

/** The documented products/update payload (abridged in the sample), with a product id of our choosing. */
export function shopifyProductUpdate(secret: string, productId: number, options: { triggeredAt?: Date; webhookId?: string } = {}): Delivery {
  const sample = JSON.parse(readFileSync(join(specsDir(), 'samples/shopify/webhook-products-update.docs-abridged.json'), 'utf8'));
  const body = JSON.stringify({ ...sample, id: productId, admin_graphql_api_id: `gid://shopify/Product/${productId}` });
  return {
    connection: 'shopify',
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'products/update',
      'x-shopify-hmac-sha256': shopifySign(body, secret),
      'x-shopify-shop-domain': 'omnihub-sandbox.myshopify.com',
      'x-shopify-api-version': '2026-04',
      'x-shopify-webhook-id': options.webhookId ?? randomUUID(),
      'x-shopify-event-id': randomUUID(),
      'x-shopify-triggered-at': (options.triggeredAt ?? new Date()).toISOString(),
    },
  };
}

/** Meta's documented Messenger text-message event, in the Page envelope, with a message id of our choosing. */
export function messengerText(secret: string, mid: string, text = 'hello, world!'): Delivery {
  const raw = readFileSync(join(specsDir(), 'samples/messenger/webhook-event-message-text.json'), 'utf8');
  const event = JSON.parse(raw.replaceAll('<PSID>', IDS.psid).replaceAll('<PAGE_ID>', IDS.pageId).replaceAll('<DEVELOPER_DEFINED_PAYLOAD>', 'SIZE_M'));
  event.message = { ...event.message, mid, text };
  const body = JSON.stringify({ object: 'page', entry: [{ id: IDS.pageId, time: Date.now(), messaging: [event] }] });
  return { connection: 'messenger', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSign(body, secret) } };
}

/** A WhatsApp Cloud API inbound text message (docs §4 shape), with a wamid of our choosing. */
export function whatsappText(secret: string, wamid: string, text = 'Czy jest rozmiar M?'): Delivery {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: IDS.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: IDS.phoneNumberId },
              contacts: [{ profile: { name: 'Łucja' }, wa_id: '48600100200' }],
              messages: [{ from: '48600100200', id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
  return { connection: 'whatsapp', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSign(body, secret) } };
}
