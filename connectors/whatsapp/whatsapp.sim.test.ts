import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BusinessError, createTestContext, hmac, RetryableError, type Hint, type WebhookRequest } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createMetaSimulator, signatureHeaders, type MetaSimulator } from '../../sandbox/meta/index.ts';
import { readSamples } from '../../sandbox/meta/test-support.ts';
import whatsapp, { listTemplates } from './index.ts';

const WABA = '419561257915477';
const PHONE_A = '106540352242922';
const PHONE_B = '106540352242999';
const CUSTOMER = '48600100200';
const APP_SECRET = 'wa-app-secret';
const START = Date.UTC(2026, 10, 2, 9, 0, 0);
const HOUR = 3_600_000;

let t = START;
let sim: MetaSimulator;
let running: RunningSimulator;
let graphCalls: string[] = [];

const countingFetch: typeof fetch = (input, init) => {
  graphCalls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
  return fetch(input, init);
};

const config = (numbers = [{ id: PHONE_A, displayNumber: '+1 555 078 3881' }]) => ({
  wabaId: WABA,
  accessToken: 'sandbox-access-token',
  appSecret: APP_SECRET,
  verifyToken: 'vt',
  phoneNumbers: numbers,
  graphUrl: running.url,
});
const context = () => createTestContext(whatsapp, config(), { now: new Date(t), fetch: countingFetch });

