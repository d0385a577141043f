import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storable } from '../../core/http/storable.ts';
import { hintKey } from '../../core/sync/intake.ts';
import type { WebhookRequest } from '../../core/sdk/webhooks.ts';
import { specsDir } from '../../sandbox/common/specs.ts';
import { IDS } from '../security/support/deliveries.ts';
import { SECRETS } from '../security/support/hub.ts';
import { damage, type Json, mutate, mutations, serialise } from './support/mutate.ts';
import { BODY_LIMIT, type Ingress, startIngress } from './support/ingress.ts';

/**
 * Issue #11: malformed, oversized, truncated and type-confused payloads at every webhook ingress, most of them
 * correctly signed so they reach the parser. Every answer is 200, 400 (body not understood), 401 (signature) or
 * 413 (too large) — never a 5xx — each refusal is logged with its reason, no reason is a JavaScript runtime error
 * (a TypeError means a parser trusted the shape), and the database holds exactly what the accepted deliveries
 * say: their event ids and their hints, nothing from a refused one.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const CRASH = /Cannot read propert|is not a function|is not iterable|undefined is not|Maximum call stack|Cannot convert|of undefined|of null/;

let ingress: Ingress;
beforeAll(async () => {
  ingress = await startIngress();
});
afterAll(async () => ingress?.close());

const sample = (file: string) =>
  JSON.parse(
    readFileSync(join(specsDir(), 'samples/messenger', file), 'utf8').replaceAll('<PSID>', IDS.psid).replaceAll('<PAGE_ID>', IDS.pageId).replaceAll('<DEVELOPER_DEFINED_PAYLOAD>', 'SIZE_M').replaceAll('<ATTACHMENT_URL>', 'https://cdn.example/a.jpg').replace('<image|video|audio|file|reel|ig_reel>', 'image'),
  ) as Json;

const messengerSamples: Json[] = [
  { object: 'page', entry: [{ id: IDS.pageId, time: 1458692752478, messaging: [sample('webhook-event-message-text.json')] }] },
  { object: 'page', entry: [sample('webhook-entry-message-attachment.json')] },
  { object: 'page', entry: [{ id: IDS.pageId, time: 1458692752478, messaging: [sample('webhook-event-message-delivery.json'), sample('webhook-event-message-read.json')] }] },
  { object: 'page', entry: [{ id: IDS.pageId, time: 1458692752478, messaging: [sample('webhook-event-message-reply.json')] }] },
];

const waValue = (extra: Record<string, Json>): Json => ({
  object: 'whatsapp_business_account',
  entry: [{ id: IDS.wabaId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: IDS.phoneNumberId }, ...extra } }] }],
});
const whatsappSamples: Json[] = [
  waValue({ contacts: [{ profile: { name: 'Łucja' }, wa_id: '48600100200' }], messages: [{ from: '48600100200', id: 'wamid.T1', timestamp: '1749416383', type: 'text', text: { body: 'Czy jest M?' } }] }),
  waValue({ contacts: [{ profile: { name: 'Ola' }, wa_id: '48600100201', user_id: 'PL.9' }], messages: [{ from: '48600100201', id: 'wamid.I1', timestamp: '1749416384', type: 'image', image: { id: 'media-1', mime_type: 'image/jpeg', caption: 'ten' } }] }),
  waValue({ statuses: [{ id: 'wamid.S1', status: 'failed', timestamp: '1749416385', recipient_id: '48600100200', errors: [{ code: 131047, title: 'Re-engagement message' }] }] }),
  {
    object: 'whatsapp_business_account',
    entry: [{ id: IDS.wabaId, changes: [{ field: 'smb_message_echoes', value: { metadata: { phone_number_id: IDS.phoneNumberId }, message_echoes: [{ from: '15550783881', to: '48600100200', id: 'wamid.E1', timestamp: '1749416386', type: 'text', text: { body: 'Tak' } }] } }] }],
  },
];

const shopifySamples: Array<{ topic: string; body: Json }> = [
  { topic: 'products/update', body: JSON.parse(readFileSync(join(specsDir(), 'samples/shopify/webhook-products-update.docs-abridged.json'), 'utf8')) },
  { topic: 'products/delete', body: { id: 788032119674292900 } },
  { topic: 'inventory_levels/update', body: { inventory_item_id: 271878346596884000, location_id: 24826418, available: 6, updated_at: '2026-01-01T00:00:00Z' } },
  { topic: 'orders/create', body: { id: 820982911946154500, admin_graphql_api_id: 'gid://shopify/Order/820982911946154508', line_items: [{ sku: 'KUB-001', quantity: 2 }] } },
];

/** A body: a mutated sample (most), any JSON, raw bytes, deep nesting, or more than the body limit. */
function bodies(samples: Json[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...samples), mutations, damage).map(([s, m, d]) => serialise(mutate(s, m), d)) },
    { weight: 3, arbitrary: fc.constantFrom(...samples).map((s) => Buffer.from(JSON.stringify(s))) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => Buffer.from(`${'['.repeat(Math.min(n, BODY_LIMIT / 2))}1${']'.repeat(Math.min(n, BODY_LIMIT / 2))}`)) },
    { weight: 1, arbitrary: fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 }).map((n) => Buffer.alloc(n, 0x7b)) },
  );
}

