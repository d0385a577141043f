import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BusinessError, createTestContext, RetryableError } from '../../core/sdk/index.ts';
import whatsapp, { listTemplates } from './index.ts';

const GRAPH = 'https://graph.facebook.com';
const config = {
  wabaId: '900',
  accessToken: 'EAAW-system-token',
  appSecret: 'shh',
  verifyToken: 'vt',
  phoneNumbers: [{ id: '111', displayNumber: '+48 500 100 200' }],
  graphVersion: 'v23.0',
  templateCacheSeconds: 60,
};
const NOW = new Date('2026-11-10T12:00:00Z');
const BSUID = 'PL.13491208655302741918';
const conversation = (hoursAgo: number) => ({ externalThreadId: `111:${BSUID}`, customerExternalId: BSUID, lastCustomerMessageAt: new Date(NOW.getTime() - hoursAgo * 3_600_000) });
const ok = { messaging_product: 'whatsapp', contacts: [{ input: BSUID, user_id: BSUID }], messages: [{ id: 'wamid.1' }] };

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});

describe('whatsapp Cloud API requests', () => {
  it('limits the connection to the documented 80 messages/s unless configured otherwise', () => {
    expect(whatsapp.http!(whatsapp.config.parse(config)).rateLimit).toEqual({ perSecond: 80, burst: 80 });
    expect(whatsapp.http!(whatsapp.config.parse({ ...config, throughputPerSecond: 20 })).rateLimit).toEqual({ perSecond: 20, burst: 20 });
  });

  it('rejects a config without phone numbers, naming the field', () => {
    const r = whatsapp.config.safeParse({ ...config, phoneNumbers: [] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['phoneNumbers'], message: 'at least one phone number is required' });
  });

  it('sends text then media to the BSUID from the conversation’s number', async () => {
    const { ctx } = createTestContext(whatsapp, config, { now: NOW });
    nock(GRAPH, { reqheaders: { authorization: 'Bearer EAAW-system-token' } })
      .post('/v23.0/111/messages', { messaging_product: 'whatsapp', recipient_type: 'individual', to: BSUID, type: 'text', text: { body: 'Faktura w załączniku', preview_url: false } })
      .reply(200, ok)
      .post('/v23.0/111/messages', {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: BSUID,
        type: 'document',
        document: { link: 'https://shop.example/f.pdf', filename: 'f.pdf' },
      })
      .reply(200, { ...ok, messages: [{ id: 'wamid.2' }] });
    const sent = await whatsapp.capabilities.inquiries!.send!.send(ctx, {
      conversation: conversation(2),
      messageId: 'x',
      text: 'Faktura w załączniku',
      attachments: [{ url: 'https://shop.example/f.pdf', name: 'f.pdf', mimeType: 'application/pdf' }],
    });
    expect(sent).toEqual({ externalId: 'wamid.1', status: 'sent' });
  });

  it('sends a template with body parameters', async () => {
    const { ctx } = createTestContext(whatsapp, config, { now: NOW });
    nock(GRAPH)
      .post('/v23.0/111/messages', {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: BSUID,
        type: 'template',
        template: { name: 'order_update', language: { code: 'pl' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ola' }] }] },
      })
      .reply(200, ok);
    await whatsapp.capabilities.inquiries!.send!.send(ctx, { conversation: conversation(100), messageId: 'x', text: '', attachments: [], template: { name: 'order_update', language: 'pl', parameters: ['Ola'] } });
  });

  it('maps 131047 to a BusinessError and 130429 to a short retry', async () => {
    const { ctx } = createTestContext(whatsapp, config, { now: NOW });
    nock(GRAPH)
      .post('/v23.0/111/messages')
      .reply(400, { error: { message: '(#131047) Re-engagement message', type: 'OAuthException', code: 131047 } })
      .post('/v23.0/111/messages')
      .reply(400, { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 } });
    const msg = { conversation: conversation(1), messageId: 'x', text: 'Hi', attachments: [] };
    const reengage = await whatsapp.capabilities.inquiries!.send!.send(ctx, msg).catch((e: unknown) => e);
    expect(reengage).toBeInstanceOf(BusinessError);
    expect((reengage as Error).message).toMatch(/more than 24 hours.*approved template/);
    const throttled = await whatsapp.capabilities.inquiries!.send!.send(ctx, msg).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(RetryableError);
    expect((throttled as RetryableError).retryAfterMs).toBe(1000);
  });

  it('lists approved templates across pages, then serves them from the cache until it expires', async () => {
    const t = createTestContext(whatsapp, config, { now: NOW });
    const fields = 'name,language,status,category,components';
    nock(GRAPH)
      .get('/v23.0/900/message_templates')
      .query({ fields, status: 'APPROVED', limit: '100' })
      .reply(200, {
        data: [{ name: 'a', language: 'pl', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: '{{1}} i {{2}} i {{1}}' }] }],
        paging: { cursors: { after: 'P2' }, next: 'https://graph.facebook.com/next' },
      })
      .get('/v23.0/900/message_templates')
      .query({ fields, status: 'APPROVED', limit: '100', after: 'P2' })
      .reply(200, { data: [{ name: 'b', language: 'en_US', status: 'APPROVED', components: [] }] });
    const first = await listTemplates(t.ctx);
    expect(first).toEqual([
      { name: 'a', language: 'pl', category: 'UTILITY', parameters: 2 },
      { name: 'b', language: 'en_US', category: undefined, parameters: 0 },
    ]);
    expect(await listTemplates(t.ctx)).toEqual(first); // no request: nock would fail on an unexpected call
    t.setNow(new Date(NOW.getTime() + 61_000));
    nock(GRAPH).get('/v23.0/900/message_templates').query(true).reply(200, { data: [] });
    expect(await listTemplates(t.ctx)).toEqual([]);
  });
});
