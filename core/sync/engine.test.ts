import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hmac } from '../sdk/signatures.ts';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel, type TestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';
import { reconcileProducts } from './outbound.ts';
import { webhookRoutes } from '../http/webhooks.ts';
import { createLogger } from '../log/logger.ts';

/**
 * The engine end to end on a real PostgreSQL and BullMQ, with three channels speaking HTTP:
 * - erp owns price and stock; shop owns content; market receives everything (markup 10 %, buffer 1).
 */
const BACKENDS: Array<[string, string | undefined]> = [
  ['the PostgreSQL queue backend', undefined],
  ['the Redis queue backend', inject('redisUrl') ?? 'redis-missing'],
];

describe.each(BACKENDS)('sync engine on %s', (_backend, redisUrl) => {
  const channels: Record<'erp' | 'shop' | 'market', TestChannel> = { erp: createTestChannel(), shop: createTestChannel(), market: createTestChannel() };
  const servers: Array<{ url: string; close(): Promise<void> }> = [];
  let h: EngineHarness;
  let hookUrl: string;

  const sku = (channel: TestChannel, s: string) => [...channel.products.values()].flatMap((p) => p.variants).find((v) => v.sku === s);

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
  erp: { connector: testchannel, config: { url: "${urls.erp}", webhookSecret: erp-secret } }
  shop: { connector: testchannel, config: { url: "${urls.shop}", webhookSecret: shop-secret } }
  market:
    connector: testchannel
    config: { url: "${urls.market}", webhookSecret: market-secret }
    prices: { markupPercent: 10 }
    stock: { buffer: 1 }
    onDrift: report
ownership: { price: erp, stock: erp, content: shop }
`,
      [testchannel],
      redisUrl,
    );
    const hooks = await serveApp(webhookRoutes({ db: h.db, engine: h.engine, log: createLogger({ level: 'silent' }) }));
    servers.push(hooks);
    hookUrl = hooks.url;

    // The shop has the catalogue content; the ERP has prices and stock for the same SKUs.
    channels.shop.addProduct({ id: 'sp1', title: 'Linen shirt', variants: [{ id: 'sv1', sku: 'SHIRT-M', gross: '0', stock: 0 }, { id: 'sv2', sku: 'SHIRT-L', gross: '0', stock: 0 }] });
    channels.erp.addProduct({ id: 'ep1', title: 'ERP name', variants: [{ id: 'ev1', sku: 'SHIRT-M', gross: '123.00', stock: 10 }, { id: 'ev2', sku: 'SHIRT-L', gross: '123.00', stock: 4 }] });
    channels.market.addProduct({ id: 'mp1', title: 'Market copy', variants: [{ id: 'mv1', sku: 'SHIRT-M', gross: '1', stock: 0 }, { id: 'mv9', sku: 'UNKNOWN-1', gross: '1', stock: 0 }] });
    await h.engine.sweep('shop');
    await h.engine.sweep('erp');
    await h.engine.sweep('market');
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('links by SKU, reports what it cannot link, and pushes each owner\'s fields to the others through their rules', async () => {
    expect(sku(channels.shop, 'SHIRT-M')).toMatchObject({ gross: '123.00', stock: 10 });
    expect(sku(channels.market, 'SHIRT-M')).toMatchObject({ gross: '135.30', stock: 9 });
    const unlinked = await h.engine.bindings.unlinked('market');
    expect(unlinked.map((b) => [b.externalId, b.linkReason])).toEqual([['mv9', 'no variant with SKU "UNKNOWN-1" in the catalogue, and market does not own content']]);
    // Content is the shop's: the ERP's own product name never replaced it.
    const { rows } = await h.db.query('SELECT title FROM products');
    expect(rows, JSON.stringify(await h.engine.bindings.all('erp', 'product'))).toEqual([{ title: { en: 'Linen shirt' } }]);
  });

  it('two connections owning different fields never overwrite each other', async () => {
    channels.erp.products.get('ep1')!.variants[0]!.gross = '150.00';
    channels.erp.products.get('ep1')!.title = 'ERP renamed';
    await h.engine.hint('erp', [{ kind: 'product', externalId: 'ep1' }]);
    await h.engine.kick('erp', 'inbound');
    await h.settle();
    channels.shop.products.get('sp1')!.title = 'Linen shirt, summer';
    channels.shop.products.get('sp1')!.variants[0]!.gross = '99.00'; // a price edit on the shop: not its field
    await h.engine.hint('shop', [{ kind: 'product', externalId: 'sp1' }]);
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    const { rows } = await h.db.query("SELECT p.title, pr.gross::text FROM products p JOIN variants v ON v.product_id = p.id JOIN prices pr ON pr.variant_id = v.id WHERE v.sku = 'SHIRT-M'");
    expect(rows).toEqual([{ title: { en: 'Linen shirt, summer' }, gross: '150.0000' }]);
    expect(sku(channels.market, 'SHIRT-M')!.gross).toBe('165.00');
    // The shop's foreign price edit was recorded as drift and healed back to the owner's price.
    expect(sku(channels.shop, 'SHIRT-M')!.gross).toBe('150.00');
    const drift = await h.db.query("SELECT sku, field, expected, resolution FROM drift WHERE connection = 'shop' AND actual = '\"99.00\"'");
    expect(drift.rows).toEqual([{ sku: 'SHIRT-M', field: 'price', expected: '150.00', resolution: 'overwritten' }]);
    // Likewise the ERP's rename of a product (content is the shop's) was drift, healed with the shop's title.
    expect(channels.erp.products.get('ep1')!.title).toBe('Linen shirt, summer');
    const titleDrift = await h.db.query("SELECT actual, resolution FROM drift WHERE connection = 'erp' AND field = 'title' AND actual = '{\"en\": \"ERP renamed\"}'::jsonb");
    expect(titleDrift.rows).toEqual([{ actual: { en: 'ERP renamed' }, resolution: 'overwritten' }]);
  });

  it('with onDrift: report, a foreign edit is recorded for the operator and left alone', async () => {
    const before = channels.market.writes().length;
    sku(channels.market, 'SHIRT-M')!.gross = '1.00';
    await h.engine.hint('market', [{ kind: 'product', externalId: 'mp1' }]);
    await h.engine.kick('market', 'inbound');
    await h.settle();
    expect(sku(channels.market, 'SHIRT-M')!.gross).toBe('1.00');
    expect(channels.market.writes().length).toBe(before);
    const drift = await h.db.query("SELECT expected, actual FROM drift WHERE connection = 'market' AND field = 'price' AND resolved_at IS NULL");
    expect(drift.rows).toEqual([{ expected: '165.00', actual: '1.00' }]);
    // The next legitimate change to the price still reaches the channel.
    channels.erp.products.get('ep1')!.variants[0]!.gross = '150.01';
    await h.engine.hint('erp', [{ kind: 'product', externalId: 'ep1' }]);
    await h.engine.kick('erp', 'inbound');
    await h.settle();
    expect(sku(channels.market, 'SHIRT-M')!.gross).toBe('165.01');
    channels.erp.products.get('ep1')!.variants[0]!.gross = '150.00';
    await h.engine.hint('erp', [{ kind: 'product', externalId: 'ep1' }]);
    await h.engine.kick('erp', 'inbound');
    await h.settle();
  });

  it('a burst of 1,000 hints for one SKU yields a handful of outbound writes', async () => {
    channels.erp.products.get('ep1')!.variants[1]!.stock = 3;
    const before = channels.market.writes().length + channels.shop.writes().length;
    await h.engine.hint('erp', Array.from({ length: 1000 }, () => ({ kind: 'stock' as const, externalId: 'ev2', productExternalId: 'ep1' })));
    await h.engine.kick('erp', 'inbound');
    await h.settle();
    const writes = channels.market.writes().length + channels.shop.writes().length - before;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(4);
    expect(sku(channels.shop, 'SHIRT-L')!.stock).toBe(3);
  });

  it('an echo of our own write changes nothing', async () => {
    const before = channels.shop.writes().length + channels.market.writes().length;
    await h.engine.hint('shop', [{ kind: 'product', externalId: 'sp1' }]);
    await h.engine.hint('market', [{ kind: 'product', externalId: 'mp1' }]);
    await h.engine.kick('shop', 'inbound');
    await h.engine.kick('market', 'inbound');
    await h.settle();
    expect(channels.shop.writes().length + channels.market.writes().length).toBe(before);
  });

  it('a stock hint reporting the quantity the hub last wrote is its echo: no read of the product; another quantity is read', async () => {
    const shown = sku(channels.shop, 'SHIRT-M')!.stock;
    const reads = () => channels.shop.log.filter((l) => l.method === 'GET').length;
    const before = reads();
    await h.engine.hint('shop', [{ kind: 'stock', externalId: 'sv1', productExternalId: 'sp1', observed: shown }]);
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    expect(reads()).toBe(before);
    await h.engine.hint('shop', [{ kind: 'stock', externalId: 'sv1', productExternalId: 'sp1', observed: shown + 5 }]);
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    expect(reads()).toBeGreaterThan(before);
  });

  it('a replayed order never double-decrements; a cancellation compensates once', async () => {
    channels.market.orders.set('o1', { id: 'o1', status: 'paid', lines: [{ id: 'l1', sku: 'SHIRT-M', quantity: 2 }] });
    for (let i = 0; i < 3; i++) await h.engine.poll('market');
    await h.settle();
    const onHand = async () => (await h.db.query("SELECT sum(quantity)::int AS q FROM stock_ledger l JOIN variants v ON v.id = l.variant_id WHERE v.sku = 'SHIRT-M'")).rows[0].q;
    expect(await onHand()).toBe(8);
    expect(sku(channels.shop, 'SHIRT-M')!.stock).toBe(8);
    channels.market.orders.get('o1')!.status = 'cancelled';
    await h.engine.poll('market');
    await h.engine.poll('market');
    await h.settle();
    expect(await onHand()).toBe(10);
  });

  it('a pending order reserves its units (other channels show less, no stock moves) until it is final', async () => {
    const shirtL = async () => (await h.db.query("SELECT coalesce(sum(quantity), 0)::int AS q FROM stock_ledger l JOIN variants v ON v.id = l.variant_id WHERE v.sku = 'SHIRT-L'")).rows[0].q;
    const ledgerBefore = await shirtL();
    const shownBefore = sku(channels.shop, 'SHIRT-L')!.stock;
    channels.market.orders.set('o3', { id: 'o3', status: 'pending', lines: [{ id: 'l1', sku: 'SHIRT-L', quantity: 1 }] });
    await h.engine.poll('market');
    await h.settle();
    expect(sku(channels.shop, 'SHIRT-L')!.stock).toBe(shownBefore - 1);
    expect(await shirtL()).toBe(ledgerBefore);
    channels.market.orders.get('o3')!.status = 'paid';
    await h.engine.poll('market');
    await h.settle();
    expect(await shirtL()).toBe(ledgerBefore - 1);
    expect(sku(channels.shop, 'SHIRT-L')!.stock).toBe(shownBefore - 1);
    const open = await h.db.query("SELECT count(*)::int AS n FROM reservations WHERE released_at IS NULL");
    expect(open.rows[0].n).toBe(0);
  });

  it('an order line without a SKU mapping is kept as needs_mapping, never lost', async () => {
    channels.market.orders.set('o2', { id: 'o2', status: 'paid', lines: [{ id: 'l1', sku: 'NOPE-9', quantity: 1 }] });
    await h.engine.poll('market');
    const { rows } = await h.db.query("SELECT o.state, l.state AS line_state FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.external_id = 'o2'");
    expect(rows).toEqual([{ state: 'needs_mapping', line_state: 'needs_mapping' }]);

    // The mapping appears (the content owner lists the SKU): the waiting order moves stock, once.
    channels.shop.addProduct({ id: 'sp9', title: 'Socks', variants: [{ id: 'sv9', sku: 'NOPE-9', gross: '0', stock: 0 }] });
    channels.erp.addProduct({ id: 'ep9', title: 'Socks', variants: [{ id: 'ev9', sku: 'NOPE-9', gross: '10.00', stock: 5 }] });
    await h.engine.sweep('shop');
    await h.engine.sweep('erp');
    await h.engine.resumeNeedsMapping();
    await h.engine.resumeNeedsMapping();
    await h.settle();
    const after = await h.db.query("SELECT o.state, (SELECT count(*)::int FROM stock_ledger WHERE origin LIKE 'market:order:o2:%') AS entries FROM orders o WHERE o.external_id = 'o2'");
    expect(after.rows).toEqual([{ state: 'ok', entries: 1 }]);
  });

  it('a dry run (plan) computes writes and makes none at the HTTP layer', async () => {
    await h.db.query("UPDATE bindings SET pushed = '{}'::jsonb WHERE connection = 'market'");
    const before = channels.market.log.length;
    const { rows } = await h.db.query<{ id: string }>('SELECT id FROM products');
    const out = await reconcileProducts(h.db, h.engine.bindings, h.engine.connection('market')!, rows.map((r) => r.id), { dryRun: true });
    expect(out.writes.map((w) => [w.operation, w.sku])).toEqual(expect.arrayContaining([['prices.set', 'SHIRT-M'], ['stock.set', 'SHIRT-M']]));
    expect(channels.market.log.slice(before).filter((l) => l.method !== 'GET')).toEqual([]);
  });

  it('webhooks: a forged signature gets 401, a replayed delivery is a no-op', async () => {
    const body = JSON.stringify({ kind: 'product', id: 'ep1' });
    const forged = await fetch(`${hookUrl}/erp`, { method: 'POST', body, headers: { 'x-test-signature': 'deadbeef', 'x-test-event-id': 'e1' } });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: 'signature rejected: signature does not match the body' });
    const sig = hmac('sha256', 'erp-secret', body, 'hex');
    const first = await fetch(`${hookUrl}/erp`, { method: 'POST', body, headers: { 'x-test-signature': sig, 'x-test-event-id': 'e1' } });
    expect(await first.json()).toEqual({ ok: true, hints: 1 });
    const again = await fetch(`${hookUrl}/erp`, { method: 'POST', body, headers: { 'x-test-signature': sig, 'x-test-event-id': 'e1' } });
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    const bad = JSON.stringify({ nope: true });
    const malformed = await fetch(`${hookUrl}/erp`, { method: 'POST', body: bad, headers: { 'x-test-signature': hmac('sha256', 'erp-secret', bad, 'hex') } });
    expect(malformed.status).toBe(400);
    await h.settle();
  });

  it('a 5xx from a channel is retried until it succeeds; nothing is dead-lettered', async () => {
    channels.market.fail(503, 2, '0');
    channels.erp.products.get('ep1')!.variants[0]!.gross = '160.00';
    await h.engine.hint('erp', [{ kind: 'product', externalId: 'ep1' }]);
    await h.engine.kick('erp', 'inbound');
    await h.settle(30_000);
    expect(sku(channels.market, 'SHIRT-M')!.gross).toBe('176.00');
    expect((await h.db.query('SELECT count(*)::int AS n FROM dead_letters')).rows[0].n).toBe(0);
  });

  it('a product deleted on a channel is detected by walking bindings and confirming by a direct read', async () => {
    channels.market.products.delete('mp1');
    const r = await h.engine.sweep('market');
    expect(r.deleted).toBe(1);
    const b = await h.engine.bindings.byExternal('market', 'product', 'mp1');
    expect(b).toMatchObject({ linkState: 'unlinked', linkReason: 'deleted on the channel (confirmed by a direct read)' });
  });
});