type Signing = 'right' | 'wrong' | 'none';
const signing = fc.constantFrom<Signing>('right', 'right', 'right', 'right', 'wrong', 'none');

interface Outcome {
  req: WebhookRequest;
  status: number;
  body: { ok?: boolean; duplicate?: boolean; hints?: number; error?: string };
}

async function send(connection: string, headers: Record<string, string>, body: Buffer): Promise<Outcome> {
  const res = await ingress.app.request(`/webhooks/${connection}`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: Outcome['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${connection}: answer ${res.status} is not JSON: ${text.slice(0, 200)}`);
  }
  // As the server saw them: the Headers class lower-cases names and trims values.
  const lower = Object.fromEntries(new Headers(headers).entries());
  return { req: { method: 'POST', headers: lower, query: {}, rawBody: body }, status: res.status, body: parsed };
}

/** Runs the property, then accounts for every row the ingress stored, in two queries. */
async function fuzz(connection: string, delivery: fc.Arbitrary<{ headers: Record<string, string>; body: Buffer }>) {
  const outcomes: Outcome[] = [];
  const timing: Record<number, number[]> = {};
  const logsBefore = ingress.logs.length;
  await fc.assert(
    fc.asyncProperty(delivery, async ({ headers, body }) => {
      const t0 = performance.now();
      const outcome = await send(connection, headers, body);
      (timing[outcome.status] ??= []).push(performance.now() - t0);
      outcomes.push(outcome);
      expect([200, 400, 401, 413], JSON.stringify(outcome.body)).toContain(outcome.status);
      if (outcome.status === 400) expect(outcome.body.error).toMatch(/^body not understood: .+/);
      if (outcome.status !== 200) expect(outcome.body.error ?? '', 'a refusal that reads like a crash').not.toMatch(CRASH);
      for (const s of Object.values(SECRETS)) expect(JSON.stringify(outcome.body)).not.toContain(s);
    }),
    { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
  );

  if (process.env.FUZZ_TIMING) console.log(Object.entries(timing).map(([k, v]) => `${k}: n=${v.length} total=${v.reduce((a, b) => a + b, 0).toFixed(0)}ms`).join('; '));
  const by = (s: number) => outcomes.filter((o) => o.status === s);
  const logs = ingress.logs.slice(logsBefore).filter((l) => l.connection === connection);
  // Every refusal is logged with its reason; nothing reached the generic error handler.
  expect(logs.filter((l) => l.msg === 'webhook body not understood').map((l) => l.reason)).toHaveLength(by(400).length);
  expect(logs.filter((l) => l.msg === 'webhook rejected').map((l) => l.reason)).toHaveLength(by(401).length);
  for (const l of logs.filter((l) => Number(l.level) >= 40)) expect(String(l.reason ?? '')).toMatch(/\S/);
  expect(ingress.logs.slice(logsBefore).filter((l) => l.msg === 'unhandled error in HTTP handler')).toEqual([]);

  // What the accepted deliveries say must be stored — exactly that, and nothing from the refused ones.
  const hooks = ingress.engine.connection(connection)!.def.webhooks!;
  const config = ingress.engine.connection(connection)!.ctx.config;
  const events = new Set<string>();
  const keys = new Set<string>();
  for (const o of by(200)) {
    const parsed = storable(hooks.parse(o.req, config));
    if (parsed.eventId) events.add(parsed.eventId);
    if (!o.body.duplicate) for (const h of parsed.hints) keys.add(`${h.kind}/${hintKey(h)}`);
  }
  const stored = await ingress.db.query<{ event_id: string }>('SELECT event_id FROM inbound_events WHERE connection = $1', [connection]);
  expect(new Set(stored.rows.map((r) => r.event_id))).toEqual(events);
  const requests = await ingress.db.query<{ k: string }>("SELECT entity_kind || '/' || entity_id AS k FROM sync_requests WHERE connection = $1", [connection]);
  expect(new Set(requests.rows.map((r) => r.k))).toEqual(keys);
  // The run exercised every outcome, so the assertions above were not vacuous.
  for (const s of [200, 400, 401, 413]) expect(by(s).length, `answers ${s}`).toBeGreaterThan(0);
  console.log(`${connection}: ${outcomes.length} cases — ${[200, 400, 401, 413].map((s) => `${s}: ${by(s).length}`).join(', ')}; ${events.size} events and ${keys.size} requests stored`);
}

let seq = 0;
describe(`webhook ingress fuzz (${RUNS} cases per ingress)`, () => {
  it('Shopify', async () => {
    const topics = fc.oneof(fc.constantFrom('products/create', 'products/update', 'products/delete', 'inventory_levels/update', 'orders/create', 'orders/updated', 'orders/cancelled', 'app/uninstalled'), fc.string({ maxLength: 30 }));
    const delivery = fc
      .record({
        body: bodies(shopifySamples.map((s) => s.body)),
        topic: topics,
        sign: signing,
        webhookId: fc.oneof(fc.constant(undefined), fc.constant('same-delivery'), fc.string({ maxLength: 60 }), fc.constant('')),
        triggeredAt: fc.oneof({ weight: 8, arbitrary: fc.constant('now') }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }),
      })
      .map(({ body, topic, sign, webhookId, triggeredAt }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-shopify-topic': topic.replace(/[^\x20-\x7e]/g, '') };
        if (sign !== 'none') headers['x-shopify-hmac-sha256'] = signRaw(body, sign === 'right' ? SECRETS.shopifyWebhook : 'wrong');
        headers['x-shopify-webhook-id'] = (webhookId ?? `wh-${seq++}`).replace(/[^\x20-\x7e]/g, '');
        headers['x-shopify-triggered-at'] = triggeredAt === 'now' ? new Date().toISOString() : triggeredAt.replace(/[^\x20-\x7e]/g, '');
        return { headers, body };
      });
    await fuzz('shopify', delivery);
  }, 600_000);

  for (const [connection, samples, secret] of [
    ['messenger', messengerSamples, SECRETS.messengerApp],
    ['whatsapp', whatsappSamples, SECRETS.whatsappApp],
  ] as const) {
    it(connection === 'messenger' ? 'Messenger' : 'WhatsApp', async () => {
      const delivery = fc.record({ body: bodies(samples), sign: signing }).map(({ body, sign }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (sign !== 'none') headers['x-hub-signature-256'] = `sha256=${signRaw(body, sign === 'right' ? secret : 'wrong', 'hex')}`;
        return { headers, body };
      });
      await fuzz(connection, delivery);
    }, 600_000);
  }
});

/** HMAC over the raw bytes (the fuzzed body need not be UTF-8). */
function signRaw(body: Buffer, secret: string, encoding: 'base64' | 'hex' = 'base64'): string {
  return createHmac('sha256', secret).update(body).digest(encoding);
}

describe('regressions found by fuzzing the ingress', () => {
  const deliver = (payload: unknown) => {
    const body = Buffer.from(JSON.stringify(payload));
    return send('messenger', { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signRaw(body, SECRETS.messengerApp, 'hex')}` }, body);
  };
  const textEvent = (mid: string, text: string) => ({
    object: 'page',
    entry: [{ id: IDS.pageId, time: 1, messaging: [{ sender: { id: IDS.psid }, recipient: { id: IDS.pageId }, timestamp: 1, message: { mid, text } }] }],
  });

  it('a signed message whose id or text holds U+0000 or an unpaired surrogate is stored (marked U+FFFD), not answered 500', async () => {
    // Was: PostgreSQL refused the row ("invalid byte sequence" / "unsupported Unicode escape"), the ingress answered 500.
    const nul = await deliver(textEvent('m_nul\u0000x', 'a\u0000b'));
    expect(nul).toMatchObject({ status: 200, body: { ok: true, hints: 1 } });
    const surrogate = await deliver(textEvent('m_surrogate', 'broken \ud83d emoji'));
    expect(surrogate).toMatchObject({ status: 200, body: { ok: true, hints: 1 } });
    const stored = await ingress.db.query<{ event_id: string }>("SELECT event_id FROM inbound_events WHERE connection = 'messenger' AND event_id IN ('m_nul\uFFFDx', 'm_surrogate')");
    expect(stored.rows.map((r) => r.event_id).sort()).toEqual(['m_nul\uFFFDx', 'm_surrogate']);
    const payload = await ingress.db.query<{ text: string }>(
      "SELECT payload->'snapshot'->'messages'->0->>'text' AS text FROM sync_requests WHERE connection = 'messenger' AND entity_id LIKE '%m_surrogate'",
    );
    expect(payload.rows).toEqual([{ text: 'broken \uFFFD emoji' }]);
  });

  it('a signed message with an id longer than any channel uses is refused with 400 and the reason, not 500', async () => {
    // Was: "index row size exceeds btree version 4 maximum" on sync_requests' key, answered 500.
    const longId = randomBytes(2400).toString('base64'); // random, so PostgreSQL cannot compress the index entry
    const res = await deliver(textEvent(longId, 'hi'));
    expect(res).toMatchObject({ status: 400, body: { error: 'body not understood: event id is longer than 1024 characters' } });
  });
});
