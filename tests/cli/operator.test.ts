import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log/logger.ts';
import { QueueSystem } from '../../core/queue/queue-system.ts';
import { createDatabase, type Database } from '../../core/store/database.ts';
import { createTestChannel, type TestChannel } from '../fixtures/testchannel/server.ts';
import { freshDatabase } from '../support/db.ts';
import { serveApp } from '../support/engine-harness.ts';
import { tempDir } from '../support/hub-config.ts';
import { runCli } from './run-cli.ts';

/**
 * The operator commands as a merchant runs them: real processes through bin/, a real PostgreSQL database, and three
 * test channels over HTTP (shop owns content, erp owns price and stock, market receives everything +10 %, buffer 1).
 * The tests run in order: each starts from the state the previous one left.
 */
describe('omnihub plan / status / sync / dead-letters / reauth', () => {
  const channels: Record<'shop' | 'erp' | 'market', TestChannel> = { shop: createTestChannel(), erp: createTestChannel(), market: createTestChannel() };
  const servers: Array<{ close(): Promise<void> }> = [];
  let fresh: { url: string; drop(): Promise<void> };
  let db: Database;
  let dir: string;

  const cli = (...args: string[]) => runCli(args, { cwd: dir, env: { DATABASE_URL: fresh.url, REDIS_URL: undefined, OMNIHUB_CONFIG: undefined, OMNIHUB_SECRET_KEY: 'cli-test-key' } });
  const variant = (ch: TestChannel, sku: string) => [...ch.products.values()].flatMap((p) => p.variants).find((v) => v.sku === sku);
  const requests = () => Object.values(channels).reduce((n, ch) => n + ch.log.length, 0);
  const setBasePrice = (sku: string, gross: string) =>
    db.query("UPDATE prices SET gross = $2::numeric, net = round($2::numeric / 1.23, 2) WHERE variant_id = (SELECT id FROM variants WHERE sku = $1)", [sku, gross]);

  beforeAll(async () => {
    fresh = await freshDatabase('cli_operator');
    db = createDatabase(fresh.url);
    const urls: Record<string, string> = {};
    for (const [name, ch] of Object.entries(channels)) {
      const s = await serveApp(ch.app);
      servers.push(s);
      urls[name] = s.url;
    }
    channels.shop.addProduct({ id: 'sp1', title: 'Linen shirt', variants: [{ id: 'sv1', sku: 'SHIRT-M', gross: '0', stock: 0 }, { id: 'sv2', sku: 'SHIRT-L', gross: '0', stock: 0 }] });
    channels.erp.addProduct({ id: 'ep1', title: 'ERP name', variants: [{ id: 'ev1', sku: 'SHIRT-M', gross: '123.00', stock: 10 }, { id: 'ev2', sku: 'SHIRT-L', gross: '123.00', stock: 4 }] });
    channels.market.addProduct({ id: 'mp1', title: 'Market copy', variants: [{ id: 'mv1', sku: 'SHIRT-M', gross: '1', stock: 0 }, { id: 'mv9', sku: 'UNKNOWN-1', gross: '1', stock: 0 }] });
    const connector = resolve('tests/fixtures/testchannel/index.ts');
    dir = tempDir('cli-operator');
    writeFileSync(
      join(dir, 'omnihub.yaml'),
      `connections:
  shop: { connector: "${connector}", config: { url: "${urls.shop}", webhookSecret: shop-secret } }
  erp: { connector: "${connector}", config: { url: "${urls.erp}", webhookSecret: erp-secret } }
  market:
    connector: "${connector}"
    config: { url: "${urls.market}", webhookSecret: market-secret }
    prices: { markupPercent: 10 }
    stock: { buffer: 1 }
ownership: { price: erp, stock: erp, content: shop }
`,
    );
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await db?.end();
    await fresh?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sync --full --wait sweeps every connection and brings each channel to the desired state', async () => {
    const run = await cli('sync', '--full', '--wait', '--timeout', '60s');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('enqueued: sweep of shop, poll of shop, sweep of erp');
    expect(run.stdout).toContain('done: shop, erp, market are in sync');
    expect(variant(channels.shop, 'SHIRT-M')).toMatchObject({ gross: '123.00', stock: 10 });
    expect(variant(channels.market, 'SHIRT-M')).toMatchObject({ gross: '135.30', stock: 9 });
    expect((await db.query('SELECT count(*)::int AS n FROM sync_requests')).rows[0].n).toBe(0);
  }, 180_000);

  it('plan prints every write with its reasons and makes no request to any channel, nor enqueues anything', async () => {
    await setBasePrice('SHIRT-M', '200.00');
    const before = requests();
    const json = await cli('plan', '--json');
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as { products: number; connections: Array<{ connection: string; connector: string; writes: Array<{ operation: string; sku?: string; value: { gross?: string }; because: string[] }>; counts: Record<string, number>; unlinked: Array<{ externalId: string; reason: string }> }> };
    expect(plan.products).toBe(1);
    const of = (name: string) => plan.connections.find((c) => c.connection === name)!;
    expect(of('market').connector).toBe('testchannel@1.0.0');
    expect(of('market').writes.filter((w) => w.operation === 'prices.set')).toEqual([
      expect.objectContaining({ sku: 'SHIRT-M', value: expect.objectContaining({ gross: '220.00' }), because: ['markup 10%'] }),
    ]);
    expect(of('shop').writes.filter((w) => w.operation === 'prices.set')).toEqual([expect.objectContaining({ sku: 'SHIRT-M', value: expect.objectContaining({ gross: '200.00' }) })]);
    expect(of('shop').counts['prices.set']).toBe(1);
    expect(of('market').unlinked).toEqual([expect.objectContaining({ externalId: 'mv9', reason: 'no variant with SKU "UNKNOWN-1" in the catalogue, and market does not own content' })]);

    const text = await cli('plan', '--connection', 'market', '--sku', 'SHIRT-M');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('market (testchannel@1.0.0)');
    expect(text.stdout).toMatch(/prices\.set\s+SHIRT-M → 220\.00 PLN {2}because: markup 10%/);
    expect(text.stdout).not.toContain('shop (testchannel');
    expect(text.stdout).toContain('Nothing was written.');

    // Asserted at the HTTP layer: not a single request reached a channel, and no work was queued.
    expect(requests()).toBe(before);
    expect(Object.values(channels).flatMap((ch) => ch.writes()).length).toBeGreaterThan(0); // the log does record writes
    expect((await db.query('SELECT count(*)::int AS n FROM sync_requests')).rows[0].n).toBe(0);
    expect(variant(channels.market, 'SHIRT-M')!.gross).toBe('135.30');

    const unknown = await cli('plan', '--connection', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no enabled connection named "nope" (configured: shop, erp, market)');
  }, 120_000);

  it('a 401 pauses the connection: sync --wait stops and says so, status shows needs_reauth with counts, reauth resumes it', async () => {
    channels.market.fail(401, 1);
    const sync = await cli('sync', '--connection', 'market', '--wait', '--timeout', '60s');
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain('market is needs_reauth (channel refused the credentials (401)): its work waits until an operator acts (fix the credentials, then: omnihub reauth market)');

    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { queue: { backend: string; lanes: Record<string, Record<string, number>> }; connections: Array<Record<string, unknown>> };
    const market = report.connections.find((c) => c.connection === 'market')!;
    expect(market).toMatchObject({
      connector: 'testchannel@1.0.0', health: 'needs_reauth', reason: 'channel refused the credentials (401)',
      pending: { inbound: 0, outbound: 1 }, unlinked: 1, deadLetters: 0, owns: [], receives: expect.arrayContaining(['price', 'stock', 'content']),
    });
    expect(report.connections.find((c) => c.connection === 'erp')).toMatchObject({ health: 'ok', owns: ['price', 'stock'], pending: { inbound: 0, outbound: 0 } });
    expect(report.queue.backend).toBe('postgres');
    expect(Object.keys(report.queue.lanes)).toEqual(['inbound', 'outbound', 'sweeps', 'inbox']);

    const text = await cli('status');
    expect(text.stdout).toContain('market (testchannel@1.0.0): NEEDS_REAUTH — channel refused the credentials (401)');
    expect(text.stdout).toContain('pending requests: inbound 0, outbound 1');
    expect(text.stdout).toContain('→ fix the credentials, then run: omnihub reauth market');

    const reauth = await cli('reauth', 'market');
    expect(reauth.code).toBe(0);
    expect(reauth.stdout).toContain('market is ok again (was needs_reauth: channel refused the credentials (401))');
    expect((await db.query("SELECT status FROM connection_state WHERE connection = 'market'")).rows).toEqual([{ status: 'ok' }]);

    const resumed = await cli('sync', '--wait', '--timeout', '60s');
    expect(resumed.code).toBe(0);
    expect(variant(channels.market, 'SHIRT-M')!.gross).toBe('220.00');
    expect(variant(channels.shop, 'SHIRT-M')!.gross).toBe('200.00');
    const plan = JSON.parse((await cli('plan', '--json', '--sku', 'SHIRT-M')).stdout) as { connections: Array<{ writes: Array<{ operation: string }> }> };
    expect(plan.connections.flatMap((c) => c.writes).filter((w) => w.operation === 'prices.set')).toEqual([]);
  }, 240_000);

  it('dead letters: a rejected write is listed, replayed once (a second replay is refused) and then applied', async () => {
    channels.market.fail(422, 1);
    await setBasePrice('SHIRT-M', '210.00');
    const sync = await cli('sync', '--connection', 'market', '--wait', '--timeout', '60s');
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain('1 request failed for good and went to dead letters: see omnihub dead-letters');
    expect(variant(channels.market, 'SHIRT-M')!.gross).toBe('220.00');

    const listed = await cli('dead-letters', '--json');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<{ id: number; queue: string; jobName: string; error: string; attempts: number; failedAt: string; data: { connection: string } }>;
    expect(rows).toEqual([expect.objectContaining({ queue: 'outbound', jobName: 'request:product', error: 'channel rejected the request (422)', attempts: 1, data: expect.objectContaining({ connection: 'market' }) })]);
    const id = rows[0]!.id;
    const text = await cli('dead-letters', 'list');
    expect(text.stdout).toContain(`#${id}  outbound/request:product  market`);
    expect(text.stdout).toContain('channel rejected the request (422)');

    const replay = await cli('dead-letters', 'replay', String(id));
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`dead letter ${id} replayed: request/market/outbound/product/`);
    expect((await db.query("SELECT connection, lane, entity_kind FROM sync_requests")).rows).toEqual([{ connection: 'market', lane: 'outbound', entity_kind: 'product' }]);
    const again = await cli('dead-letters', 'replay', String(id));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`dead letter ${id} was already replayed at .* \\(as request/market/outbound/product/.*\\); it is not replayed twice`));
    expect((await cli('dead-letters')).stdout).toContain('no open dead letters');

    // The replayed request is drained by the workers; only the selected connection is waited for.
    const drained = await cli('sync', '--connection', 'market', '--wait', '--timeout', '60s');
    expect(drained.code).toBe(0);
    expect(variant(channels.market, 'SHIRT-M')!.gross).toBe('231.00');
  }, 240_000);

  it('dead letters of plain jobs are re-added to their lane with their data; replay --all reports refusals', async () => {
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO dead_letters (queue, job_name, job_id, data, error, attempts) VALUES ('sweeps', 'sweep', 'x', '{\"connection\": \"market\"}', 'boom', 10), ('nowhere', 'x', NULL, '{}', 'bad', 1) RETURNING id",
    );
    const [job, bad] = rows.map((r) => Number(r.id));
    const all = await cli('dead-letters', 'replay', '--all');
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`dead letter ${job} replayed as job sweeps/replay/${job}`);
    expect(all.stderr).toContain(`dead letter ${bad} names queue "nowhere", which is not a lane`);
    const queues = new QueueSystem({ kind: 'postgres', databaseUrl: fresh.url }, { db, log: createLogger({ level: 'silent' }) });
    try {
      const added = await queues.queue('sweeps').getJob(`replay/${job}`);
      expect(added).toMatchObject({ name: 'sweep', data: { connection: 'market' } });
      await added!.remove();
    } finally {
      await queues.close();
    }
    expect((await db.query('SELECT replay_job_id FROM dead_letters WHERE id = $1', [job])).rows).toEqual([{ replay_job_id: `sweeps/replay/${job}` }]);
  }, 120_000);
});
