import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BusinessError, createTestContext, type Hint, type WebhookRequest } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createMetaSimulator, signatureHeaders, type MetaSimulator } from '../../sandbox/meta/index.ts';
import messenger from './index.ts';

const PAGE = '1234567890';
const PSID = '24012345678901234';
const APP_SECRET = 'meta-app-secret';
const VERIFY = 'hub-verify-token';
const START = Date.UTC(2026, 10, 2, 9, 0, 0);
const DAY = 86_400_000;

let t = START;
let sim: MetaSimulator;
let running: RunningSimulator;

const config = () => ({ pageId: PAGE, pageAccessToken: 'page-token', appSecret: APP_SECRET, verifyToken: VERIFY, graphUrl: running.url });
const context = () => createTestContext(messenger, config(), { now: new Date(t) });
const parsedConfig = () => messenger.config.parse(config());

async function admin(path: string, body: unknown) {
  const res = await sim.app.request(`/__sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as any;
}

/** The last webhooks the simulator emitted, as the hub would receive them (raw bytes + Meta's signature headers). */
function deliveries(count = 1): WebhookRequest[] {
  return sim.ctx.webhooks.emitted.slice(-count).map((e) => {
    const headers = Object.fromEntries(Object.entries(signatureHeaders(e.body, APP_SECRET)).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, query: {}, rawBody: Buffer.from(e.body, 'utf8') };
  });
}

function receive(req: WebhookRequest): { eventId?: string; hints: Hint[] } {
  const c = parsedConfig();
  expect(messenger.webhooks!.verify(req, c, new Date(t))).toEqual({ ok: true });
  return messenger.webhooks!.parse(req, c);
}

beforeAll(async () => {
  sim = createMetaSimulator({ now: () => t, appSecret: APP_SECRET, verifyToken: VERIFY });
  running = await listen(sim);
});
afterAll(() => running.close());
beforeEach(() => {
  sim.ctx.messenger.reset();
  sim.ctx.webhooks.reset();
  t = START;
  sim.seed({ pages: [{ id: PAGE, name: 'Omni Shop', accessToken: 'page-token', users: [{ psid: PSID, name: 'Ola', lastMessageAt: START }] }] });
});

describe('messenger webhooks', () => {
  it('answers the simulator’s subscription handshake with the challenge, and 403 for a wrong token', async () => {
    const c = parsedConfig();
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const answer = messenger.webhooks!.handshake!({ method: req.method ?? 'GET', headers: {}, query: Object.fromEntries(url.searchParams), rawBody: Buffer.alloc(0) }, c);
      res.writeHead(answer?.status ?? 404).end(answer?.body ?? '');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/messenger`;
      expect(await admin('/webhooks/verify', { object: 'page', url })).toMatchObject({ ok: true, status: 200 });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const wrong = messenger.webhooks!.handshake!({ method: 'GET', headers: {}, query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '42' }, rawBody: Buffer.alloc(0) }, c);
    expect(wrong).toEqual({ status: 403, body: 'verify token mismatch' });
    expect(messenger.webhooks!.handshake!({ method: 'POST', headers: {}, query: {}, rawBody: Buffer.from('{}') }, c)).toBeUndefined();
  });

  it('verifies the signature over the raw (escaped) bytes and parses a customer message into a conversation hint', async () => {
    const { mid } = await admin('/messenger/inbound', { psid: PSID, text: 'Czy jest rozmiar M? Lucía' });
    const [req] = deliveries();
    expect(req!.rawBody.toString()).toContain('\\u00ed'); // Meta escapes non-ASCII; a re-serialised body would not verify
    const { eventId, hints } = receive(req!);
    expect(eventId).toBe(mid);
    expect(hints).toEqual([
      {
        kind: 'conversation',
        externalThreadId: PSID,
        snapshot: {
          externalThreadId: PSID,
          customer: { externalId: PSID },
          messages: [{ externalId: mid, direction: 'in', text: 'Czy jest rozmiar M? Lucía', type: 'text', attachments: [], sentAt: new Date(START).toISOString(), author: PSID }],
        },
      },
    ]);
    // A redelivery of the same body gives the same event id, so the hub drops it.
    expect(receive(deliveries()[0]!).eventId).toBe(eventId);
  });

  it('rejects a forged or unsigned body', async () => {
    await admin('/messenger/inbound', { psid: PSID, text: 'hi' });
    const [req] = deliveries();
    const c = parsedConfig();
    const forged = { ...req!, rawBody: Buffer.from(req!.rawBody.toString().replace('hi', 'ho')) };
    expect(messenger.webhooks!.verify(forged, c, new Date())).toEqual({ ok: false, reason: 'X-Hub-Signature-256 does not match the body' });
    const { 'x-hub-signature-256': _drop, ...unsigned } = req!.headers;
    expect(messenger.webhooks!.verify({ ...req!, headers: unsigned }, c, new Date()).ok).toBe(false);
    const otherSecret = messenger.config.parse({ ...config(), appSecret: 'another-secret' });
    expect(messenger.webhooks!.verify(req!, otherSecret, new Date()).ok).toBe(false);
  });

  it('parses attachments and postbacks', async () => {
    await admin('/messenger/inbound', { psid: PSID, attachments: [{ type: 'image', url: 'https://cdn.example/a.jpg' }] });
    const image = receive(deliveries()[0]!).hints[0] as Extract<Hint, { kind: 'conversation' }>;
    expect(image.snapshot!.messages[0]).toMatchObject({ type: 'image', text: '', attachments: [{ kind: 'image', url: 'https://cdn.example/a.jpg' }] });

    const { mid } = await admin('/messenger/inbound', { psid: PSID, postback: { title: 'Track my order', payload: 'TRACK' } });
    const postback = receive(deliveries()[0]!);
    expect(postback.eventId).toBe(mid);
    expect((postback.hints[0] as any).snapshot.messages[0]).toMatchObject({ externalId: mid, type: 'postback', text: 'Track my order', direction: 'in' });
  });

  it('recognises the echo of our own reply and turns delivery and read receipts into delivery hints', async () => {
    const { ctx } = context();
    const sent = await messenger.capabilities.inquiries!.send!.send(ctx, {
      conversation: { externalThreadId: PSID, customerExternalId: PSID, lastCustomerMessageAt: new Date(START) },
      messageId: 'hub-msg-1',
      text: 'Tak, mamy M.',
      attachments: [],
    });
    expect(sent.status).toBe('sent');
    const [echo, delivery] = deliveries(2);
    const e = receive(echo!);
    expect(e.eventId).toBe(sent.externalId);
    expect(e.hints[0]).toMatchObject({
      kind: 'conversation',
      externalThreadId: PSID,
      snapshot: { customer: { externalId: PSID }, messages: [{ externalId: sent.externalId, direction: 'out', isEcho: true, text: 'Tak, mamy M.' }] },
    });
    const d = receive(delivery!);
    expect(d.hints).toEqual([{ kind: 'delivery', messageExternalId: sent.externalId, status: 'delivered', at: new Date(START).toISOString() }]);
    expect(d.eventId).toMatch(/^delivery:/);
    expect(receive(delivery!).eventId).toBe(d.eventId);

    await admin('/messenger/read', { psid: PSID });
    expect(receive(deliveries()[0]!).hints).toEqual([{ kind: 'delivery', messageExternalId: `watermark:${PSID}:${START}`, status: 'read', at: new Date(START).toISOString() }]);
  });

  it('ignores entries of another Page', async () => {
    await admin('/messenger/inbound', { psid: PSID, text: 'hi' });
    const other = messenger.config.parse({ ...config(), pageId: '999' });
    const parsed = messenger.webhooks!.parse(deliveries()[0]!, other) as { hints: Hint[]; ignored?: string[] };
    expect(parsed.hints).toEqual([]);
    expect(parsed.ignored).toEqual([`entry for Page ${PAGE}, not the configured Page 999`]);
  });
});

