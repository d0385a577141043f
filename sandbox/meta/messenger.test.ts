import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMetaSimulator, type MetaSimulator } from './index.ts';
import { keyPaths, readSamples, startFakeHub, type FakeHub } from './test-support.ts';

const SECRET = 'messenger-app-secret';
const PAGE = '682498302938465';
const PAGE_TOKEN = 'page-token-1';
const PSID = '24681357913579';
const DAY = 86_400_000;
const V = 'v26.0';

let t = Date.UTC(2026, 10, 2, 9, 0, 0);
let sim: MetaSimulator;
let hub: FakeHub;

async function admin(path: string, body: unknown) {
  const res = await sim.app.request(`/__sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

async function sendApi(body: Record<string, unknown>, path = `/${V}/${PAGE}/messages`, token = PAGE_TOKEN) {
  const res = await sim.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const reply = (extra: Record<string, unknown> = {}) => ({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Thanks, on its way!' }, ...extra });
const humanAgent = () => reply({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

beforeAll(async () => {
  hub = await startFakeHub('my-verify-token');
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  sim = createMetaSimulator({ appSecret: SECRET, now: () => t, webhookUrl: hub.url, verifyToken: 'my-verify-token' });
  sim.seed({ pages: [{ id: PAGE, name: 'Shop', accessToken: PAGE_TOKEN }] });
  hub.received.length = 0;
});
afterEach(async () => {
  await sim.ctx.webhooks.sender.drain();
});

describe('Messenger webhooks to the hub', () => {
  it('signs the raw body with the App Secret (X-Hub-Signature-256) in the page envelope', async () => {
    await admin('/messenger/inbound', { psid: PSID, text: 'Czy jest w rozmiarze M? Dzięki 👍' });
    await sim.ctx.webhooks.sender.drain();
    expect(hub.received).toHaveLength(1);
    const w = hub.received[0]!;
    expect(w.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(w.raw).digest('hex')}`);
    expect(w.headers['x-hub-signature-256']).not.toBe(`sha256=${createHmac('sha256', 'wrong').update(w.raw).digest('hex')}`);
    // Meta escapes non-ASCII before signing: the raw bytes are pure ASCII, the parsed text is intact.
    expect(/^[\x00-\x7f]*$/.test(w.raw.toString('utf8'))).toBe(true);
    expect(w.json).toMatchObject({ object: 'page', entry: [{ id: PAGE, messaging: [{ sender: { id: PSID }, message: { text: 'Czy jest w rozmiarze M? Dzięki 👍' } }] }] });
  });

  it('performs the subscription handshake against the hub and checks the echoed challenge', async () => {
    const ok = await admin('/webhooks/verify', { object: 'page' });
    expect(ok.json).toMatchObject({ ok: true, status: 200 });
    expect(ok.json.echoed).toBe(ok.json.challenge);
    const other = createMetaSimulator({ verifyToken: 'wrong-token', webhookUrl: hub.url });
    const res = await other.app.request('/__sandbox/webhooks/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await res.json()).toMatchObject({ ok: false, status: 403 });
  });

  it('emits the shapes of the documented Messenger events', async () => {
    const samples = readSamples('messenger', 'webhook-') as Record<string, any>;
    const text = await admin('/messenger/inbound', { psid: PSID, text: 'hello, world!', quickReplyPayload: 'SIZE_M' });
    const replyTo = await admin('/messenger/inbound', { psid: PSID, text: 'hello, world!', replyTo: text.json.mid });
    const attachment = await admin('/messenger/inbound', { psid: PSID, attachments: [{ type: 'image', url: 'https://cdn.example/x.jpg' }] });
    await sendApi(reply());
    const read = await admin('/messenger/read', { psid: PSID });
    const events = sim.ctx.webhooks.emitted.map((e: any) => e.payload.entry[0].messaging[0]);
    const delivery = events.find((e) => e.delivery);
    const same = (sample: unknown, got: unknown) => expect([...keyPaths(got)].sort()).toEqual([...keyPaths(sample)].sort());
    same(samples['webhook-event-message-text.json'], text.json.payload.entry[0].messaging[0]);
    same(samples['webhook-event-message-reply.json'], replyTo.json.payload.entry[0].messaging[0]);
    same(samples['webhook-entry-message-attachment.json'], attachment.json.payload.entry[0]);
    same(samples['webhook-event-message-delivery.json'], delivery);
    same(samples['webhook-event-message-read.json'], read.json.payload.entry[0].messaging[0]);
  });

  it('sends the echo and a delivery event after a Page message', async () => {
    await admin('/messenger/inbound', { psid: PSID, text: 'hi' });
    const sent = await sendApi(reply());
    expect(sent.status).toBe(200);
    expect(sent.json).toEqual({ recipient_id: PSID, message_id: expect.stringMatching(/^m_/) });
    const events = sim.ctx.webhooks.emitted.slice(1).map((e: any) => e.payload.entry[0].messaging[0]);
    expect(events[0]).toMatchObject({ sender: { id: PAGE }, recipient: { id: PSID }, message: { is_echo: true, mid: sent.json.message_id, text: 'Thanks, on its way!' } });
    expect(events[1]).toMatchObject({ sender: { id: PSID }, delivery: { mids: [sent.json.message_id] } });
  });

  it('a postback is delivered with title and payload', async () => {
    const r = await admin('/messenger/inbound', { psid: PSID, postback: { title: 'Track order', payload: 'TRACK_ORDER' } });
    expect(r.json.payload.entry[0].messaging[0].postback).toMatchObject({ title: 'Track order', payload: 'TRACK_ORDER', mid: expect.any(String) });
  });
});

