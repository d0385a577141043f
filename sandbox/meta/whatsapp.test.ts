import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMetaSimulator, type MetaSimulator } from './index.ts';
import { keyPaths, readSamples, startFakeHub, type FakeHub } from './test-support.ts';
import { sendExamples, validateSendMessage, validateStatusValue, withSendDefaults } from './whatsapp-spec.ts';

const TOKEN = 'sandbox-access-token';
const SECRET = 'wa-app-secret';
const V = 'v26.0';
const PHONE_A = '106540352242922';
const PHONE_B = '106540352242999';
const WABA = '419561257915477';
const CUSTOMER = '16505551234';
const HOUR = 3_600_000;

let t = Date.UTC(2026, 10, 2, 9, 0, 0);
let sim: MetaSimulator;
let hub: FakeHub;

const seed = {
  wabas: [
    {
      id: WABA,
      phoneNumbers: [
        { id: PHONE_A, displayPhoneNumber: '15550783881' },
        { id: PHONE_B, displayPhoneNumber: '48500100200', verifiedName: 'Sandbox PL' },
      ],
      templates: [
        { name: 'hello_world', language: 'en_US', category: 'UTILITY' as const },
        { name: 'template-name', language: 'language-and-locale-code', category: 'MARKETING' as const },
        { name: 'summer_sale', language: 'pl', status: 'PAUSED' as const },
      ],
    },
  ],
};

async function send(body: unknown, phone = PHONE_A) {
  const res = await sim.app.request(`/${V}/${phone}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function admin(path: string, body: unknown) {
  const res = await sim.app.request(`/__sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

const customerWrites = (text = 'Hi, is it in stock?', phoneNumberId = PHONE_A, from = CUSTOMER) =>
  admin('/whatsapp/inbound', { phoneNumberId, from, name: 'Sheena Nelson', message: { type: 'text', text: { body: text } } });

/** Status entries emitted for one message id, in order. */
function statusesOf(id: string): any[] {
  return sim.ctx.webhooks.emitted
    .flatMap((e: any) => e.payload.entry?.[0]?.changes?.[0]?.value?.statuses ?? [])
    .filter((s: any) => s.id === id);
}

const textTo = (to: string, body = 'Yes, we have it.') => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body } });

beforeAll(async () => {
  hub = await startFakeHub('vt');
});
afterAll(async () => {
  await hub.close();
});
afterEach(async () => {
  await sim.ctx.webhooks.sender.drain();
});
beforeEach(() => {
  sim = createMetaSimulator({ appSecret: SECRET, now: () => t, webhookUrl: hub.url, verifyToken: 'vt' });
  sim.seed(seed);
  hub.received.length = 0;
});

describe('WhatsApp customer-service window', () => {
  it('accepts a free-form message outside the 24 h window, then fails it with 131047', async () => {
    const r = await send(textTo(CUSTOMER));
    expect(r.status).toBe(200);
    expect(r.json.messages[0].id).toMatch(/^wamid\./);
    const statuses = statusesOf(r.json.messages[0].id);
    expect(statuses.map((s) => s.status)).toEqual(['failed']);
    expect(statuses[0].errors[0]).toMatchObject({ code: 131047, title: 'Re-engagement message' });
  });

  it('delivers a free-form reply inside the window, and fails it again 25 hours later', async () => {
    await customerWrites();
    const inside = await send(textTo(CUSTOMER));
    expect(statusesOf(inside.json.messages[0].id).map((s) => s.status)).toEqual(['sent', 'delivered']);
    t += 25 * HOUR;
    const outside = await send(textTo(CUSTOMER));
    expect(statusesOf(outside.json.messages[0].id)[0].errors[0].code).toBe(131047);
  });

  it('the window is per business number', async () => {
    await customerWrites('hello A', PHONE_A);
    const viaB = await send(textTo(CUSTOMER), PHONE_B);
    expect(statusesOf(viaB.json.messages[0].id)[0].status).toBe('failed');
  });

  it('sends an approved template outside the window; an unknown or paused template is refused with 132001', async () => {
    const ok = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
    expect(ok.status).toBe(200);
    const st = statusesOf(ok.json.messages[0].id);
    expect(st.map((s) => s.status)).toEqual(['sent', 'delivered']);
    expect(st[0].pricing).toEqual({ billable: true, pricing_model: 'PMP', category: 'utility' });
    const paused = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'summer_sale', language: { code: 'pl' } } });
    expect(paused.status).toBe(400);
    expect(paused.json.error.code).toBe(132001);
    const wrongLang = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'hello_world', language: { code: 'pl' } } });
    expect(wrongLang.json.error.code).toBe(132001);
  });
});

