import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promotionSchema } from '../../mappings/promotions.ts';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel, type TestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import { type EngineHarness, serveApp, startEngine } from '../conformance/engine.ts';
import { createLogger } from '../log/logger.ts';
import type { PromotionUpdate } from '../sdk/capabilities.ts';
import { defineConnector } from '../sdk/define-connector.ts';
import { buildPlan } from './plan.ts';
import { PromotionScheduler } from './promotion-scheduler.ts';

/**
 * The engine with promotions, on a clock the test moves: erp owns prices; `market` gets them switched by the hub
 * (price + compare-at, +10 % and .99 rounding); `sale` is a channel that schedules sales itself, so it gets the
 * promotion pushed ahead of time and removed once spent. Only what the channels were sent is asserted.
 */
const T0 = Date.UTC(2030, 3, 1, 8);
const HOUR = 3_600_000;
let now = T0;
const applied: PromotionUpdate[] = [];

// The test channel plus a native, channel-scheduled promotions capability that records what it is sent.
const saleChannel = defineConnector({
  ...testchannel,
  name: 'testsale',
  capabilities: {
    ...testchannel.capabilities,
    promotions: {
      write: {
        maxBatch: 10,
        describe: () => ({ native: 'a scheduled test sale', scheduledByChannel: true }),
        apply: async (_ctx, items) => {
          applied.push(...items);
          return items.map((i) => ({ ok: true as const, externalId: i.externalId }));
        },
      },
    },
  },
});

const spring = (window: { starts_at: string; ends_at: string }) =>
  promotionSchema.parse({ key: 'spring', name: 'Spring sale', discount: { percentage: 20 }, target: { skus: ['SHIRT-M'] }, window: { ...window, time_zone: 'UTC' } });