describe('messenger replies and the messaging window', () => {
  const conversation = (lastAt: number) => ({ externalThreadId: PSID, customerExternalId: PSID, lastCustomerMessageAt: new Date(lastAt) });
  const reply = (lastAt: number) => ({ conversation: conversation(lastAt), messageId: 'hub-1', text: 'Przepraszamy za zwłokę', attachments: [] });

  it('at day 3 allows a HUMAN_AGENT reply, and the Page accepts it', async () => {
    t = START + 3 * DAY;
    const { ctx } = context();
    const p = await messenger.capabilities.inquiries!.send!.policy(ctx, conversation(START), new Date(t));
    expect(p).toMatchObject({ allowed: true, options: [{ kind: 'tag', name: 'HUMAN_AGENT' }] });
    await messenger.capabilities.inquiries!.send!.send(ctx, reply(START));
    expect(sim.ctx.messenger.messages.at(-1)).toMatchObject({ direction: 'out', messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('within 24 h sends a RESPONSE', async () => {
    t = START + 2 * 3_600_000;
    await messenger.capabilities.inquiries!.send!.send(context().ctx, reply(START));
    expect(sim.ctx.messenger.messages.at(-1)).toMatchObject({ messagingType: 'RESPONSE' });
    expect(sim.ctx.messenger.messages.at(-1)!.tag).toBeUndefined();
  });

  it('at day 8 refuses with a reason and never calls Meta', async () => {
    t = START + 8 * DAY;
    const { ctx } = context();
    const p = await messenger.capabilities.inquiries!.send!.policy(ctx, conversation(START), new Date(t));
    expect(p.allowed).toBe(false);
    expect(p.reason).toMatch(/last wrote 8 days ago.*7 days/);
    await expect(messenger.capabilities.inquiries!.send!.send(ctx, reply(START))).rejects.toBeInstanceOf(BusinessError);
    expect(sim.ctx.messenger.messages).toHaveLength(0);
  });

  it('turns Meta’s own window refusal into a BusinessError', async () => {
    t = START + 8 * DAY;
    // The hub believes the customer wrote recently; Meta knows better.
    const err = await messenger.capabilities.inquiries!.send!.send(context().ctx, reply(t - 3_600_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessError);
    expect((err as BusinessError).message).toMatch(/outside the allowed messaging window/);
  });

  it('check() confirms the token belongs to the configured Page', async () => {
    await expect(messenger.check!(context().ctx)).resolves.toBeUndefined();
  });
});