describe('WhatsApp request validation against the OpenAPI spec', () => {
  const samples = readSamples('whatsapp', 'request-');

  it.each(Object.keys(samples))('accepts the sample %s', async (file) => {
    const body = JSON.parse(JSON.stringify(samples[file]).replaceAll('{{Recipient-Phone-Number}}', CUSTOMER)) as Record<string, unknown>;
    if ('status' in body) {
      // The read-receipt sample refers to a message the customer sent; let the customer send it first.
      await admin('/whatsapp/inbound', { from: CUSTOMER, id: body.message_id, message: { type: 'text', text: { body: 'hi' } } });
    } else {
      expect(validateSendMessage(withSendDefaults(body))).toEqual([]);
      await customerWrites();
    }
    const r = await send(body);
    expect(r.status).toBe(200);
    if ('status' in body) expect(r.json).toEqual({ success: true });
    else expect(r.json).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: CUSTOMER, wa_id: CUSTOMER }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
  });

  it('the send response has the keys of the documented response sample', async () => {
    await customerWrites();
    const r = await send(textTo(CUSTOMER));
    const sample = readSamples('whatsapp', 'response-send-message')['response-send-message.json'];
    for (const p of keyPaths(sample)) expect(keyPaths(r.json)).toContain(p);
  });

  it("accepts every send example in Meta's spec except the documented placeholders and gaps", async () => {
    // Examples whose values are doc placeholders (not URLs / not a header type), one that omits `type` while
    // sending `interactive`, and the India-only payment messages the spec's schema does not model.
    const expectedRejected = new Set([
      'Send Audio Message by URL', 'Send Document Message by URL', 'Send Image Message by URL', 'Send Video Message by URL',
      'Send Reply to Audio Message by URL', 'Send Reply to Document Message by URL', 'Send Reply to Image Message by URL',
      'Send Reply to Video Message by URL', 'Send Multi-Product Message', 'Send Reply to List Message',
      'Send Order Details Message', 'Send Order Status Message',
    ]);
    const results: Record<string, number> = {};
    for (const [name, example] of Object.entries(sendExamples())) {
      if ('status' in example) continue;
      await customerWrites();
      const body = JSON.parse(JSON.stringify(example).replaceAll('{{Recipient-Phone-Number}}', CUSTOMER).replaceAll('<WHATSAPP_USER_PHONE_NUMBER>', CUSTOMER));
      if (body.type === 'template') {
        sim.seed({ wabas: [{ id: WABA, templates: [{ name: body.template.name, language: body.template.language.code }] }] });
      }
      results[name] = (await send(body)).status;
    }
    for (const [name, status] of Object.entries(results)) expect([name, status]).toEqual([name, expectedRejected.has(name) ? 400 : 200]);
  });

  it('rejects what the spec rejects, with the WhatsApp codes', async () => {
    const missing = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 131008, type: 'OAuthException', error_data: { messaging_product: 'whatsapp' } });
    expect(missing.json.error.fbtrace_id).toEqual(expect.any(String));
    const extra = await send({ ...textTo(CUSTOMER), colour: 'red' });
    expect(extra.json.error.code).toBe(100);
    const badType = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'hologram', hologram: {} });
    expect(badType.json.error.code).toBe(131009);
    const badMedia = await send({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { caption: 'no id nor link' } });
    expect(badMedia.status).toBe(400);
    const noProduct = await send({ to: CUSTOMER, type: 'text', text: { body: 'x' } });
    expect(noProduct.json.error.code).toBe(131008);
    const badTo = await send(textTo('not-a-number'));
    expect(badTo.json.error.code).toBe(131009);
  });

  it('refuses a bad token with Graph code 190 and an unknown phone number id with 100/33', async () => {
    const bad = await sim.app.request(`/${V}/${PHONE_A}/messages`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: JSON.stringify(textTo(CUSTOMER)) });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as any).error.code).toBe(190);
    const unknown = await send(textTo(CUSTOMER), '999');
    expect(unknown.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});

describe('WhatsApp throughput', () => {
  it('answers 130429 when a number exceeds its messages per second', async () => {
    sim = createMetaSimulator({ now: () => t, whatsappThroughputMps: 3 });
    sim.seed(seed);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await send(textTo(`4850010000${i}`))).status);
    expect(codes).toEqual([200, 200, 200, 400]);
    expect((await send(textTo('48500100009'))).json.error.code).toBe(130429);
    t += 1000;
    expect((await send(textTo('48500100009'))).status).toBe(200);
  });

  it('answers 131056 when one user gets more than the pair-rate burst, and recovers after the interval', async () => {
    sim = createMetaSimulator({ now: () => t, pairRateBurst: 2, pairRateIntervalMs: 6000 });
    sim.seed(seed);
    expect((await send(textTo(CUSTOMER))).status).toBe(200);
    expect((await send(textTo(CUSTOMER))).status).toBe(200);
    const third = await send(textTo(CUSTOMER));
    expect(third.json.error.code).toBe(131056);
    expect((await send(textTo('16505550000'))).status).toBe(200);
    t += 6000;
    expect((await send(textTo(CUSTOMER))).status).toBe(200);
  });
});