describe('promotions in the engine (injected clock)', () => {
  const channels: Record<'erp' | 'market' | 'sale', TestChannel> = { erp: createTestChannel(), market: createTestChannel(), sale: createTestChannel() };
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;
  let scheduler: PromotionScheduler;
  const gross = (ch: TestChannel, id: string) => (Promise.resolve(ch.app.request(`/products/${id}`)).then((r: Response) => r.json()) as Promise<{ variants: Array<{ gross: string }> }>).then((p) => p.variants[0]!.gross);
  const pushedPrice = async (connection: string) =>
    (await h.db.query<{ v: { gross: string; compareAt: string | null } }>("SELECT pushed->'price'->'value' AS v FROM bindings WHERE connection = $1 AND sku = 'SHIRT-M'", [connection])).rows[0]?.v;

  beforeAll(async () => {
    const urls: Record<string, string> = {};
    for (const [name, ch] of Object.entries(channels)) {
      const s = await serveApp(ch.app);
      servers.push(s);
      urls[name] = s.url;
    }
    channels.erp.addProduct({ id: 'e1', title: 'Shirt', variants: [{ id: 'ev1', sku: 'SHIRT-M', gross: '100.00', stock: 5 }] });
    channels.market.addProduct({ id: 'm1', title: 'Shirt', variants: [{ id: 'mv1', sku: 'SHIRT-M', gross: '1', stock: 0 }] });
    channels.sale.addProduct({ id: 's1', title: 'Shirt', variants: [{ id: 'sv1', sku: 'SHIRT-M', gross: '1', stock: 0 }] });
    h = await startEngine(
      `
connections:
  erp: { connector: testchannel, config: { url: "${urls.erp}", webhookSecret: s1 } }
  market: { connector: testchannel, config: { url: "${urls.market}", webhookSecret: s2 }, prices: { markupPercent: 10, rounding: ".99" } }
  sale: { connector: testsale, config: { url: "${urls.sale}", webhookSecret: s3 } }
ownership: { price: erp, stock: erp, content: erp }
`,
      [testchannel, saleChannel],
      { database: () => freshDatabase('promotions'), now: () => new Date(now) },
    );
    // The engine's own schedules sweep every connection at start, in no set order: let them finish, then link.
    for (let quiet = 0; quiet < 3; ) {
      const c = (await h.queues.counts()).sweeps;
      quiet = (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0 ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.settle();
    await h.engine.sweep('erp');
    await h.settle();
    await h.engine.sweep('market');
    await h.engine.sweep('sale');
    await h.settle();
    expect(await gross(channels.market, 'm1')).toBe('109.99');
    scheduler = new PromotionScheduler({ db: h.db, engine: h.engine, log: createLogger({ level: 'silent', format: 'json' }), now: () => new Date(now) });
  }, 60_000);

  afterAll(async () => {
    scheduler?.stop();
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('pushes ahead of time to the channel that schedules itself; the hub-switched channel keeps its regular price', async () => {
    await scheduler.syncConfig([spring({ starts_at: '2030-04-01T09:00', ends_at: '2030-04-01T10:00' })], 'best_for_customer');
    await h.settle();
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ sku: 'SHIRT-M', externalId: 'sv1', promotionKey: 'spring', price: { gross: '80.00', compareAt: '100.00' }, regular: { gross: '100.00' } });
    expect([applied[0]!.startsAt.toISOString(), applied[0]!.endsAt.toISOString()]).toEqual(['2030-04-01T09:00:00.000Z', '2030-04-01T10:00:00.000Z']);
    expect(await gross(channels.market, 'm1')).toBe('109.99');
    // A second reconcile sends nothing again.
    await h.engine.requestReconcile((await h.db.query<{ id: string }>('SELECT id FROM products')).rows.map((r) => r.id));
    await h.settle();
    expect(applied).toHaveLength(1);
  });

  it('plan --at shows what each channel would show at that moment, naming the promotion', async () => {
    const plan = await buildPlan(h.db, h.engine.bindings, h.engine.connections, { at: new Date(T0 + 1.5 * HOUR) });
    const market = plan.connections.find((c) => c.connection === 'market')!;
    expect(market.writes).toEqual([expect.objectContaining({ operation: 'prices.set', sku: 'SHIRT-M', value: expect.objectContaining({ gross: '87.99', compareAt: '109.99' }), because: expect.arrayContaining([expect.stringContaining('promotion "Spring sale" (spring): 20% off → 87.99')]) })]);
    expect(market.notes.join('\n')).toMatch(/promotions not supported natively.*\n.*promotions running at 2030-04-01T09:30:00.000Z: "Spring sale"/);
    const sale = plan.connections.find((c) => c.connection === 'sale')!;
    expect(sale.writes).toEqual([]);
    expect(sale.notes.join('\n')).toContain('a scheduled test sale (pushed ahead of time; the channel starts and ends it)');
    expect((await buildPlan(h.db, h.engine.bindings, h.engine.connections, { at: new Date(T0) })).connections.find((c) => c.connection === 'market')!.writes).toEqual([]);
  });

  it('the scheduler switches the hub-switched channel at the start and reverts it at the end from the current price', async () => {
    expect(await scheduler.nextBoundary()).toEqual(new Date(T0 + HOUR));
    now = T0 + HOUR + 1;
    expect(await scheduler.check()).toEqual([{ key: 'spring', from: 'scheduled', to: 'active' }]);
    await h.settle();
    expect(await gross(channels.market, 'm1')).toBe('87.99');
    expect(await pushedPrice('market')).toMatchObject({ gross: '87.99', compareAt: '109.99' });
    expect(applied).toHaveLength(1);

    // The ERP price changes during the promotion: the promotional price follows.
    await h.db.query("UPDATE prices SET gross = 200 WHERE variant_id = (SELECT id FROM variants WHERE sku = 'SHIRT-M')");
    await h.engine.requestReconcile((await h.db.query<{ id: string }>('SELECT id FROM products')).rows.map((r) => r.id));
    await h.settle();
    expect(await gross(channels.market, 'm1')).toBe('175.99');
    expect(applied.at(-1)).toMatchObject({ price: { gross: '160.00' }, regular: { gross: '200.00' } });

    now = T0 + 2 * HOUR + 1;
    expect(await scheduler.check()).toEqual([{ key: 'spring', from: 'active', to: 'ended' }]);
    await h.settle();
    expect(await gross(channels.market, 'm1')).toBe('219.99');
    expect(await pushedPrice('market')).toMatchObject({ gross: '219.99', compareAt: null });
    // The spent sale is removed from the channel (an empty window), once.
    const last = applied.at(-1)!;
    expect(last.endsAt.getTime()).toBeLessThanOrEqual(last.startsAt.getTime());
    expect((await h.db.query('SELECT 1 FROM promotion_pushes')).rowCount).toBe(0);
  });

  it('a promotion removed from config is cancelled and reverted at once', async () => {
    now = T0 + 2 * HOUR + 2;
    await scheduler.syncConfig([spring({ starts_at: '2030-04-01T10:00', ends_at: '2030-04-01T12:00' })], 'best_for_customer');
    await scheduler.check();
    await h.settle();
    expect(await gross(channels.market, 'm1')).toBe('175.99');
    const before = applied.length;
    expect(await scheduler.syncConfig([], 'best_for_customer')).toEqual({ added: [], changed: [], cancelled: ['spring'] });
    await h.settle();
    expect(await gross(channels.market, 'm1')).toBe('219.99');
    expect(applied.length).toBe(before + 1);
    expect(applied.at(-1)!.endsAt.getTime()).toBeLessThanOrEqual(applied.at(-1)!.startsAt.getTime());
  });
});
