import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorDefinition } from '../sdk/define-connector.ts';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';
import { Bindings } from './bindings.ts';
import { ingestOrder } from './orders.ts';

/**
 * A worker can die after an order is stored and its sale is in the ledger, but before the follow-ups (record it in
 * the ERP, reconcile its products) were requested. The order's hint is then processed again: nothing moves the
 * second time, yet both follow-ups must still happen — exactly once in the ERP.
 */
describe('an order replayed after a crash between the ledger and its follow-ups', () => {
  const erp = createTestChannel();
  const shop = createTestChannel();
  const recorded: string[] = [];
  // The test channel as an ERP that records other channels' orders (idempotent on the reference, as the SDK asks).
  const erpConnector = {
    ...testchannel,
    name: 'testerp',
    capabilities: {
      ...testchannel.capabilities,
      orders: {
        ...testchannel.capabilities.orders,
        write: {
          async record(_ctx: unknown, order: { reference: string }) {
            if (!recorded.includes(order.reference)) recorded.push(order.reference);
            return { externalId: `SO-${order.reference}` };
          },
        },
      },
    },
  } as unknown as ConnectorDefinition;
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;

  beforeAll(async () => {
    const [e, s] = [await serveApp(erp.app), await serveApp(shop.app)];
    servers.push(e, s);
    erp.addProduct({ id: 'ep1', title: 'Mug', variants: [{ id: 'ev1', sku: 'MUG', gross: '10.00', stock: 9 }] });
    shop.addProduct({ id: 'sp1', title: 'Mug', variants: [{ id: 'sv1', sku: 'MUG', gross: '10.00', stock: 9 }] });
    h = await startEngine(
      `
connections:
  erp: { connector: testerp, config: { url: "${e.url}", webhookSecret: e } }
  shop: { connector: testchannel, config: { url: "${s.url}", webhookSecret: s } }
ownership: { price: erp, stock: erp, content: erp }
`,
      [erpConnector, testchannel],
    );
    for (const c of ['erp', 'shop']) await h.engine.sweep(c);
    await h.settle();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('still records the order in the ERP once and brings every channel to the new stock', async () => {
    const shopStock = () => shop.products.get('sp1')!.variants[0]!.stock;
    expect(shopStock()).toBe(9);
    shop.orders.set('o1', { id: 'o1', status: 'paid', lines: [{ id: 'l1', sku: 'MUG', quantity: 2 }] });
    // What the dead worker got done: the order stored and its sale in the ledger, nothing requested after that.
    const conn = h.engine.connection('shop')!;
    const first = await ingestOrder(h.db, new Bindings(h.db), conn, { externalId: 'o1', status: 'paid', lines: [{ externalId: 'l1', sku: 'MUG', quantity: 2 }] });
    expect(first.changed.size).toBe(1);
    expect((await h.db.query("SELECT 1 FROM sync_requests WHERE lane = 'outbound'")).rowCount).toBe(0);

    // The hint is processed again (its request was never completed).
    await h.engine.hint('shop', [{ kind: 'order', externalId: 'o1' }]);
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    expect(recorded).toEqual(['shop-o1']);
    expect(shopStock()).toBe(7);

    // A further replay (poll overlap, webhook redelivery) records nothing new and moves nothing.
    await h.engine.hint('shop', [{ kind: 'order', externalId: 'o1' }]);
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    expect(recorded).toEqual(['shop-o1']);
    expect(shopStock()).toBe(7);
    const { rows } = await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM stock_ledger WHERE kind = 'order_line'");
    expect(rows[0]!.n).toBe(1);
  });
});