describe('WhatsApp webhooks', () => {
  const samples = readSamples('whatsapp', 'webhook-');
  /** Keys the simulator adds to the v23 samples: the business-scoped user ids of 2026. */
  const BSUID_KEYS = /(\.user_id|\.from_user_id|\.recipient_user_id)$/;

  it.each(Object.keys(samples))('emits the shape of %s', async (file) => {
    const sample = samples[file] as any;
    const change = sample.entry[0].changes[0];
    const value = change.value;
    let emitted: any;
    if (value.groups) {
      emitted = (await admin('/whatsapp/groups', { phoneNumberId: PHONE_A, field: change.field, groups: value.groups })).json.payload;
    } else {
      const m = value.messages[0];
      const { from, id: _id, timestamp: _ts, ...message } = m;
      const r = await admin('/whatsapp/inbound', { phoneNumberId: PHONE_A, from, name: value.contacts?.[0]?.profile?.name, message });
      expect(r.status).toBe(200);
      emitted = r.json.payload;
    }
    const got = keyPaths(emitted);
    for (const p of keyPaths(sample)) expect(got).toContain(p);
    const extra = [...got].filter((p) => !keyPaths(sample).has(p));
    expect(extra.filter((p) => !BSUID_KEYS.test(p))).toEqual([]);
    expect(emitted.object).toBe('whatsapp_business_account');
    expect(emitted.entry[0].changes[0].field).toBe(change.field);
  });

  it('status webhooks validate against the spec schema and carry the 2026 BSUID next to wa_id', async () => {
    await customerWrites();
    const r = await send(textTo(CUSTOMER));
    const env = sim.ctx.webhooks.emitted.at(-1)!.payload as any;
    const value = env.entry[0].changes[0].value;
    expect(validateStatusValue(value)).toEqual([]);
    expect(value.statuses[0]).toMatchObject({ id: r.json.messages[0].id, status: 'delivered', recipient_id: CUSTOMER, recipient_user_id: expect.stringMatching(/^US\.\d{20}$/) });
    const failed = await send(textTo('16505559999'));
    const fv = (sim.ctx.webhooks.emitted.at(-1)!.payload as any).entry[0].changes[0].value;
    expect(fv.statuses[0].id).toBe(failed.json.messages[0].id);
    expect(validateStatusValue(fv)).toEqual([]);
  });

  it('routes by phone_number_id and signs every delivery with the App Secret', async () => {
    await customerWrites('to A', PHONE_A);
    await customerWrites('do B', PHONE_B, '48600700800');
    await sim.ctx.webhooks.sender.drain();
    expect(hub.received).toHaveLength(2);
    const ids = hub.received.map((w: any) => w.json.entry[0].changes[0].value.metadata.phone_number_id);
    expect(ids.sort()).toEqual([PHONE_A, PHONE_B]);
    for (const w of hub.received) {
      expect(w.json).toMatchObject({ object: 'whatsapp_business_account', entry: [{ id: WABA }] });
      expect(w.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(w.raw).digest('hex')}`);
    }
    const pl = hub.received.find((w: any) => w.json.entry[0].changes[0].value.metadata.phone_number_id === PHONE_B)!.json as any;
    expect(pl.entry[0].changes[0].value.contacts[0].user_id).toMatch(/^PL\.\d{20}$/);
  });

  it('a username user without a phone number is addressed by BSUID', async () => {
    const r = await admin('/whatsapp/inbound', { userId: 'US.13491208655302741918', name: 'anon', hidePhone: true, message: { type: 'text', text: { body: 'hi' } } });
    const v = r.json.payload.entry[0].changes[0].value;
    expect(v.contacts[0]).toEqual({ profile: { name: 'anon' }, user_id: 'US.13491208655302741918' });
    expect(v.messages[0].from).toBeUndefined();
    const sent = await send(textTo('US.13491208655302741918'));
    expect(sent.status).toBe(200);
    expect(statusesOf(sent.json.messages[0].id).map((s) => s.status)).toEqual(['sent', 'delivered']);
  });

  it('emits read after the admin marks an outbound message read', async () => {
    await customerWrites();
    const r = await send(textTo(CUSTOMER));
    await admin('/whatsapp/read', { messageId: r.json.messages[0].id });
    expect(statusesOf(r.json.messages[0].id).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });
});

describe('WhatsApp templates and media', () => {
  it('lists the WABA templates with status filter', async () => {
    const res = await sim.app.request(`/${V}/${WABA}/message_templates?status=APPROVED&access_token=${TOKEN}`);
    const json = (await res.json()) as any;
    expect(json.data.map((t: any) => t.name).sort()).toEqual(['hello_world', 'template-name']);
    expect(json.data[0]).toMatchObject({ status: 'APPROVED', language: expect.any(String), category: expect.any(String), id: expect.any(String) });
  });

  it('uploads media, reads its node and downloads it', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'x.png');
    const up = await sim.app.request(`/${V}/${PHONE_A}/media`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
    const { id } = (await up.json()) as any;
    const node = (await (await sim.app.request(`/${V}/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any;
    expect(node).toMatchObject({ id, mime_type: 'image/png', file_size: 4, messaging_product: 'whatsapp' });
    const dl = await sim.app.request(new URL(node.url).pathname, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(new Uint8Array([137, 80, 78, 71]));
  });
});
