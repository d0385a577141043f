import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';
import { createLogger } from '../log/logger.ts';
import { QueueSystem } from '../queue/queue-system.ts';
import { requestWork } from './requests.ts';
import { connectionHealth, statusReport } from './status-report.ts';

describe('statusReport', () => {
  const shop = createTestChannel();
  const erp = createTestChannel();
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;

  beforeAll(async () => {
    const a = await serveApp(shop.app);
    const b = await serveApp(erp.app);
    servers.push(a, b);
    h = await startEngine(
      `
connections:
  shop: { connector: testchannel, config: { url: "${a.url}", webhookSecret: s1 } }
  erp: { connector: testchannel, config: { url: "${b.url}", webhookSecret: s2 } }
ownership: { price: erp, stock: erp, content: shop }
`,
      [testchannel],
    );
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('reports health with its reason, pending work per lane, dead letters, drift, unlinked items and ownership', async () => {
    // Paused first, so the engine's drain leaves the pending requests where they are.
    await h.engine.setConnectionState('shop', 'needs_reauth', 'channel refused the credentials (401)');
    await requestWork(h.db, [
      { connection: 'shop', lane: 'outbound', kind: 'product', id: '00000000-0000-0000-0000-000000000001' },
      { connection: 'shop', lane: 'outbound', kind: 'product', id: '00000000-0000-0000-0000-000000000002' },
      { connection: 'shop', lane: 'inbound', kind: 'product', id: 'x1', payload: { kind: 'product', externalId: 'x1' } },
    ]);
    await h.db.query("UPDATE sync_requests SET attempts = 2 WHERE connection = 'shop' AND entity_id = 'x1'");
    await h.db.query(`INSERT INTO dead_letters (queue, job_name, job_id, data, error, attempts) VALUES
      ('outbound', 'request:product', 'shop/p', '{"connection": "shop"}', 'rejected', 1),
      ('outbound', 'request:product', 'shop/q', '{"connection": "shop"}', 'rejected', 1),
      ('sweeps', 'maintenance.prune-inbound-events', NULL, '{}', 'boom', 10)`);
    await h.db.query("UPDATE dead_letters SET replayed_at = now() WHERE job_id = 'shop/q'");
    await h.db.query(`INSERT INTO bindings (connection, kind, external_id, internal_id, link_state, link_reason, origin) VALUES
      ('erp', 'variant', 'v9', NULL, 'unlinked', 'no SKU', 'auto:sku'), ('erp', 'variant', 'v8', NULL, 'ambiguous', 'two matches', 'auto:ean')`);
    await h.db.query("INSERT INTO drift (connection, kind, external_id, sku, field, field_group) VALUES ('erp', 'variant', 'v1', 'A', 'title', 'content')");
    await h.db.query("INSERT INTO connection_state (connection, last_hint_at) VALUES ('erp', '2026-01-02T03:04:05Z')");

    const report = await statusReport(h.db, h.engine.connections, h.queues);
    expect(report.connections).toEqual([
      {
        connection: 'shop', connector: 'testchannel@1.0.0', health: 'needs_reauth', reason: 'channel refused the credentials (401)', lastHintAt: null,
        pending: { inbound: 1, outbound: 2 }, retrying: 1, deadLetters: 1, drift: 0, unlinked: 0, owns: ['content'], receives: ['price', 'stock'],
      },
      {
        connection: 'erp', connector: 'testchannel@1.0.0', health: 'ok', reason: null, lastHintAt: '2026-01-02T03:04:05.000Z',
        pending: { inbound: 0, outbound: 0 }, retrying: 0, deadLetters: 0, drift: 1, unlinked: 2, owns: ['price', 'stock'], receives: ['content'],
      },
    ]);
    expect(report.otherDeadLetters).toBe(1);
    expect(report.queue.backend).toBe('postgres');
    expect(Object.keys(report.queue.lanes!)).toEqual(['inbound', 'outbound', 'sweeps', 'inbox']);
    expect(report.queue.lanes!.sweeps).toHaveProperty('waiting');
  });

  it('health has one definition: paused states win, then work being retried, then recent retryable failures', () => {
    const none = { status: undefined, reason: null, retrying: 0, lastRetryError: null, recentFailures: 0, lastFailure: null };
    expect(connectionHealth(none)).toEqual({ health: 'ok', reason: null });
    expect(connectionHealth({ ...none, status: 'needs_reauth', reason: '401', retrying: 3, recentFailures: 2 })).toEqual({ health: 'needs_reauth', reason: '401' });
    expect(connectionHealth({ ...none, retrying: 2, lastRetryError: '429 Too Many Requests', recentFailures: 5 })).toEqual({ health: 'degraded', reason: '2 requests being retried; last error: 429 Too Many Requests' });
    expect(connectionHealth({ ...none, recentFailures: 1, lastFailure: 'stock.write.set failed (retryable): 503' })).toEqual({
      health: 'degraded', reason: 'retryable failures in the last 5 min (rate limits, timeouts or 5xx); latest: stock.write.set failed (retryable): 503',
    });
    expect(connectionHealth({ ...none, status: 'failing', reason: 'circuit open' })).toEqual({ health: 'degraded', reason: 'circuit open' });
  });

  it('a queue that cannot be reached is reported, and the rest of the report still comes back', async () => {
    const dead = new QueueSystem({ kind: 'redis', redisUrl: 'redis://127.0.0.1:1' }, { db: h.db, log: createLogger({ level: 'silent' }) });
    try {
      const report = await statusReport(h.db, h.engine.connections, dead);
      expect(report.queue).toEqual({ backend: 'redis', lanes: undefined, error: 'queue (redis) did not answer within 3000 ms' });
      expect(report.connections.map((c) => c.connection)).toEqual(['shop', 'erp']);
    } finally {
      await dead.close();
    }
  });
});
