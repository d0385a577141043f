import { createHmac } from 'node:crypto';
import { WebhookSender } from '../common/webhooks.ts';

/**
 * Meta's webhook deliveries: a JSON body whose non-ASCII characters are `\uXXXX`-escaped (Meta signs that escaped
 * form, so a hub that re-serialises the parsed body before verifying will fail on "Lucía"), signed with the App
 * Secret as `X-Hub-Signature-256: sha256=<lowercase hex>` (plus the legacy `X-Hub-Signature: sha1=…`).
 */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function signatureHeaders(body: string, appSecret: string): Record<string, string> {
  return {
    'X-Hub-Signature-256': `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`,
    'X-Hub-Signature': `sha1=${createHmac('sha1', appSecret).update(body, 'utf8').digest('hex')}`,
  };
}

export type WebhookObject = 'page' | 'whatsapp_business_account';

export interface WebhookUrls {
  page?: string;
  whatsapp_business_account?: string;
}

/** A delivery the simulator made (or would have made, when no hub URL is configured), kept for tests and state. */
export interface EmittedWebhook {
  object: WebhookObject;
  body: string;
  payload: unknown;
  delivered: boolean;
}

export class MetaWebhooks {
  readonly sender: WebhookSender;
  readonly emitted: EmittedWebhook[] = [];

  constructor(
    private readonly appSecret: string,
    public urls: WebhookUrls,
  ) {
    this.sender = new WebhookSender();
  }

  emit(object: WebhookObject, payload: unknown): EmittedWebhook {
    const body = metaJson(payload);
    const url = this.urls[object];
    const record: EmittedWebhook = { object, body, payload, delivered: Boolean(url) };
    this.emitted.push(record);
    if (url) {
      this.sender.send({
        url,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          ...signatureHeaders(body, this.appSecret),
        },
      });
    }
    return record;
  }

  reset(): void {
    this.emitted.length = 0;
    this.sender.log.length = 0;
  }
}

/**
 * Performs the subscription handshake against the hub as Meta does it: `GET <callback>?hub.mode=subscribe&
 * hub.verify_token=…&hub.challenge=…`, and checks the hub answered 200 with the raw challenge.
 */
export async function verifySubscription(
  url: string,
  verifyToken: string,
): Promise<{ ok: boolean; status: number | 'network-error'; challenge: string; echoed: string }> {
  const challenge = String(Math.floor(Math.random() * 1e9));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.verify_token', verifyToken);
  target.searchParams.set('hub.challenge', challenge);
  try {
    const res = await fetch(target, { method: 'GET' });
    const echoed = await res.text();
    return { ok: res.status === 200 && echoed === challenge, status: res.status, challenge, echoed };
  } catch {
    return { ok: false, status: 'network-error', challenge, echoed: '' };
  }
}
