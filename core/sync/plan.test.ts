import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel, type TestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';
import { recordDrift } from './drift.ts';
import { buildPlan } from './plan.ts';

/** erp owns everything; market receives it (+10 %, buffer 1); so does fresh, an empty channel. */
describe('buildPlan', () => {
  const channels: Record<'erp' | 'market' | 'fresh', TestChannel> = { erp: createTestChannel(), market: createTestChannel(), fresh: createTestChannel() };
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;
  const sweepsIdle = async () => {
    for (let quiet = 0; quiet < 3; ) {
      const c = (await h.queues.counts()).sweeps;
      quiet = (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0 ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const total = () => Object.values(channels).reduce((n, c) => n + c.log.length, 0);

  beforeAll(async () => {
    const urls: Record<string, string> = {};
    for (const [name, ch] of Object.entries(channels)) {
      const s = await serveApp(ch.app);
      servers.push(s);
      urls[name] = s.url;
    }
    channels.erp.addProduct({ id: 'e1', title: 'Shirt', variants: [{ id: 'ev1', sku: 'SHIRT-M', gross: '100.00', stock: 5 }] });
    channels.erp.addProduct({ id: 'e2', title: 'Cap', variants: [{ id: 'ev2', sku: 'CAP-1', gross: '20.00', stock: 2 }] });
    channels.market.addProduct({ id: 'm1', title: 'Shirt', variants: [{ id: 'mv1', sku: 'SHIRT-M', gross: '1', stock: 0 }] });
    channels.market.addProduct({ id: 'm2', title: 'Cap', variants: [{ id: 'mv2', sku: 'CAP-1', gross: '1', stock: 0 }, { id: 'mv3', sku: 'GHOST', gross: '1', stock: 0 }] });
    h = await startEngine(
      `
connections:
  erp: { connector: testchannel, config: { url: "${urls.erp}", webhookSecret: s1 } }
  market: { connector: testchannel, config: { url: "${urls.market}", webhookSecret: s2 }, prices: { markupPercent: 10 }, stock: { buffer: 1 } }
  fresh: { connector: testchannel, config: { url: "${urls.fresh}", webhookSecret: s3 } }
ownership: { price: erp, stock: erp, content: erp }
`,
      [testchannel],
    );
    // The engine's own schedules sweep every connection at start, in no set order: let them finish, then sweep
    // the market once more so it links against the catalogue the ERP sweep created.
    await sweepsIdle();
    await h.settle();
    await h.engine.sweep('market');
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('lists each connection\'s writes with reasons, unlinked items and open drift, without a single request or request row', async () => {
    await h.db.query("UPDATE prices SET gross = 150 WHERE variant_id = (SELECT id FROM variants WHERE sku = 'SHIRT-M')");
    const shirt = (await h.db.query<{ id: string }>("SELECT id FROM variants WHERE sku = 'SHIRT-M'")).rows[0]!.id;
    await recordDrift(h.db, { connection: 'market', kind: 'variant', internalId: shirt, externalId: 'mv1', sku: 'SHIRT-M', field: 'stock', fieldGroup: 'stock', expected: 4, actual: 7 });
    // As if fresh had just been added: before its first sweep the plan says why nothing is created there,
    // instead of listing creations that would not happen.
    await h.db.query("DELETE FROM checkpoints WHERE connection = 'fresh' AND name = 'catalog.linked'");
    await h.db.query("DELETE FROM bindings WHERE connection = 'fresh'");
    const before = total();

    const plan = await buildPlan(h.db, h.engine.bindings, h.engine.connections);
    expect(plan.products).toBe(2);
    const market = plan.connections.find((c) => c.connection === 'market')!;
    expect(market.writes.map((w) => [w.operation, w.sku, w.because])).toEqual([['prices.set', 'SHIRT-M', ['markup 10%']]]);
    expect(market.writes[0]!.value).toMatchObject({ gross: '165.00' });
    expect(market.counts).toEqual({ 'prices.set': 1 });
    expect(market.unlinked).toEqual([expect.objectContaining({ externalId: 'mv3', sku: 'GHOST', linkState: 'unlinked' })]);
    expect(market.drift).toEqual([expect.objectContaining({ sku: 'SHIRT-M', field: 'stock', expected: 4, actual: 7 })]);
    const fresh = plan.connections.find((c) => c.connection === 'fresh')!;
    expect(fresh.writes).toEqual([]);
    expect(fresh.notes.join('\n')).toContain('has not been linked by a sweep yet');
    const erp = plan.connections.find((c) => c.connection === 'erp')!;
    expect(erp.notes.join('\n')).toContain('receives no field groups');

    expect(total()).toBe(before);
    expect((await h.db.query('SELECT count(*)::int AS n FROM sync_requests')).rows[0].n).toBe(0);
  });

  it('plans in batches with the same result, and --sku narrows to that SKU', async () => {
    const whole = await buildPlan(h.db, h.engine.bindings, h.engine.connections);
    const batched = await buildPlan(h.db, h.engine.bindings, h.engine.connections, { batchSize: 1 });
    expect(batched).toEqual(whole);
    await h.db.query("UPDATE prices SET gross = 25 WHERE variant_id = (SELECT id FROM variants WHERE sku = 'CAP-1')");
    const cap = await buildPlan(h.db, h.engine.bindings, h.engine.connections.filter((c) => c.name === 'market'), { sku: 'CAP-1' });
    expect(cap.products).toBe(1);
    expect(cap.connections[0]!.writes.map((w) => [w.operation, w.sku])).toEqual([['prices.set', 'CAP-1']]);
    expect(cap.connections[0]!.drift).toEqual([]);
    expect(cap.connections[0]!.unlinked).toEqual([]);
  });
});
