import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/load.ts';
import { memoryResolver } from '../connectors/registry.ts';
import { createLogger } from '../log/logger.ts';
import { QueueSystem } from '../queue/queue-system.ts';
import type { ConnectorDefinition } from '../sdk/define-connector.ts';
import { createDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { Engine } from '../sync/engine.ts';
import { buildConnections, memoryLimiters } from '../sync/runtime.ts';

/** A fresh, empty database for one harness, and how to drop it. */
export type DatabaseFactory = () => Promise<{ url: string; drop(): Promise<void> }>;

/** Serves a hono app on 127.0.0.1 for a test. */
export function serveApp(app: { fetch: (r: Request) => Response | Promise<Response> }): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((r) => server.close(() => r())) }),
    );
  });
}

export interface EngineHarness {
  db: Database;
  engine: Engine;
  queues: QueueSystem;
  /** Waits until no work is pending and no drain job is waiting or running. */
  settle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real engine on a fresh database, workers running, connectors from memory. The queue lives in that database
 * (BullMQ's PostgreSQL backend), or in Redis when `redisUrl` is given.
 */
export async function startEngine(
  yaml: string,
  connectors: ConnectorDefinition[],
  /** `now`: the connections' clock (what outbound prices promotions at), for tests that move time. */
  options: { database: DatabaseFactory; redisUrl?: string; env?: Record<string, string>; now?: () => Date },
): Promise<EngineHarness> {
  const fresh = await options.database();
  const db = createDatabase(fresh.url);
  await migrate(db);
  const result = await loadConfig({ text: yaml, env: options.env ?? {}, resolver: memoryResolver(connectors) });
  if (!result.ok) throw new Error(`engine test config invalid: ${JSON.stringify(result.problems)}`);
  const log = createLogger({ level: process.env.TEST_LOG ?? 'silent', format: 'json' });
  const queues = new QueueSystem(
    options.redisUrl ? { kind: 'redis', redisUrl: options.redisUrl, prefix: `h${Math.random().toString(36).slice(2, 10)}` } : { kind: 'postgres', databaseUrl: fresh.url },
    { db, log },
  );
  const limiters = memoryLimiters();
  // eslint-disable-next-line prefer-const
  let engine: Engine;
  const connections = buildConnections(result.config, {
    db, log, vaultKey: Buffer.alloc(32, 7), secrets: new Set(),
    // Not deduplicated by the poll's event id: those name a change by its second-resolution timestamp, so a second
    // change within the same second would be dropped as a repeat. Repeats only cost a read (pending ones coalesce).
    emit: async (connection, hint) => {
      await engine.intake(connection, undefined, [hint]);
    },
    limiterFor: limiters,
    ...(options.now ? { now: options.now } : {}),
  });
  engine = new Engine({ db, queues, log, connections });
  // The lanes' concurrency as configured (`queue.concurrency`), as `omnihub start` runs them.
  queues.startWorkers(engine.handlers(), result.config.queue.concurrency);
  await engine.start(200);
  return {
    db,
    engine,
    queues,
    async settle(ms = 20_000) {
      const deadline = Date.now() + ms;
      let quiet = 0;
      while (Date.now() < deadline) {
        const pending = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_requests')).rows[0]!.n;
        const counts = await queues.counts();
        const busy = (['inbound', 'outbound'] as const).some((l) => (counts[l].waiting ?? 0) + (counts[l].active ?? 0) + (counts[l].delayed ?? 0) > 0);
        quiet = pending === 0 && !busy ? quiet + 1 : 0;
        if (quiet >= 3) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      const rows = (await db.query('SELECT connection, lane, entity_kind, entity_id, attempts, last_error FROM sync_requests')).rows;
      throw new Error(`engine did not settle: ${JSON.stringify(rows)} queues: ${JSON.stringify(await queues.counts())} failed: ${JSON.stringify((await queues.queue("outbound").getFailed()).map((j) => j.failedReason))}`);
    },
    async close() {
      engine.stop();
      await queues.close();
      await db.end();
      await fresh.drop();
    },
  };
}
