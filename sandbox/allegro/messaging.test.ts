import { describe, expect, it } from 'vitest';
import { setup } from './test-helpers.ts';

const offers = [
  { id: '7700000001', name: 'Czajnik elektryczny stalowy 1.7 l', price: { amount: '99.00', currency: 'PLN' }, stock: 3 },
];

describe('allegro messaging', () => {
  it('threads newest first; messages newest first; a reply marks the thread read', async () => {
    const env = setup();
    await env.seed({
      threads: [
        { interlocutor: { login: 'old-buyer' }, messages: [{ text: 'Dzień dobry', createdAt: '2026-03-01T08:00:00.000Z' }] },
      ],
    });
    const incoming = await env.admin('/messaging/incoming', { login: 'kasia', text: 'Czy czajnik jest na stanie?', offerId: '7700000001' });
    expect(incoming.status).toBe(201);
    const threads = (await env.call('GET', '/messaging/threads')).json;
    expect(threads.threads.map((t: any) => t.interlocutor.login)).toEqual(['kasia', 'old-buyer']);
    expect(threads.threads[0].read).toBe(false);

    env.advance(2000);
    const reply = await env.call('POST', `/messaging/threads/${incoming.json.threadId}/messages`, { body: { text: 'Tak, wysyłamy dziś.' } });
    expect(reply.status).toBe(201);
    expect(reply.json.author).toEqual({ login: 'omnihub-seller', isInterlocutor: false });
    const messages = (await env.call('GET', `/messaging/threads/${incoming.json.threadId}/messages`)).json.messages;
    expect(messages.map((m: any) => m.text)).toEqual(['Tak, wysyłamy dziś.', 'Czy czajnik jest na stanie?']);
    expect(messages[1].relatesTo.offer).toEqual({ id: '7700000001' });
    expect((await env.call('GET', '/messaging/threads')).json.threads[0].read).toBe(true);
  });

  it('enforces the per-user message limit of 1 request/s with 429', async () => {
    const env = setup();
    const incoming = await env.admin('/messaging/incoming', { login: 'kasia', text: 'Halo?' });
    const path = `/messaging/threads/${incoming.json.threadId}/messages`;
    expect((await env.call('POST', path, { body: { text: 'Pierwsza' } })).status).toBe(201);
    const limited = await env.call('POST', path, { body: { text: 'Druga' } });
    expect(limited.status).toBe(429);
    expect(limited.json.errors[0].code).toBe('TOO_MANY_REQUESTS');
    env.advance(1000);
    expect((await env.call('POST', path, { body: { text: 'Druga' } })).status).toBe(201);
  });

  it('a new thread needs an order of that buyer', async () => {
    const env = setup();
    await env.seed({ offers });
    const order = await env.admin('/orders', { lines: [{ offerId: '7700000001' }], buyer: { login: 'kasia' } });
    const wrongBuyer = await env.call('POST', '/messaging/messages', {
      body: { recipient: { login: 'someone' }, order: { id: order.json.checkoutFormId }, text: 'Dziękujemy' },
    });
    expect(wrongBuyer.status).toBe(422);
    env.advance(1000);
    const ok = await env.call('POST', '/messaging/messages', {
      body: { recipient: { login: 'kasia' }, order: { id: order.json.checkoutFormId }, text: 'Dziękujemy za zakup' },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.relatesTo.order).toEqual({ id: order.json.checkoutFormId });
    const missingText = await env.call('POST', '/messaging/messages', {
      body: { recipient: { login: 'kasia' }, order: { id: order.json.checkoutFormId } },
    });
    expect(missingText.status).toBe(422);
    expect(missingText.json.errors[0].path).toBe('text');
  });

  it('attachments: declare, upload with an allowed type, then reference', async () => {
    const env = setup();
    const incoming = await env.admin('/messaging/incoming', { login: 'kasia', text: 'Proszę o fakturę' });
    const declared = await env.call('POST', '/messaging/message-attachments', { body: { filename: 'faktura.pdf', size: 8 } });
    expect(declared.status).toBe(201);
    const id = declared.json.id;
    const path = `/messaging/threads/${incoming.json.threadId}/messages`;
    const early = await env.call('POST', path, { body: { text: 'W załączniku', attachments: [{ id }] } });
    expect(early.status).toBe(422);
    const wrongType = await env.call('PUT', `/messaging/message-attachments/${id}`, { rawBody: '%PDF-1.4', contentType: 'text/plain' });
    expect(wrongType.status).toBe(415);
    const upload = await env.call('PUT', `/messaging/message-attachments/${id}`, { rawBody: '%PDF-1.4', contentType: 'application/pdf' });
    expect(upload.status).toBe(200);
    env.advance(1000);
    const sent = await env.call('POST', path, { body: { text: 'W załączniku', attachments: [{ id }] } });
    expect(sent.status).toBe(201);
    expect(sent.json.attachments[0]).toMatchObject({ fileName: 'faktura.pdf', mimeType: 'application/pdf', status: 'SAFE' });
    const file = await env.call('GET', new URL(sent.json.attachments[0].url).pathname, { accept: '*/*' });
    expect(file.text).toBe('%PDF-1.4');
  });
});
