import { describe, expect, it } from 'vitest';
import { setup } from './test-helpers.ts';

const offers = [
  { id: '7700000001', name: 'Czajnik elektryczny stalowy 1.7 l', externalId: 'SKU-KETTLE', price: { amount: '99.00', currency: 'PLN' }, stock: 3 },
];

describe('allegro orders', () => {
  it('a purchase journals BOUGHT → FILLED_IN → READY_FOR_PROCESSING, takes stock and builds the checkout form', async () => {
    const env = setup();
    await env.seed({ offers });
    const bought = await env.admin('/orders', { lines: [{ offerId: '7700000001', quantity: 2 }] });
    expect(bought.status).toBe(201);
    const events = (await env.call('GET', '/order/events')).json.events;
    expect(events.map((e: any) => e.type)).toEqual(['BOUGHT', 'FILLED_IN', 'READY_FOR_PROCESSING']);
    expect(events[2].order).toMatchObject({
      checkoutForm: { id: bought.json.checkoutFormId },
      lineItems: [{ offer: { id: '7700000001', external: { id: 'SKU-KETTLE' } }, quantity: 2 }],
    });
    const form = await env.call('GET', `/order/checkout-forms/${bought.json.checkoutFormId}`);
    expect(form.status).toBe(200);
    expect(form.json).toMatchObject({ status: 'READY_FOR_PROCESSING', summary: { totalToPay: { amount: '198.00', currency: 'PLN' } } });
    expect(form.json.revision).toBe(events[2].order.checkoutForm.revision);
    const offer = (await env.call('GET', '/sale/offers?external.id=SKU-KETTLE')).json.offers[0];
    expect(offer.stock).toEqual({ available: 1, sold: 2 });
  });

  it('order events: event-stats gives the cursor, from= returns only later events, type= filters, limit pages', async () => {
    const env = setup();
    await env.seed({ offers: [{ ...offers[0]!, stock: 10 }] });
    expect((await env.call('GET', '/order/event-stats')).json).toEqual({});
    await env.admin('/orders', { lines: [{ offerId: '7700000001' }] });
    const stats = await env.call('GET', '/order/event-stats');
    const cursor = stats.json.latestEvent.id;
    expect((await env.call('GET', `/order/events?from=${cursor}`)).json.events).toEqual([]);

    env.advance(1000);
    const second = await env.admin('/orders', { lines: [{ offerId: '7700000001' }], until: 'FILLED_IN' });
    const later = (await env.call('GET', `/order/events?from=${cursor}`)).json.events;
    expect(later.map((e: any) => e.type)).toEqual(['BOUGHT', 'FILLED_IN']);
    expect(later.every((e: any) => BigInt(e.id) > BigInt(cursor))).toBe(true);

    await env.admin(`/orders/${second.json.checkoutFormId}/advance`);
    const ready = (await env.call('GET', `/order/events?from=${cursor}&type=READY_FOR_PROCESSING&type=BUYER_CANCELLED`)).json.events;
    expect(ready).toHaveLength(1);
    expect(ready[0].order.checkoutForm.id).toBe(second.json.checkoutFormId);

    const page1 = (await env.call('GET', '/order/events?limit=2')).json.events;
    const page2 = (await env.call('GET', `/order/events?limit=2&from=${page1[1].id}`)).json.events;
    expect(page1.length + page2.length).toBe(4);
    expect(new Set([...page1, ...page2].map((e: any) => e.id)).size).toBe(4);
    expect((await env.call('GET', '/order/events?type=SHIPPED')).status).toBe(422);
  });

  it('selling the last unit ends the offer; a cancellation journals BUYER_CANCELLED', async () => {
    const env = setup();
    await env.seed({ offers });
    const bought = await env.admin('/orders', { lines: [{ offerId: '7700000001', quantity: 3 }] });
    const offer = await env.call('GET', '/sale/product-offers/7700000001');
    expect(offer.json.publication).toMatchObject({ status: 'ENDED', endedBy: 'EMPTY_STOCK' });
    expect((await env.admin('/orders', { lines: [{ offerId: '7700000001' }] })).status).toBe(409);

    const cancel = await env.admin(`/orders/${bought.json.checkoutFormId}/cancel`, { type: 'BUYER_CANCELLED' });
    expect(cancel.status).toBe(200);
    const events = (await env.call('GET', '/order/events?type=BUYER_CANCELLED')).json.events;
    expect(events).toHaveLength(1);
    const form = await env.call('GET', `/order/checkout-forms/${bought.json.checkoutFormId}`);
    expect(form.json.status).toBe('CANCELLED');
  });

  it('lists checkout forms with filters', async () => {
    const env = setup();
    await env.seed({ offers: [{ ...offers[0]!, stock: 10 }] });
    await env.admin('/orders', { lines: [{ offerId: '7700000001' }], buyer: { login: 'anna' } });
    env.advance(60_000);
    await env.admin('/orders', { lines: [{ offerId: '7700000001' }], until: 'BOUGHT' });
    const ready = await env.call('GET', '/order/checkout-forms?status=READY_FOR_PROCESSING');
    expect(ready.json).toMatchObject({ count: 1, totalCount: 1 });
    expect(ready.json.checkoutForms[0].buyer.login).toBe('anna');
    const all = await env.call('GET', '/order/checkout-forms?sort=-updatedAt');
    expect(all.json.checkoutForms.map((f: any) => f.status)).toEqual(['BOUGHT', 'READY_FOR_PROCESSING']);
    expect((await env.call('GET', '/order/checkout-forms/3c9b6d2e-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
