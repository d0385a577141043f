import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';
import { listDeadLetters, ReplayRefused, replayAll, replayDeadLetter, type ReplayDeps } from './dead-letters.ts';

/** erp owns price and stock; shop receives them. A 422 from the shop sends the write to dead letters. */
describe('dead letters', () => {
  const erp = createTestChannel();
  const shop = createTestChannel();
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;
  let deps: ReplayDeps;
  const gross = () => [...shop.products.values()].flatMap((p) => p.variants).find((v) => v.sku === 'TEA-1')?.gross;

  beforeAll(async () => {
    const a = await serveApp(erp.app);
    const b = await serveApp(shop.app);
    servers.push(a, b);
    erp.addProduct({ id: 'e1', title: 'Tea', variants: [{ id: 'ev1', sku: 'TEA-1', gross: '10.00', stock: 3 }] });
    shop.addProduct({ id: 's1', title: 'Tea', variants: [{ id: 'sv1', sku: 'TEA-1', gross: '1', stock: 0 }] });
    h = await startEngine(
      `
connections:
  erp: { connector: testchannel, config: { url: "${a.url}", webhookSecret: s1 } }
  shop: { connector: testchannel, config: { url: "${b.url}", webhookSecret: s2 } }
ownership: { price: erp, stock: erp, content: shop }
`,
      [testchannel],
    );
    deps = { db: h.db, queues: h.queues, kick: (c, l) => h.engine.kick(c, l) };
    // The engine's own start-up sweeps run in no set order: let them finish, then sweep the shop first (it owns
    // the content the catalogue is made of), then the ERP's prices and stock.
    for (let quiet = 0; quiet < 3; ) {
      const c = (await h.queues.counts()).sweeps;
      quiet = (c.waiting ?? 0) + (c.active ?? 0) === 0 ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.engine.sweep('shop');
    await h.engine.sweep('erp');
    await h.settle();
    expect(gross()).toBe('10.00');
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('an engine request that failed for good is listed, replayed once, and drained again', async () => {
    shop.fail(422, 1);
    erp.products.get('e1')!.variants[0]!.gross = '12.00';
    await h.engine.hint('erp', [{ kind: 'product', externalId: 'e1' }]);
    await h.engine.kick('erp', 'inbound');
    await h.settle();
    expect(gross()).toBe('10.00');
    const [dead, ...more] = await listDeadLetters(h.db);
    expect(more).toEqual([]);
    expect(dead).toMatchObject({ queue: 'outbound', jobName: 'request:product', error: 'channel rejected the request (422)', attempts: 1, replayedAt: null, data: { connection: 'shop', lane: 'outbound', kind: 'product' } });

    // Two operators replay at once: exactly one succeeds.
    const results = await Promise.allSettled([replayDeadLetter(deps, dead!.id), replayDeadLetter(deps, dead!.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ReplayRefused);
    expect(String(refused.reason.message)).toMatch(new RegExp(`^dead letter ${dead!.id} was already replayed at .*; it is not replayed twice$`));
    await h.settle();
    expect(gross()).toBe('12.00');
    expect(await listDeadLetters(h.db)).toEqual([]);
    const [replayed] = await listDeadLetters(h.db, { includeReplayed: true });
    expect(replayed).toMatchObject({ id: dead!.id, replayJobId: `request/shop/outbound/product/${(dead!.data as { id: string }).id}` });
    expect(replayed!.replayedAt).not.toBeNull();
  });

  it('a plain job is re-added to its lane with its data; unknown ids and lanes are refused by name', async () => {
    const { rows } = await h.db.query<{ id: string }>(
      "INSERT INTO dead_letters (queue, job_name, job_id, data, error, attempts) VALUES ('sweeps', 'sweep', 'sweep/erp', '{\"connection\": \"erp\"}', 'boom', 10), ('elsewhere', 'x', NULL, '{}', 'bad', 1) RETURNING id",
    );
    const [job, bad] = rows.map((r) => Number(r.id));
    const { replayed, refused } = await replayAll(deps);
    expect(replayed).toEqual([{ id: job, via: 'job', replayJobId: `sweeps/replay/${job}`, connection: 'erp' }]);
    expect(refused).toEqual([{ id: bad, reason: `dead letter ${bad} names queue "elsewhere", which is not a lane (inbound, outbound, sweeps, inbox)` }]);
    const added = await h.queues.queue('sweeps').getJob(`replay/${job}`);
    expect(added).toMatchObject({ name: 'sweep', data: { connection: 'erp' } });
    // The refused row stays open, untouched.
    expect((await listDeadLetters(h.db)).map((d) => d.id)).toEqual([bad]);
    await expect(replayDeadLetter(deps, 999_999)).rejects.toThrow('dead letter 999999 does not exist');
  });
});
