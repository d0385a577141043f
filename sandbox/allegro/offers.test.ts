import { describe, expect, it } from 'vitest';
import { setup } from './test-helpers.ts';

const offers = [
  { id: '7700000001', name: 'Czajnik elektryczny stalowy 1.7 l', externalId: 'SKU-KETTLE', price: { amount: '99.00', currency: 'PLN' }, stock: 5 },
  { id: '7700000002', name: 'Toster dwukomorowy czarny matowy', externalId: 'SKU-TOASTER', price: { amount: '149.99', currency: 'PLN' }, stock: 2 },
  { id: '7700000003', name: 'Ekspres przelewowy do kawy 1.2 l', price: { amount: '210.00', currency: 'PLN' }, stock: 1 },
];

describe('allegro offers', () => {
  it('lists offers filtered by external.id (our SKU), with offset/limit', async () => {
    const env = setup();
    await env.seed({ offers });
    const one = await env.call('GET', '/sale/offers?external.id=SKU-TOASTER');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ count: 1, totalCount: 1 });
    expect(one.json.offers[0]).toMatchObject({ id: '7700000002', external: { id: 'SKU-TOASTER' }, stock: { available: 2, sold: 0 } });
    const two = await env.call('GET', '/sale/offers?external.id=SKU-TOASTER&external.id=SKU-KETTLE');
    expect(two.json.offers.map((o: any) => o.id).sort()).toEqual(['7700000001', '7700000002']);
    const page = await env.call('GET', '/sale/offers?offset=1&limit=1');
    expect(page.json).toMatchObject({ count: 1, totalCount: 3 });
    expect(page.json.offers[0].id).toBe('7700000002');
  });

  it('PATCH changes price and stock together and answers the offer', async () => {
    const env = setup();
    await env.seed({ offers });
    const res = await env.call('PATCH', '/sale/product-offers/7700000001', {
      body: { sellingMode: { price: { amount: '129.99', currency: 'PLN' } }, stock: { available: 15 } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ sellingMode: { price: { amount: '129.99' } }, stock: { available: 15 }, publication: { status: 'ACTIVE' } });
    const events = await env.call('GET', '/sale/offer-events');
    expect(events.json.offerEvents.map((e: any) => e.type)).toEqual(['OFFER_PRICE_CHANGED', 'OFFER_STOCK_CHANGED']);
    expect(events.json.offerEvents[0].offer.external).toEqual({ id: 'SKU-KETTLE' });
  });

  it('stock 0 ends an active offer; only a publication command brings it back', async () => {
    const env = setup({ commandDelayMs: 500 });
    await env.seed({ offers });
    const res = await env.call('PATCH', '/sale/product-offers/7700000001', { body: { stock: { available: 0 } } });
    expect(res.status).toBe(200);
    expect(res.json.publication).toMatchObject({ status: 'ENDED', endedBy: 'EMPTY_STOCK' });
    const listed = await env.call('GET', '/sale/offers?publication.status=ENDED');
    expect(listed.json.offers.map((o: any) => o.id)).toEqual(['7700000001']);
    const ended = (await env.call('GET', '/sale/offer-events?type=OFFER_ENDED')).json.offerEvents;
    expect(ended).toHaveLength(1);
    expect(ended[0].offer).toMatchObject({ id: '7700000001', publication: { endedBy: 'EMPTY_STOCK' } });

    // Restocking does not re-activate...
    await env.call('PATCH', '/sale/product-offers/7700000001', { body: { stock: { available: 4 } } });
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.publication.status).toBe('ENDED');
    // ...the publication command does.
    const cmd = 'a4b1c0de-0000-4000-8000-000000000001';
    const put = await env.call('PUT', `/sale/offer-publication-commands/${cmd}`, {
      body: { publication: { action: 'ACTIVATE' }, offerCriteria: [{ type: 'CONTAINS_OFFERS', offers: [{ id: '7700000001' }] }] },
    });
    expect(put.status).toBe(201);
    env.advance(500);
    const tasks = await env.call('GET', `/sale/offer-publication-commands/${cmd}/tasks`);
    expect(tasks.json.tasks[0]).toMatchObject({ status: 'SUCCESS', offer: { id: '7700000001' } });
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.publication.status).toBe('ACTIVE');
  });

  it('activating an offer with no stock fails the task', async () => {
    const env = setup({ commandDelayMs: 0 });
    await env.seed({ offers: [{ ...offers[2]!, stock: 0, status: 'ENDED' }] });
    const cmd = 'a4b1c0de-0000-4000-8000-000000000002';
    await env.call('PUT', `/sale/offer-publication-commands/${cmd}`, {
      body: { publication: { action: 'ACTIVATE' }, offerCriteria: [{ type: 'CONTAINS_OFFERS', offers: [{ id: '7700000003' }] }] },
    });
    const report = await env.call('GET', `/sale/offer-publication-commands/${cmd}`);
    expect(report.json.taskCount).toEqual({ total: 1, success: 0, failed: 1 });
    const tasks = await env.call('GET', `/sale/offer-publication-commands/${cmd}/tasks`);
    expect(tasks.json.tasks[0].errors[0].path).toBe('stock.available');
  });

  it('an admin (or the seller in the web UI) can end an offer', async () => {
    const env = setup();
    await env.seed({ offers });
    expect((await env.admin('/offers/7700000002/end', { endedBy: 'ADMIN' })).status).toBe(200);
    const res = await env.call('GET', '/sale/product-offers/7700000002');
    expect(res.json.publication).toMatchObject({ status: 'ENDED', endedBy: 'ADMIN' });
  });

  it('asynchronous PATCH: 202 + Location, 409 while it runs, operation 202 then 303, then the new data', async () => {
    const env = setup({ offerEditDelayMs: 3000 });
    await env.seed({ offers });
    const res = await env.call('PATCH', '/sale/product-offers/7700000001', { body: { stock: { available: 9 } } });
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('3');
    const location = new URL(res.headers.get('location')!);
    expect(location.pathname).toMatch(/^\/sale\/product-offers\/7700000001\/operations\/[0-9a-f-]{36}$/);
    // Until the operation completes, the offer keeps its old data.
    expect(res.json.stock.available).toBe(5);

    const conflict = await env.call('PATCH', '/sale/product-offers/7700000001', { body: { stock: { available: 8 } } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.errors[0]).toMatchObject({
      code: 'OfferConflictException',
      userMessage: 'The previous edition of the offer is still being processed. Try again.',
    });
    const running = await env.call('GET', location.pathname);
    expect(running.status).toBe(202);
    expect(running.json.operation.status).toBe('IN_PROGRESS');

    env.advance(3000);
    const done = await env.call('GET', location.pathname);
    expect(done.status).toBe(303);
    expect(new URL(done.headers.get('location')!).pathname).toBe('/sale/product-offers/7700000001');
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.stock.available).toBe(9);
    expect((await env.call('PATCH', '/sale/product-offers/7700000001', { body: { stock: { available: 8 } } })).status).toBe(202);
  });

  it('PATCH rejects business-rule violations (another currency) with 422', async () => {
    const env = setup();
    await env.seed({ offers });
    const res = await env.call('PATCH', '/sale/product-offers/7700000001', {
      body: { sellingMode: { price: { amount: '10.00', currency: 'EUR' } } },
    });
    expect(res.status).toBe(422);
    expect(res.json.errors[0].path).toBe('sellingMode.price.currency');
    expect((await env.call('GET', '/sale/product-offers/404')).status).toBe(404);
  });
});
