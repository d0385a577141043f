import { hmac, safeEqual, type Secret, type Verification, type WebhookRequest } from '../../core/sdk/index.ts';

/**
 * Meta's webhook security (docs §3): the `hub.*` subscription handshake, and `X-Hub-Signature-256: sha256=<hex>`,
 * the lowercase-hex HMAC-SHA256 of the raw body keyed with the App Secret. The raw bytes are used as received:
 * Meta signs its `\uXXXX`-escaped JSON, so a re-serialised body would not match.
 */
export function answerHandshake(req: WebhookRequest, verifyToken: Secret): { status: number; body: string } | undefined {
  if (req.method.toUpperCase() !== 'GET' || req.query['hub.mode'] === undefined) return undefined;
  const challenge = req.query['hub.challenge'];
  const ok = req.query['hub.mode'] === 'subscribe' && safeEqual(req.query['hub.verify_token'], verifyToken.reveal()) && challenge !== undefined;
  return ok ? { status: 200, body: challenge } : { status: 403, body: 'verify token mismatch' };
}

export function verifySignature(req: WebhookRequest, appSecret: Secret): Verification {
  const header = req.headers['x-hub-signature-256'];
  if (!header) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  if (!header.startsWith('sha256=')) return { ok: false, reason: 'X-Hub-Signature-256 is not in the form sha256=<hex>' };
  const expected = hmac('sha256', appSecret.reveal(), req.rawBody, 'hex');
  return safeEqual(header.slice('sha256='.length).toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
}
