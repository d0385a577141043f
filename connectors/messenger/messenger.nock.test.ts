import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, hmac, RetryableError, AuthError } from '../../core/sdk/index.ts';
import { readSamples } from '../../sandbox/meta/test-support.ts';
import messenger from './index.ts';

const GRAPH = 'https://graph.facebook.com';
const SAMPLES = readSamples('messenger', 'webhook-');
const config = { pageId: '555', pageAccessToken: 'EAAG-page-token', appSecret: 'shh', verifyToken: 'vt', graphVersion: 'v24.0' };
const NOW = new Date('2026-11-10T12:00:00Z');
const HOUR = 3_600_000;
const conversation = (hoursAgo: number) => ({ externalThreadId: 'PSID-1', customerExternalId: 'PSID-1', lastCustomerMessageAt: new Date(NOW.getTime() - hoursAgo * HOUR) });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});

describe('messenger Send API requests', () => {
  it('sends RESPONSE within 24 h, with the Page token', async () => {
    const { ctx } = createTestContext(messenger, config, { now: NOW });
    nock(GRAPH, { reqheaders: { authorization: 'Bearer EAAG-page-token' } })
      .post('/v24.0/me/messages', { recipient: { id: 'PSID-1' }, messaging_type: 'RESPONSE', message: { text: 'Hello' } })
      .reply(200, { recipient_id: 'PSID-1', message_id: 'm_1' });
    const sent = await messenger.capabilities.inquiries!.send!.send(ctx, { conversation: conversation(23), messageId: 'x', text: 'Hello', attachments: [] });
    expect(sent).toEqual({ externalId: 'm_1', status: 'sent' });
  });

  it('sends MESSAGE_TAG + HUMAN_AGENT after 24 h, then each attachment as its own message', async () => {
    const { ctx } = createTestContext(messenger, config, { now: NOW });
    nock(GRAPH)
      .post('/v24.0/me/messages', { recipient: { id: 'PSID-1' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Invoice attached' } })
      .reply(200, { recipient_id: 'PSID-1', message_id: 'm_text' })
      .post('/v24.0/me/messages', {
        recipient: { id: 'PSID-1' },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        message: { attachment: { type: 'file', payload: { url: 'https://shop.example/inv.pdf', is_reusable: false } } },
      })
      .reply(200, { recipient_id: 'PSID-1', message_id: 'm_file' });
    const sent = await messenger.capabilities.inquiries!.send!.send(ctx, {
      conversation: conversation(30),
      messageId: 'x',
      text: 'Invoice attached',
      attachments: [{ url: 'https://shop.example/inv.pdf', mimeType: 'application/pdf' }],
    });
    expect(sent.externalId).toBe('m_text');
  });

  it('classifies throttling and token errors by Graph code', async () => {
    const { ctx } = createTestContext(messenger, config, { now: NOW });
    nock(GRAPH)
      .post('/v24.0/me/messages')
      .reply(400, { error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613 } })
      .post('/v24.0/me/messages')
      .reply(401, { error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190, error_subcode: 463 } });
    const msg = { conversation: conversation(1), messageId: 'x', text: 'Hi', attachments: [] };
    await expect(messenger.capabilities.inquiries!.send!.send(ctx, msg)).rejects.toBeInstanceOf(RetryableError);
    const err = await messenger.capabilities.inquiries!.send!.send(ctx, msg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(JSON.stringify(err) + String(err)).not.toContain('EAAG-page-token');
  });
});

describe('messenger documented webhook samples', () => {
  const sample = (name: string) => {
    expect(SAMPLES[name], name).toBeDefined();
    return SAMPLES[name];
  };
  const deliver = (entry: unknown) => {
    const body = Buffer.from(JSON.stringify({ object: 'page', entry: [entry] }));
    const c = messenger.config.parse({ ...config, pageId: '682498302938465' });
    const req = { method: 'POST', headers: { 'x-hub-signature-256': `sha256=${hmac('sha256', 'shh', body, 'hex')}` }, query: {}, rawBody: body };
    expect(messenger.webhooks!.verify(req, c, NOW)).toEqual({ ok: true });
    return messenger.webhooks!.parse(req, c);
  };
  const entryOf = (event: unknown) => ({ id: '682498302938465', time: 1, messaging: [event] });

  it('parses text, reply, attachment, delivery and read samples', () => {
    const text = deliver(entryOf(sample('webhook-event-message-text.json')));
    expect(text.eventId).toBe('mid.1457764197618:41d102a3e1ae206a38');
    expect((text.hints[0] as any).snapshot.messages[0]).toMatchObject({ text: 'hello, world!', type: 'text', direction: 'in' });
    expect((deliver(entryOf(sample('webhook-event-message-reply.json'))).hints[0] as any).snapshot.messages[0].text).toBe('hello, world!');
    const attachment = deliver(sample('webhook-entry-message-attachment.json'));
    expect((attachment.hints[0] as any).snapshot.messages[0]).toMatchObject({ externalId: 'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c', attachments: [{ url: '<ATTACHMENT_URL>' }] });
    expect(deliver(entryOf(sample('webhook-event-message-delivery.json'))).hints).toEqual([
      { kind: 'delivery', messageExternalId: 'mid.1458668856218:ed81099e15d3f4f233', status: 'delivered', at: new Date(1458668856253).toISOString() },
    ]);
    expect(deliver(entryOf(sample('webhook-event-message-read.json'))).hints[0]).toMatchObject({ kind: 'delivery', status: 'read' });
  });

  it('rejects a body that is not a Page webhook', () => {
    const body = Buffer.from(JSON.stringify({ object: 'instagram', entry: [] }));
    const c = messenger.config.parse(config);
    expect(() => messenger.webhooks!.parse({ method: 'POST', headers: {}, query: {}, rawBody: body }, c)).toThrow(/object/);
  });
});
