import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specsDir } from '../common/specs.ts';
import { BETA_MEDIA } from './spec.ts';
import { findOperation, responseValidator } from './spec.ts';
import { setup } from './test-helpers.ts';

/**
 * The sample payloads in shared/specs/samples/allegro/: every request sample must be accepted by the endpoint it
 * was written for, and every response sample must pass the very response check `validateResponses` applies to the
 * simulator's own answers.
 */

const DIR = join(specsDir(), 'samples', 'allegro');
const read = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8'));

// Ids the samples refer to (all from the spec's own examples).
const SAMPLE_OFFER = '123456789';
const SAMPLE_THREAD = '88ae369b-8f65-4fc4-9c77-bedf604a2e2';
const SAMPLE_ORDER = '88ae369b-8f65-4fc4-9c77-bedf604a2e2';
const SAMPLE_ATTACHMENT = '97dc0b60-2da4-4247-92ba-b748630ba0f6';

const REQUESTS: Record<string, { method: string; path: string; status: number }> = {
  'messaging-new-message-in-thread.request.json': { method: 'POST', path: `/messaging/threads/${SAMPLE_THREAD}/messages`, status: 201 },
  'messaging-new-message.request.json': { method: 'POST', path: '/messaging/messages', status: 201 },
  'offer-quantity-change-command.request.json': { method: 'PUT', path: '/sale/offer-quantity-change-commands/6f0e6c3e-5d7a-4d0e-9a49-2f7d1b0e0001', status: 201 },
  'offer-price-change-command.request.json': { method: 'PUT', path: '/sale/offer-price-change-commands/6f0e6c3e-5d7a-4d0e-9a49-2f7d1b0e0002', status: 201 },
  'product-offer-patch-price-stock.request.json': { method: 'PATCH', path: `/sale/product-offers/${SAMPLE_OFFER}`, status: 200 },
};

const RESPONSES: Record<string, { method: string; path: string; status: number }> = {
  'checkout-form.response.json': { method: 'GET', path: '/order/checkout-forms/x', status: 200 },
  'command-report.response.json': { method: 'GET', path: '/sale/offer-price-change-commands/x', status: 200 },
  'command-tasks.response.json': { method: 'GET', path: '/sale/offer-quantity-change-commands/x/tasks', status: 200 },
  'error.response.json': { method: 'PATCH', path: '/sale/product-offers/x', status: 400 },
  'issues-list.response.examples.json': { method: 'GET', path: '/sale/issues', status: 200 },
  'messaging-thread-messages.response.json': { method: 'GET', path: '/messaging/threads/x/messages', status: 200 },
  'messaging-threads.response.json': { method: 'GET', path: '/messaging/threads', status: 200 },
  'offer-events.response.examples.json': { method: 'GET', path: '/sale/offer-events', status: 200 },
  'order-events.response.json': { method: 'GET', path: '/order/events', status: 200 },
};

describe('allegro samples', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('maps every sample file to an endpoint', () => {
    expect(files.filter((f) => f.includes('.request.')).sort()).toEqual(Object.keys(REQUESTS).sort());
    expect(files.filter((f) => f.includes('.response.')).sort()).toEqual(Object.keys(RESPONSES).sort());
  });

  it('accepts every request sample at its endpoint', async () => {
    const env = setup({ commandDelayMs: 0, rateLimitScale: 100 });
    await env.seed({
      offers: [{ id: SAMPLE_OFFER, name: 'Adidas shoes for woman size 38', price: { amount: '100.00', currency: 'PLN' }, stock: 10 }],
      threads: [{ id: SAMPLE_THREAD, interlocutor: { login: 'AllegroLogin' }, messages: [{ text: 'Sample message' }] }],
      attachments: [{ id: SAMPLE_ATTACHMENT, filename: 'exampleName.jpeg', mimeType: 'image/jpeg', base64: '/9j/4AAQ' }],
    });
    const order = await env.admin('/orders', {
      checkoutFormId: SAMPLE_ORDER,
      lines: [{ offerId: SAMPLE_OFFER }],
      buyer: { login: 'AllegroLogin' },
    });
    expect(order.status).toBe(201);
    for (const [file, target] of Object.entries(REQUESTS)) {
      const res = await env.call(target.method, target.path, { body: read(file) });
      expect({ file, status: res.status, body: res.status === target.status ? undefined : res.json }).toEqual({
        file,
        status: target.status,
        body: undefined,
      });
    }
    // The commands really ran against the sample offer.
    const state = (await env.call('GET', `/sale/product-offers/${SAMPLE_OFFER}`)).json;
    expect(state.sellingMode.price.amount).toBe('129.99');
    expect(state.stock.available).toBe(15);
  });

  it('every response sample passes the response schema the simulator’s answers are checked against', () => {
    for (const [file, target] of Object.entries(RESPONSES)) {
      const op = findOperation(target.method, target.path);
      expect(op, file).toBeDefined();
      const validate = responseValidator(op!, target.status)!;
      expect(validate, file).toBeDefined();
      const doc = read(file);
      // `*.examples.json` hold the spec's named examples: each value is one response.
      const bodies = file.includes('.examples.') ? Object.values(doc) : [doc];
      for (const body of bodies) {
        const ok = validate(body);
        expect({ file, ok, errors: validate.errors ?? null }).toEqual({ file, ok: true, errors: null });
      }
    }
  });

  it('serves the official issue examples through the beta endpoint', async () => {
    const env = setup();
    const issues = read('issues-list.response.examples.json')['issue-list'].issues;
    await env.seed({ issues });
    const res = await env.call('GET', '/sale/issues?status=DISPUTE_ONGOING', { accept: BETA_MEDIA });
    expect(res.status).toBe(200);
    expect(res.json.issues.map((i: any) => i.id)).toEqual([issues[0].id]);
    const one = await env.call('GET', `/sale/issues/${issues[1].id}`, { accept: BETA_MEDIA });
    expect(one.json.type).toBe('CLAIM');
  });
});
