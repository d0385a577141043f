import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel, type TestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';
import { pruneActivity } from '../../workers/maintenance.ts';
import { driftReport } from './drift-report.ts';
import { statusReport } from './status-report.ts';
import { buildTimeline } from './timeline.ts';
import { unlinkedReport } from './unlinked-report.ts';

/**
 * The console's read models on a real engine: the activity the engine records (hint → job → call → result), the
 * per-entity timelines built from it, the drift and unlinked reports, and `degraded` health.
 * erp owns price and stock, shop owns content, market receives everything and only reports drift.
 */
describe('operator views: activity, timelines, drift, unlinked, health', () => {
  const channels: Record<'erp' | 'shop' | 'market', TestChannel> = { erp: createTestChannel(), shop: createTestChannel(), market: createTestChannel() };
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;

  const hint = async (connection: string, externalId: string) => {
    await h.engine.hint(connection, [{ kind: 'product', externalId }]);
    await h.engine.kick(connection, 'inbound');
    await h.settle();
  };

  beforeAll(async () => {
    const urls: Record<string, string> = {};
    for (const [name, ch] of Object.entries(channels)) {
      const s = await serveApp(ch.app);
      servers.push(s);
      urls[name] = s.url;
    }
    h = await startEngine(
      `
connections:
  erp: { connector: testchannel, config: { url: "${urls.erp}", webhookSecret: e } }
  shop: { connector: testchannel, config: { url: "${urls.shop}", webhookSecret: s } }
  market: { connector: testchannel, config: { url: "${urls.market}", webhookSecret: m }, onDrift: report }
ownership: { price: erp, stock: erp, content: shop }
`,
      [testchannel],
    );
    channels.shop.addProduct({ id: 'sp1', title: 'Linen shirt', variants: [{ id: 'sv1', sku: 'SHIRT-M', gross: '0', stock: 0 }] });
    channels.erp.addProduct({ id: 'ep1', title: 'ERP name', variants: [{ id: 'ev1', sku: 'SHIRT-M', gross: '100.00', stock: 5 }] });
    channels.market.addProduct({ id: 'mp1', title: 'Market copy', variants: [{ id: 'mv1', sku: 'SHIRT-M', gross: '1', stock: 0 }, { id: 'mv9', sku: 'NOPE-1', gross: '1', stock: 0 }] });
    for (const c of ['shop', 'erp', 'market']) await h.engine.sweep(c);
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('a price change on the owner shows on the SKU timeline as hint → job → read → write with per-item results', async () => {
    channels.erp.products.get('ep1')!.variants[0]!.gross = '120.00';
    await hint('erp', 'ep1');
    const t = await buildTimeline(h.db, 'sku', 'SHIRT-M');
    expect(t.found).toBe(true);
    expect(t.title).toBe('SKU SHIRT-M: Linen shirt');
    const lines = t.events.map((e) => `${e.connection} ${e.step} ${e.outcome} ${e.summary}`);
    const at = (pattern: RegExp) => {
      const i = lines.findLastIndex((l) => pattern.test(l));
      expect(i, `${pattern} in\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const hinted = at(/^erp hint ok hint: product ep1 may have changed/);
    const read = at(/^erp call ok catalog\.read\.get ep1: found/);
    const job = at(/^erp job ok inbound job: product ep1 processed/);
    const wrote = at(/^shop call ok prices\.write\.set: 1 item, 1 ok/);
    const result = at(/^shop result ok prices\.write\.set SHIRT-M: ok \(channel id sv1\)/);
    expect(hinted).toBeLessThan(read);
    expect(read).toBeLessThan(job);
    expect(job).toBeLessThan(wrote);
    expect(wrote).toBeLessThan(result);
    expect(at(/^market result ok prices\.write\.set SHIRT-M/)).toBeGreaterThan(job);
    // Calls carry their duration.
    expect(t.events.find((e) => e.step === 'call')!.durationMs).toBeGreaterThanOrEqual(0);
    // Another SKU's timeline does not show this one's work.
    expect((await buildTimeline(h.db, 'sku', 'NOPE-1')).events.filter((e) => e.summary.includes('prices'))).toEqual([]);
    expect(await buildTimeline(h.db, 'sku', 'NEVER-SEEN')).toMatchObject({ found: false, events: [] });
  });

  it('a retryable failure is recorded with its classification, makes the connection degraded, and the retry succeeds', async () => {
    // The connector's HTTP client retries twice itself; the third 503 reaches the engine.
    channels.market.fail(503, 3, '0');
    channels.erp.products.get('ep1')!.variants[0]!.stock = 3;
    await h.engine.hint('erp', [{ kind: 'product', externalId: 'ep1' }]);
    await h.engine.kick('erp', 'inbound');
    await h.settle(30_000);
    const t = await buildTimeline(h.db, 'sku', 'SHIRT-M');
    const failures = t.events.filter((e) => e.connection === 'market' && e.outcome === 'retryable');
    expect(failures.map((e) => e.step)).toEqual(expect.arrayContaining(['call', 'job']));
    expect(failures.find((e) => e.step === 'job')!.summary).toMatch(/outbound job: product .* failed \(retryable\): .* → will be retried \(attempt 1 of 8\)/);
    expect(t.events.findLast((e) => e.connection === 'market' && e.step === 'result')).toMatchObject({ outcome: 'ok' });
    expect(channels.market.products.get('mp1')!.variants[0]!.stock).toBe(3);

    const report = await statusReport(h.db, h.engine.connections, h.queues);
    const byName = Object.fromEntries(report.connections.map((c) => [c.connection, c]));
    expect(byName.market).toMatchObject({ health: 'degraded', reason: expect.stringMatching(/^retryable failures in the last 5 min .*latest: .*503/) });
    expect(byName.erp).toMatchObject({ health: 'ok', reason: null });
  });

  it('drift: per SKU and field, expected, actual, owner and the action (report here; overwritten when healed)', async () => {
    channels.market.products.get('mp1')!.variants[0]!.gross = '7.00';
    await hint('market', 'mp1');
    const open = (await driftReport(h.db, h.engine.connections)).filter((d) => d.open);
    expect(open).toEqual([
      expect.objectContaining({ connection: 'market', sku: 'SHIRT-M', field: 'price', fieldGroup: 'price', expected: '120.00', actual: '7.00', owner: 'erp', action: 'report', open: true }),
    ]);
    // The shop's price (0 before the ERP's was known) may have been healed already; nothing is open there.
    expect(await driftReport(h.db, h.engine.connections, { connection: 'shop', includeResolved: false })).toEqual([]);
    expect((await buildTimeline(h.db, 'sku', 'SHIRT-M')).events.findLast((e) => e.step === 'drift')).toMatchObject({ connection: 'market', summary: 'drift on price: expected "120.00", channel shows "7.00"' });

    // Once the channel shows the right value again the row is resolved and still listed, with how.
    channels.market.products.get('mp1')!.variants[0]!.gross = '120.00';
    await hint('market', 'mp1');
    const after = await driftReport(h.db, h.engine.connections, { sku: 'SHIRT-M' });
    expect(after.find((d) => d.id === open[0]!.id)).toMatchObject({ connection: 'market', field: 'price', action: 'converged', open: false });
    // The initial sync healed the channels' differing titles: listed as overwritten, owned by the shop.
    expect(after).toContainEqual(expect.objectContaining({ connection: 'market', field: 'title', owner: 'shop', action: 'overwritten', open: false }));
    expect(await driftReport(h.db, h.engine.connections, { includeResolved: false })).toEqual([]);
  });

  it('unlinked: channel items with the reason, and orders waiting for a SKU mapping with their timeline', async () => {
    channels.market.orders.set('o1', { id: 'o1', status: 'paid', lines: [{ id: 'l1', sku: 'GHOST-9', quantity: 1 }] });
    await h.engine.hint('market', [{ kind: 'order', externalId: 'o1' }]);
    await h.engine.kick('market', 'inbound');
    await h.settle();
    const items = await unlinkedReport(h.db);
    expect(items).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: 'binding', connection: 'market', kind: 'variant', externalId: 'mv9', sku: 'NOPE-1', state: 'unlinked', reason: 'no variant with SKU "NOPE-1" in the catalogue, and market does not own content' }),
      expect.objectContaining({ source: 'order', connection: 'market', externalId: 'o1', state: 'needs_mapping', reason: expect.stringContaining('"GHOST-9"') }),
    ]));
    expect(await unlinkedReport(h.db, { connection: 'erp' })).toEqual([]);

    const orderId = items.find((i) => i.source === 'order')!.orderId!;
    const t = await buildTimeline(h.db, 'order', orderId);
    expect(t.title).toBe('order o1 on market (paid, needs mapping)');
    expect(t.events.map((e) => `${e.step} ${e.summary}`)).toEqual([
      'hint hint: order o1 may have changed',
      'call orders.read.get o1: found',
      'job inbound job: order o1 processed',
    ]);
    expect(await buildTimeline(h.db, 'order', 'not-a-uuid')).toMatchObject({ found: false, events: [] });
  });

  it('a conversation\'s timeline shows its message hint, the job, and a delivery receipt for our reply', async () => {
    const snapshot = { externalThreadId: 't-1', customer: { externalId: 'c-1', name: 'Ewa' }, messages: [{ externalId: 'm-1', direction: 'in' as const, text: 'Is it in stock?', type: 'text', attachments: [], sentAt: new Date().toISOString() }] };
    await h.engine.hint('market', [{ kind: 'conversation', externalThreadId: 't-1', snapshot }]);
    await h.engine.kick('market', 'inbound');
    await h.settle();
    const { rows } = await h.db.query<{ id: string }>("SELECT id FROM conversations WHERE connection = 'market' AND external_thread_id = 't-1'");
    await h.engine.hint('market', [{ kind: 'delivery', messageExternalId: 'm-1', status: 'read' }]);
    await h.engine.kick('market', 'inbound');
    await h.settle();
    const t = await buildTimeline(h.db, 'conversation', rows[0]!.id);
    expect(t.title).toBe('conversation on market (thread t-1)');
    expect(t.events.map((e) => `${e.step} ${e.outcome} ${e.summary}`)).toEqual([
      'hint ok hint: conversation t-1 may have changed',
      expect.stringMatching(/^job ok inbound job: conversation t-1\/m-1 processed/),
      'hint ok hint: delivery read of message m-1 may have changed',
      expect.stringMatching(/^job ok inbound job: delivery m-1\/read processed/),
    ]);
  });

  it('activity is pruned after its retention by the maintenance job', async () => {
    const before = (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM activity')).rows[0]!.n;
    expect(before).toBeGreaterThan(0);
    await h.db.query("UPDATE activity SET at = now() - interval '15 days' WHERE step = 'hint'");
    const { pruned } = await pruneActivity(h.db);
    const hints = (await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM activity WHERE step = 'hint'")).rows[0]!.n;
    expect(pruned).toBeGreaterThan(0);
    expect(hints).toBe(0);
    expect((await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM activity')).rows[0]!.n).toBe(before - pruned);
  });
});
