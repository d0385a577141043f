import { describe, expect, it } from 'vitest';
import { setup } from './test-helpers.ts';

const offers = [
  { id: '7700000001', name: 'Czajnik elektryczny stalowy 1.7 l', externalId: 'SKU-KETTLE', price: { amount: '100.00', currency: 'PLN' }, stock: 5 },
  { id: '7700000002', name: 'Toster dwukomorowy czarny matowy', externalId: 'SKU-TOASTER', price: { amount: '50.00', currency: 'PLN' }, stock: 2 },
];
const criteria = (...ids: string[]) => [{ type: 'CONTAINS_OFFERS', offers: ids.map((id) => ({ id })) }];

describe('allegro batch commands', () => {
  it('price command: 201 with nothing counted, tasks NEW until the delay, then SUCCESS/FAIL per offer', async () => {
    const env = setup({ commandDelayMs: 2000 });
    await env.seed({ offers });
    const id = '5f0c2a52-2c7d-4b7e-9f59-0a7a0d2b1c01';
    const put = await env.call('PUT', `/sale/offer-price-change-commands/${id}`, {
      body: { modification: { type: 'INCREASE_PERCENTAGE', percentage: '10' }, offerCriteria: criteria('7700000001', '7700000002', '999') },
    });
    expect(put.status).toBe(201);
    expect(put.json).toEqual({ id, taskCount: { total: 0, success: 0, failed: 0 } });

    const pending = await env.call('GET', `/sale/offer-price-change-commands/${id}`);
    expect(pending.json).toMatchObject({ completedAt: null, taskCount: { total: 3, success: 0, failed: 0 } });
    expect((await env.call('GET', `/sale/offer-price-change-commands/${id}/tasks`)).json.tasks.map((t: any) => t.status)).toEqual(['NEW', 'NEW', 'NEW']);

    env.advance(2000);
    const report = await env.call('GET', `/sale/offer-price-change-commands/${id}`);
    expect(report.json.taskCount).toEqual({ total: 3, success: 2, failed: 1 });
    expect(report.json.completedAt).toEqual(expect.any(String));
    const tasks = (await env.call('GET', `/sale/offer-price-change-commands/${id}/tasks?limit=2&offset=1`)).json.tasks;
    expect(tasks).toHaveLength(2);
    expect(tasks[1]).toMatchObject({ offer: { id: '999' }, status: 'FAIL', message: 'The offer does not exist.' });
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.sellingMode.price.amount).toBe('110.00');
    expect((await env.call('GET', '/sale/product-offers/7700000002')).json.sellingMode.price.amount).toBe('55.00');
  });

  it('a reused command id is 409, with Allegro’s code when the content differs', async () => {
    const env = setup({ commandDelayMs: 0 });
    await env.seed({ offers });
    const id = '5f0c2a52-2c7d-4b7e-9f59-0a7a0d2b1c02';
    const body = { modification: { changeType: 'FIXED', value: 7 }, offerCriteria: criteria('7700000001') };
    expect((await env.call('PUT', `/sale/offer-quantity-change-commands/${id}`, { body })).status).toBe(201);
    const same = await env.call('PUT', `/sale/offer-quantity-change-commands/${id}`, { body });
    expect(same.status).toBe(409);
    expect(same.json.errors[0].message).toBe('Command id was already used');
    const other = await env.call('PUT', `/sale/offer-quantity-change-commands/${id}`, {
      body: { ...body, modification: { changeType: 'FIXED', value: 8 } },
    });
    expect(other.status).toBe(409);
    expect(other.json.errors[0].code).toBe('COMMAND_ALREADY_REGISTERED_WITH_DIFFERENT_CONTENT');
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.stock.available).toBe(7);
  });

  it('commandReplay "idempotent" answers the existing report for the same payload', async () => {
    const env = setup({ commandDelayMs: 0, commandReplay: 'idempotent' });
    await env.seed({ offers });
    const id = '5f0c2a52-2c7d-4b7e-9f59-0a7a0d2b1c03';
    const body = { modification: { changeType: 'GAIN', value: 3 }, offerCriteria: criteria('7700000002') };
    await env.call('PUT', `/sale/offer-quantity-change-commands/${id}`, { body });
    const again = await env.call('PUT', `/sale/offer-quantity-change-commands/${id}`, { body });
    expect(again.status).toBe(201);
    expect(again.json.taskCount).toEqual({ total: 1, success: 1, failed: 0 });
    expect((await env.call('GET', '/sale/product-offers/7700000002')).json.stock.available).toBe(5);
  });

  it('quantity FIXED must be > 0: the task fails with Allegro’s code and the offer keeps selling', async () => {
    const env = setup({ commandDelayMs: 0 });
    await env.seed({ offers });
    const id = '5f0c2a52-2c7d-4b7e-9f59-0a7a0d2b1c04';
    await env.call('PUT', `/sale/offer-quantity-change-commands/${id}`, {
      body: { modification: { changeType: 'FIXED', value: 0 }, offerCriteria: criteria('7700000001') },
    });
    const task = (await env.call('GET', `/sale/offer-quantity-change-commands/${id}/tasks`)).json.tasks[0];
    expect(task.status).toBe('FAIL');
    expect(task.errors[0].code).toBe('ATTEMPT_TO_CHANGE_OFFER_QUANTITY_TO_INVALID_VALUE');
    expect((await env.call('GET', '/sale/product-offers/7700000001')).json.publication.status).toBe('ACTIVE');
  });

  it('rejects commands the schema allows but Allegro does not (missing price, >1000 offers); 404 for unknown ids', async () => {
    const env = setup();
    const noPrice = await env.call('PUT', '/sale/offer-price-change-commands/5f0c2a52-2c7d-4b7e-9f59-0a7a0d2b1c05', {
      body: { modification: { type: 'FIXED_PRICE' }, offerCriteria: criteria('7700000001') },
    });
    expect(noPrice.status).toBe(422);
    expect(noPrice.json.errors[0].path).toBe('modification.price');
    const many = Array.from({ length: 1001 }, (_, i) => String(7_800_000_000 + i));
    const tooMany = await env.call('PUT', '/sale/offer-quantity-change-commands/5f0c2a52-2c7d-4b7e-9f59-0a7a0d2b1c06', {
      body: { modification: { changeType: 'GAIN', value: 1 }, offerCriteria: criteria(...many) },
    });
    expect(tooMany.status).toBe(422);
    const unknown = await env.call('GET', '/sale/offer-price-change-commands/5f0c2a52-2c7d-4b7e-9f59-0a7a0d2b1c99');
    expect(unknown.status).toBe(404);
    expect(unknown.json.errors[0].code).toBe('COMMAND_NOT_FOUND');
  });
});