describe('Messenger Send API and the messaging window', () => {
  beforeEach(async () => {
    await admin('/messenger/inbound', { psid: PSID, text: 'Where is my parcel?' });
  });

  it('allows RESPONSE within 24 h and refuses it after with (#10) / 2018278', async () => {
    t += 23 * 3_600_000;
    expect((await sendApi(reply())).status).toBe(200);
    t += 2 * 3_600_000;
    const late = await sendApi(reply());
    expect(late.status).toBe(400);
    expect(late.json.error).toMatchObject({ code: 10, error_subcode: 2018278, type: 'OAuthException' });
  });

  it('allows a HUMAN_AGENT tagged reply at day 3 and refuses it at day 8', async () => {
    const start = t;
    t = start + 3 * DAY;
    expect((await sendApi(humanAgent())).status).toBe(200);
    t = start + 8 * DAY;
    const refused = await sendApi(humanAgent());
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 10, error_subcode: 2018278 });
  });

  it('/me/messages resolves the Page from its token; a message to a stranger gets 100/2018001', async () => {
    expect((await sendApi(reply(), `/${V}/me/messages`)).status).toBe(200);
    const stranger = await sendApi({ ...reply(), recipient: { id: '999' } });
    expect(stranger.json.error).toMatchObject({ code: 100, error_subcode: 2018001 });
  });

  it('validates messaging_type, tag and message', async () => {
    expect((await sendApi(reply({ messaging_type: undefined }))).json.error.code).toBe(100);
    expect((await sendApi(reply({ messaging_type: 'MESSAGE_TAG' }))).json.error.message).toMatch(/tag/);
    expect((await sendApi(reply({ messaging_type: 'MESSAGE_TAG', tag: 'PROMO' }))).status).toBe(400);
    expect((await sendApi(reply({ message: { text: 'x'.repeat(2001) } }))).json.error.message).toMatch(/2000/);
    expect((await sendApi(reply({ message: { attachment: { type: 'image', payload: { url: 'https://cdn.example/a.jpg' } } } }))).status).toBe(200);
    expect((await sendApi({ recipient: { id: PSID }, sender_action: 'typing_on' })).json).toEqual({ recipient_id: PSID });
  });

  it('accepts form-encoded bodies with JSON-encoded structured params and access_token', async () => {
    const form = new URLSearchParams({ recipient: JSON.stringify({ id: PSID }), messaging_type: 'RESPONSE', message: JSON.stringify({ text: 'hi' }), access_token: PAGE_TOKEN });
    const res = await sim.app.request(`/${V}/${PAGE}/messages`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(res.status).toBe(200);
  });

  it('moves the clock through the admin endpoint too', async () => {
    await admin('/clock', { advanceMs: 8 * DAY });
    expect((await sendApi(humanAgent())).json.error.error_subcode).toBe(2018278);
  });
});
