import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';

/**
 * At the first sync a channel's sweep can read its listings before the ERP's sweep has brought their SKUs: those
 * items are unlinked. When the ERP then creates the SKUs, the waiting items link at once, not at the next sweep.
 */
describe('items seen before their SKU existed', () => {
  const erp = createTestChannel();
  const shop = createTestChannel();
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;

  beforeAll(async () => {
    const e = await serveApp(erp.app);
    const s = await serveApp(shop.app);
    servers.push(e, s);
    h = await startEngine(
      `
connections:
  erp: { connector: testchannel, config: { url: "${e.url}", webhookSecret: e } }
  shop: { connector: testchannel, config: { url: "${s.url}", webhookSecret: s } }
ownership: { content: erp, price: erp, stock: erp }
`,
      [testchannel],
    );
    erp.addProduct({ id: 'e1', title: 'Mug', variants: [{ id: 'ev1', sku: 'MUG-1', gross: '20.00', stock: 7 }] });
    shop.addProduct({ id: 's1', title: 'Mug', variants: [{ id: 'sv1', sku: 'MUG-1', gross: '1.00', stock: 0 }] });
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('links them when the owner creates their SKUs, and brings them in line, without another sweep of the channel', async () => {
    await h.engine.sweep('shop');
    const binding = async () => (await h.db.query<{ link_state: string }>(`SELECT link_state FROM bindings WHERE connection = 'shop' AND kind = 'variant' AND external_id = 'sv1'`)).rows[0]?.link_state;
    expect(await binding()).toBe('unlinked');

    await h.engine.sweep('erp');
    await h.settle();
    expect(await binding()).toBe('linked');
    expect(shop.products.get('s1')!.variants[0]).toMatchObject({ stock: 7, gross: '20.00' });
    expect(shop.products.size).toBe(1); // linked, not listed a second time
  });
});
