import { afterEach, describe, expect, it } from 'vitest';
import { findOperation, requestValidator } from '../../sandbox/allegro/spec.ts';
import allegro from './index.ts';
import { PUBLIC_MEDIA } from './config.ts';
import { linkedContext, offers, price, recordingFetch, type Sim, startSim } from './test-support.ts';

/**
 * Every JSON body the connector sends must match Allegro's OpenAPI request schema for its operation: a scenario
 * exercising every write is recorded, and each body is checked with ajv against the kept spec (the simulator's
 * loader, used here in tests only). The simulator also rejects invalid bodies itself; this test does not rely on it.
 */
let s: Sim | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('request bodies match the Allegro OpenAPI spec', () => {
  it('price, quantity, publication commands, offer PATCH and message reply', async () => {
    s = await startSim({ offerEditDelayMs: 0 });
    await s.seed({ offers, threads: [{ id: 'th-1', interlocutor: { login: 'kupujacy' }, messages: [{ text: 'Pytanie o produkt' }] }] });
    const rec = recordingFetch();
    const t = await linkedContext(s, {}, rec.fetch);
    const caps = allegro.capabilities;
    const item = (externalId: string, available: number) => ({ sku: 'S', externalId, productExternalId: externalId, available, expected: undefined });
    await caps.prices!.write.set(t.ctx, [{ sku: 'S', externalId: '7700000001', productExternalId: undefined, price: price('12.50') }]);
    await caps.stock!.write!.set(t.ctx, [item('7700000001', 0), item('7700000002', 3)]);
    await caps.stock!.write!.set(t.ctx, [item('7700000001', 4)]);
    await caps.inquiries!.send!.send(t.ctx, {
      conversation: { externalThreadId: 'th-1', customerExternalId: 'kupujacy', lastCustomerMessageAt: undefined },
      messageId: 'm-1',
      text: 'Dzień dobry, produkt jest dostępny.',
      attachments: [],
    });

    const withBody = rec.requests.filter((r) => r.body !== undefined);
    const operations = withBody.map((r) => `${r.method} ${findOperation(r.method, r.path)?.template}`);
    expect(new Set(operations)).toEqual(
      new Set([
        'PUT /sale/offer-price-change-commands/{commandId}',
        'PUT /sale/offer-quantity-change-commands/{commandId}',
        'PUT /sale/offer-publication-commands/{commandId}',
        'PATCH /sale/product-offers/{offerId}',
        'POST /messaging/threads/{threadId}/messages',
      ]),
    );
    for (const r of withBody) {
      const op = findOperation(r.method, r.path)!;
      expect(r.contentType).toBe(PUBLIC_MEDIA);
      expect(op.requestMediaTypes).toContain(PUBLIC_MEDIA);
      const validate = requestValidator(op, PUBLIC_MEDIA)!;
      const valid = validate(JSON.parse(r.body!));
      expect({ request: `${r.method} ${r.path}`, errors: validate.errors ?? null, valid }).toMatchObject({ valid: true });
    }
    // And every call negotiated Allegro's media type.
    expect(rec.requests.every((r) => r.accept === PUBLIC_MEDIA)).toBe(true);
  });
});