async function admin(path: string, body: unknown) {
  const res = await sim.app.request(`/__sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as any;
}

function signed(body: string, secret = APP_SECRET): WebhookRequest {
  const headers = Object.fromEntries(Object.entries(signatureHeaders(body, secret)).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', headers, query: {}, rawBody: Buffer.from(body, 'utf8') };
}

const emitted = (count = 1) => sim.ctx.webhooks.emitted.slice(-count).map((e) => signed(e.body));

function receive(req: WebhookRequest, cfg = whatsapp.config.parse(config())) {
  expect(whatsapp.webhooks!.verify(req, cfg, new Date(t))).toEqual({ ok: true });
  return whatsapp.webhooks!.parse(req, cfg) as { eventId?: string; hints: Hint[]; ignored: string[] };
}

const customerWrites = (text: string, extra: Record<string, unknown> = {}) =>
  admin('/whatsapp/inbound', { phoneNumberId: PHONE_A, from: CUSTOMER, name: 'Ola', message: { type: 'text', text: { body: text } }, ...extra });

beforeAll(async () => {
  sim = createMetaSimulator({ now: () => t, appSecret: APP_SECRET });
  running = await listen(sim);
});
afterAll(() => running.close());
beforeEach(() => {
  sim.ctx.whatsapp.reset();
  sim.ctx.webhooks.reset();
  t = START;
  graphCalls = [];
  sim.seed({
    wabas: [
      {
        id: WABA,
        phoneNumbers: [
          { id: PHONE_A, displayPhoneNumber: '15550783881' },
          { id: PHONE_B, displayPhoneNumber: '48500100200' },
        ],
        templates: [
          { name: 'order_update', language: 'pl', category: 'UTILITY', components: [{ type: 'BODY', text: 'Dzień dobry {{1}}, zamówienie {{2}} jest w drodze.' }] },
          { name: 'summer_sale', language: 'pl', status: 'PAUSED', category: 'MARKETING' },
        ],
      },
    ],
  });
});

describe('whatsapp webhooks', () => {
  const EXPECTED_TYPES: Record<string, string> = {
    'webhook-messages-button-message.json': 'button',
    'webhook-messages-contact-sharing-message.json': 'contacts',
    'webhook-messages-group-create-message.json': 'group_create',
    // The spec's own example labels this participants update "group_create"; the type is taken as sent.
    'webhook-messages-group-remove-participants.json': 'group_create',
    'webhook-messages-group-settings-update.json': 'group_settings_update',
    'webhook-messages-image-message.json': 'image',
    'webhook-messages-interactive-button-reply-message.json': 'interactive',
    'webhook-messages-interactive-list-reply-message.json': 'interactive',
    'webhook-messages-location-message.json': 'location',
    'webhook-messages-order-message.json': 'order',
    'webhook-messages-reaction-message.json': 'reaction',
    'webhook-messages-system-message.json': 'system',
    'webhook-messages-text-message-from-click-to-whatsapp-ad.json': 'text',
    'webhook-messages-text-message-with-context-product-inquiry.json': 'text',
    'webhook-messages-text-message.json': 'text',
    'webhook-messages-unsupported-message.json': 'unsupported',
  };
  const samples = readSamples('whatsapp', 'webhook-');

  it('covers every documented sample', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(EXPECTED_TYPES).sort());
  });

  it.each(Object.keys(EXPECTED_TYPES))('parses %s into one message of the right type', (file) => {
    const { hints, eventId } = receive(signed(JSON.stringify(samples[file])));
    expect(hints).toHaveLength(1);
    const hint = hints[0] as Extract<Hint, { kind: 'conversation' }>;
    expect(hint.kind).toBe('conversation');
    const message = hint.snapshot!.messages[0]!;
    expect(message.type).toBe(EXPECTED_TYPES[file]);
    expect(message.text.length).toBeGreaterThan(0);
    expect(hint.externalThreadId.startsWith(`${PHONE_A}:`)).toBe(true);
    expect(eventId).toBe(message.externalId);
  });

  it('reads the content of the richer samples', () => {
    const parse = (file: string) => (receive(signed(JSON.stringify(samples[file]))).hints[0] as any).snapshot;
    expect(parse('webhook-messages-text-message-with-context-product-inquiry.json')).toMatchObject({
      productExternalId: 'di9ozbzfi4',
      customer: { externalId: '16505551234', name: 'Sheena Nelson', phone: '+16505551234', verified: true },
      messages: [{ text: 'Is this still available?' }],
    });
    expect(parse('webhook-messages-order-message.json').messages[0].text).toBe('Order: 2 × di9ozbzfi4 (30 USD), 1 × nqryix03ez (25 USD)');
    expect(parse('webhook-messages-contact-sharing-message.json').messages[0]).toMatchObject({ text: 'Shared contact: Lucía Gómez', attachments: [{ kind: 'contact' }] });
    expect(parse('webhook-messages-location-message.json').messages[0].attachments[0]).toMatchObject({ kind: 'location', data: { latitude: 37.44221496582 } });
    expect(parse('webhook-messages-image-message.json').messages[0]).toMatchObject({ text: 'Taj Mahal', attachments: [{ kind: 'image', mimeType: 'image/jpeg', data: { mediaId: '1003383421387256' } }] });
    expect(parse('webhook-messages-interactive-list-reply-message.json').messages[0].text).toBe('Priority Mail Express – Next Day to 2 Days');
    expect(parse('webhook-messages-unsupported-message.json').messages[0].text).toBe('[unsupported message: Message type is currently not supported.]');
  });

  it('keeps a message type it does not know, with its type', () => {
    const body = structuredClone(samples['webhook-messages-text-message.json']) as any;
    const msg = body.entry[0].changes[0].value.messages[0];
    delete msg.text;
    msg.type = 'hologram';
    msg.hologram = { frames: 3 };
    const snapshot = (receive(signed(JSON.stringify(body))).hints[0] as any).snapshot;
    expect(snapshot.messages[0]).toMatchObject({ type: 'hologram', text: '[hologram message]', attachments: [{ kind: 'other', data: { frames: 3 } }] });
  });

  it('keys the customer on the business-scoped user id, with the phone when WhatsApp sends it', async () => {
    const withPhone = await customerWrites('Cześć');
    const { hints, eventId } = receive(emitted()[0]!);
    const bsuid = withPhone.payload.entry[0].changes[0].value.contacts[0].user_id as string;
    expect(bsuid).toMatch(/^PL\.\d+$/);
    expect(eventId).toBe(withPhone.id);
    expect(hints[0]).toMatchObject({
      externalThreadId: `${PHONE_A}:${bsuid}`,
      snapshot: { customer: { externalId: bsuid, phone: `+${CUSTOMER}`, verified: true, name: 'Ola' }, messages: [{ text: 'Cześć', author: bsuid }] },
    });
    // The same person with a username and a hidden number: same thread, no phone.
    await customerWrites('Hej', { hidePhone: true });
    const hidden = (receive(emitted()[0]!).hints[0] as any).snapshot;
    expect(hidden.externalThreadId).toBe(`${PHONE_A}:${bsuid}`);
    expect(hidden.customer.phone).toBeUndefined();
  });

  it('gives a redelivered webhook the same event id', async () => {
    await customerWrites('Jest rozmiar M?');
    const [req] = emitted();
    expect(receive(req!).eventId).toBe(receive(req!).eventId);
  });

  it('rejects a forged signature', async () => {
    await customerWrites('hi');
    const [req] = emitted();
    const cfg = whatsapp.config.parse(config());
    const forged = { ...req!, rawBody: Buffer.from(req!.rawBody.toString().replace('"hi"', '"pay to IBAN …"')) };
    expect(whatsapp.webhooks!.verify(forged, cfg, new Date()).ok).toBe(false);
    const resigned = { ...req!, headers: { 'x-hub-signature-256': `sha256=${hmac('sha256', 'not-the-secret', req!.rawBody, 'hex')}` } };
    expect(whatsapp.webhooks!.verify(resigned, cfg, new Date()).ok).toBe(false);
  });

  it('routes on phone_number_id: a delivery for a number it does not serve is ignored with a reason', async () => {
    await admin('/whatsapp/inbound', { phoneNumberId: PHONE_B, from: CUSTOMER, message: { type: 'text', text: { body: 'hi' } } });
    const parsed = receive(emitted()[0]!);
    expect(parsed.hints).toEqual([]);
    expect(parsed.ignored).toEqual([`delivery for phone number ${PHONE_B} (48500100200), which this connection does not serve`]);
    // With both numbers configured the same delivery is a conversation on number B.
    const both = whatsapp.config.parse(config([{ id: PHONE_A, displayNumber: 'A' }, { id: PHONE_B, displayNumber: 'B' }]));
    expect((receive(emitted()[0]!, both).hints[0] as any).externalThreadId.startsWith(`${PHONE_B}:`)).toBe(true);
  });
});

describe('whatsapp sending and the 24-hour window', () => {
  const conversation = (key: string, lastAt: number | undefined) => ({
    externalThreadId: `${PHONE_A}:${key}`,
    customerExternalId: key,
    lastCustomerMessageAt: lastAt === undefined ? undefined : new Date(lastAt),
  });

  it('sends a reply inside the window; the status webhooks become delivery hints', async () => {
    await customerWrites('Jest rozmiar M?');
    const key = (receive(emitted()[0]!).hints[0] as any).snapshot.customer.externalId;
    t = START + HOUR;
    const { ctx } = context();
    expect(await whatsapp.capabilities.inquiries!.send!.policy(ctx, conversation(key, START), new Date(t))).toEqual({ allowed: true });
    const sent = await whatsapp.capabilities.inquiries!.send!.send(ctx, { conversation: conversation(key, START), messageId: 'h1', text: 'Tak, jest.', attachments: [] });
    expect(sent.status).toBe('sent');
    const statuses = emitted(2).map((r) => receive(r));
    expect(statuses.map((s) => s.hints[0])).toEqual([
      { kind: 'delivery', messageExternalId: sent.externalId, status: 'sent', at: new Date(t).toISOString() },
      { kind: 'delivery', messageExternalId: sent.externalId, status: 'delivered', at: new Date(t).toISOString() },
    ]);
    expect(statuses[0]!.eventId).not.toBe(statuses[1]!.eventId);
    await admin('/whatsapp/read', { messageId: sent.externalId });
    expect(receive(emitted()[0]!).hints[0]).toMatchObject({ kind: 'delivery', status: 'read', messageExternalId: sent.externalId });
  });

  it('outside the window refuses free-form text, offers the approved templates (cached), and sends a template', async () => {
    await customerWrites('Hello');
    const key = (receive(emitted()[0]!).hints[0] as any).snapshot.customer.externalId;
    t = START + 26 * HOUR;
    const { ctx } = context();
    const p = await whatsapp.capabilities.inquiries!.send!.policy(ctx, conversation(key, START), new Date(t));
    expect(p).toEqual({
      allowed: false,
      reason: 'The customer last wrote 26 hours ago; outside the 24-hour window WhatsApp allows only approved templates.',
      options: [{ kind: 'template', name: 'order_update', language: 'pl', parameters: 2 }],
    });
    await whatsapp.capabilities.inquiries!.send!.policy(ctx, conversation(key, START), new Date(t));
    expect(graphCalls.filter((c) => c.endsWith('/message_templates'))).toHaveLength(1);

    const before = sim.ctx.whatsapp.messages.length;
    await expect(
      whatsapp.capabilities.inquiries!.send!.send(ctx, { conversation: conversation(key, START), messageId: 'h2', text: 'Still there?', attachments: [] }),
    ).rejects.toBeInstanceOf(BusinessError);
    expect(sim.ctx.whatsapp.messages.length).toBe(before);

    const sent = await whatsapp.capabilities.inquiries!.send!.send(ctx, {
      conversation: conversation(key, START),
      messageId: 'h3',
      text: '',
      attachments: [],
      template: { name: 'order_update', language: 'pl', parameters: ['Ola', '#1001'] },
    });
    expect(sim.ctx.whatsapp.messages.at(-1)).toMatchObject({ id: sent.externalId, type: 'template', status: 'delivered' });
    expect((await listTemplates(ctx)).map((x) => x.name)).toEqual(['order_update']);
  });

  it('reports Meta’s re-engagement failure (131047) as a failed delivery with the reason', async () => {
    await customerWrites('Hello');
    const key = (receive(emitted()[0]!).hints[0] as any).snapshot.customer.externalId;
    t = START + 30 * HOUR;
    // The hub wrongly believes the customer wrote an hour ago; Meta accepts, then fails the message.
    const sent = await whatsapp.capabilities.inquiries!.send!.send(context().ctx, { conversation: conversation(key, t - HOUR), messageId: 'h4', text: 'Hi', attachments: [] });
    const hint = receive(emitted()[0]!).hints[0];
    expect(hint).toMatchObject({ kind: 'delivery', messageExternalId: sent.externalId, status: 'failed' });
    expect((hint as { reason: string }).reason).toMatch(/^131047 Re-engagement message: .*24 hours/);
  });

  it('turns the pair rate limit (131056) into a RetryableError with a wait', async () => {
    await customerWrites('Hello');
    const key = (receive(emitted()[0]!).hints[0] as any).snapshot.customer.externalId;
    sim.ctx.options.pairRateBurst = 1;
    try {
      const { ctx } = context();
      const msg = { conversation: conversation(key, START), messageId: 'h5', text: 'One', attachments: [] };
      await whatsapp.capabilities.inquiries!.send!.send(ctx, msg);
      const err = await whatsapp.capabilities.inquiries!.send!.send(ctx, msg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect((err as RetryableError).retryAfterMs).toBe(6000);
    } finally {
      sim.ctx.options.pairRateBurst = 45;
    }
  });

  it('refuses a conversation of a number it does not serve; check() reads the business account', async () => {
    const { ctx } = context();
    await expect(
      whatsapp.capabilities.inquiries!.send!.send(ctx, {
        conversation: { externalThreadId: `${PHONE_B}:${CUSTOMER}`, customerExternalId: CUSTOMER, lastCustomerMessageAt: new Date(t) },
        messageId: 'h6',
        text: 'x',
        attachments: [],
      }),
    ).rejects.toThrow(/does not belong to a phone number of this connection/);
    await expect(whatsapp.check!(ctx)).resolves.toBeUndefined();
  });
});
