import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, messengerText, metaSign, shopifyProductUpdate, shopifySign, whatsappText } from './support/deliveries.ts';
import { SECRETS, type SecurityHub, startSecurityHub } from './support/hub.ts';

/**
 * Issue #11, hostile input: every webhook endpoint of every connector with webhooks (Shopify, Messenger, WhatsApp)
 * answers a forged, unsigned, mis-signed or stale delivery with 401 — through the HTTP server of a running hub
 * (startHub: workers, engine, real PostgreSQL) — stores nothing for it, logs why, and never echoes a secret.
 */
let h: SecurityHub;

beforeAll(async () => {
  h = await startSecurityHub();
  await h.settle();
});
afterAll(async () => h?.close());

const post = async (d: Delivery) => {
  const res = await fetch(`${h.url}/webhooks/${d.connection}`, { method: 'POST', headers: d.headers, body: d.body });
  return { status: res.status, text: await res.text() };
};
const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
const allSecrets = Object.values(SECRETS);

interface Channel {
  connection: string;
  signatureHeader: string;
  secret: string;
  valid(id: string): Delivery;
  sign(body: string, secret: string): string;
}

const channels: Channel[] = [
  { connection: 'shopify', signatureHeader: 'x-shopify-hmac-sha256', secret: SECRETS.shopifyWebhook, valid: (id) => shopifyProductUpdate(SECRETS.shopifyWebhook, 700_000 + Number(id.replace(/\D/g, '').slice(-5) || 1)), sign: shopifySign },
  { connection: 'messenger', signatureHeader: 'x-hub-signature-256', secret: SECRETS.messengerApp, valid: (id) => messengerText(SECRETS.messengerApp, `m_${id}`), sign: metaSign },
  { connection: 'whatsapp', signatureHeader: 'x-hub-signature-256', secret: SECRETS.whatsappApp, valid: (id) => whatsappText(SECRETS.whatsappApp, `wamid.${id}`), sign: metaSign },
];

/** Tampered versions of a valid delivery, each of which must be refused. */
function forgeries(ch: Channel, valid: Delivery, other: Delivery): Record<string, Delivery> {
  const sig = valid.headers[ch.signatureHeader]!;
  const tamperedBody = valid.body.replace(/"id":\s*"?(\w)/, (m, c: string) => m.replace(c, c === '9' ? '8' : '9'));
  return {
    'no signature header': { ...valid, headers: without(valid.headers, ch.signatureHeader) },
    'an empty signature': { ...valid, headers: { ...valid.headers, [ch.signatureHeader]: '' } },
    'signed with another key': { ...valid, headers: { ...valid.headers, [ch.signatureHeader]: ch.sign(valid.body, 'not-the-app-secret') } },
    'a captured signature replayed on a tampered body': { ...valid, body: tamperedBody },
    'another delivery’s signature replayed on this body': { ...valid, headers: { ...valid.headers, [ch.signatureHeader]: other.headers[ch.signatureHeader]! } },
    'a truncated signature': { ...valid, headers: { ...valid.headers, [ch.signatureHeader]: sig.slice(0, -4) } },
    'a signature of garbage': { ...valid, headers: { ...valid.headers, [ch.signatureHeader]: 'x'.repeat(sig.length) } },
    'the body re-serialised (same JSON, other bytes)': { ...valid, body: JSON.stringify(JSON.parse(valid.body), null, 2) },
  };
}

describe.each(channels)('POST /webhooks/$connection', (ch) => {
  it('refuses forged, unsigned and mis-signed deliveries with 401, stores nothing and logs the reason', async () => {
    const valid = ch.valid(`${Date.now()}1`);
    const other = ch.valid(`${Date.now()}2`);
    const before = await h.tableCounts();
    const logsBefore = h.logs.length;
    const cases = Object.entries(forgeries(ch, valid, other));
    for (const [label, forged] of cases) {
      const res = await post(forged);
      expect(res.status, label).toBe(401);
      expect(JSON.parse(res.text).error, label).toMatch(/^signature rejected: /);
      for (const s of allSecrets) expect(res.text, label).not.toContain(s);
    }
    expect(await h.tableCounts()).toEqual(before);
    const rejected = h.logs.slice(logsBefore).filter((l) => l.msg === 'webhook rejected' && l.connection === ch.connection);
    expect(rejected).toHaveLength(cases.length);
    for (const line of rejected) expect(String(line.reason)).toMatch(/missing|does not match|not in the form/);
    for (const s of allSecrets) expect(JSON.stringify(h.logs)).not.toContain(s);
  });

  it('accepts the correctly signed delivery once; an exact replay is acknowledged as a duplicate and stores nothing more', async () => {
    const valid = ch.valid(`${Date.now()}3`);
    const first = await post(valid);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ ok: true, hints: 1 });
    await h.settle();
    const stored = await h.tableCounts();
    expect(stored.inbound_events).toBeGreaterThan(0);
    const replay = await post(valid);
    // A channel retries until it gets a 2xx, so the replay is acknowledged — and recognised by its event id.
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.text)).toEqual({ ok: true, duplicate: true });
    await h.settle();
    expect(await h.tableCounts()).toEqual(stored);
  });
});

describe('stale and forged timestamps (Shopify sends X-Shopify-Triggered-At)', () => {
  it('refuses a correctly signed delivery triggered more than 6 hours ago, in the future, or with an unreadable timestamp', async () => {
    const before = await h.tableCounts();
    const stale = shopifyProductUpdate(SECRETS.shopifyWebhook, 810_001, { triggeredAt: new Date(Date.now() - 7 * 3600_000) });
    const future = shopifyProductUpdate(SECRETS.shopifyWebhook, 810_002, { triggeredAt: new Date(Date.now() + 3600_000) });
    const garbage = shopifyProductUpdate(SECRETS.shopifyWebhook, 810_003);
    garbage.headers['x-shopify-triggered-at'] = 'yesterday-ish';
    for (const [d, reason] of [[stale, /more than 6 hours old/], [future, /in the future/], [garbage, /not a timestamp/]] as const) {
      const res = await post(d);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).error).toMatch(reason);
    }
    expect(await h.tableCounts()).toEqual(before);
    // A retry inside Shopify's 4-hour retry window is still accepted.
    const retry = await post(shopifyProductUpdate(SECRETS.shopifyWebhook, 810_004, { triggeredAt: new Date(Date.now() - 3 * 3600_000) }));
    expect(retry.status).toBe(200);
    await h.settle();
  });
});

describe('the rest of the ingress surface', () => {
  it('answers the Meta subscription handshake only with the right verify token, and never echoes a secret', async () => {
    for (const [connection, token] of [['messenger', SECRETS.messengerVerify], ['whatsapp', SECRETS.whatsappVerify]] as const) {
      const ok = await fetch(`${h.url}/webhooks/${connection}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('1158201444');
      const wrong = await fetch(`${h.url}/webhooks/${connection}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
      expect(wrong.status).toBe(403);
      const text = await wrong.text();
      for (const s of allSecrets) expect(text).not.toContain(s);
    }
  });

  it('refuses unknown connections (404) and other methods (405) without storing anything', async () => {
    const before = await h.tableCounts();
    const valid = shopifyProductUpdate(SECRETS.shopifyWebhook, 820_001);
    expect((await post({ ...valid, connection: 'nope' })).status).toBe(404);
    expect((await fetch(`${h.url}/webhooks/shopify`, { method: 'PUT', headers: valid.headers, body: valid.body })).status).toBe(405);
    expect((await fetch(`${h.url}/webhooks/shopify`)).status).toBe(405);
    expect(await h.tableCounts()).toEqual(before);
  });
});
