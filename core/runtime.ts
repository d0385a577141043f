import { serve, type ServerType } from '@hono/node-server';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { laneHandlers, registerSchedules } from '../workers/index.ts';
import type { HubConfig } from './config/load.ts';
import { createHttpApp } from './http/app.ts';
import { checkHealth } from './http/health.ts';
import type { Logger } from './log/logger.ts';
import { createRedactor } from './log/redact.ts';
import { createMetrics } from './metrics.ts';
import type { QueueBackend } from './queue/backend.ts';
import { type QueueSystem, type QueueTuning, QueueSystem as Queues } from './queue/queue-system.ts';
import { createDatabase, type Database } from './store/database.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './store/embedded-postgres.ts';
import { migrate } from './store/migrate.ts';
import { Engine } from './sync/engine.ts';
import { createEngine } from './sync/create-engine.ts';
import { PromotionScheduler } from './sync/promotion-scheduler.ts';
import { webhookRoutes } from './http/webhooks.ts';
import { inboxHandlers } from './inbox/replies.ts';
import { describeDatabase, waitForDatabase } from './store/wait-for-database.ts';

export interface Store {
  url: string;
  db: Database;
  embedded: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

/** The configured PostgreSQL, or an embedded one under `dataDir/pg` when none is configured. */
export async function openStore(config: HubConfig, log: Logger): Promise<Store> {
  const external = config.database.url?.reveal();
  const embedded = external ? undefined : await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'pg'), log });
  if (embedded) config.secrets.add(embedded.password);
  const url = external ?? embedded!.url;
  const db = createDatabase(url);
  if (external) {
    try {
      await waitForDatabase(db, { log, where: describeDatabase(external) });
    } catch (err) {
      await db.end().catch(() => undefined);
      throw err;
    }
  }
  return {
    url,
    db,
    embedded,
    async close() {
      await db.end().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

export interface Hub {
  /** Base URL of the HTTP server (role "all" only). */
  url: string | undefined;
  /** The HTTP app it serves (role "all" only), for in-process requests and route listings in tests. */
  app: ReturnType<typeof createHttpApp> | undefined;
  store: Store;
  queues: QueueSystem;
  engine: Engine;
  /** Graceful: stop accepting requests, drain in-flight jobs, close the queue, stop the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** `all`: HTTP + workers (single machine). `worker`: workers only, to scale out. */
  role: 'all' | 'worker';
  log: Logger;
  tuning?: QueueTuning;
}

export async function startHub(config: HubConfig, options: StartOptions): Promise<Hub> {
  const { log } = options;
  const store = await openStore(config, log);
  let queues: QueueSystem | undefined;
  let server: ServerType | undefined;
  let engineRef: Engine | undefined;
  let closeEngine: (() => Promise<void>) | undefined;
  let promotions: PromotionScheduler | undefined;
  try {
    const { applied } = await migrate(store.db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');

    const redisUrl = config.queue.redisUrl?.reveal();
    const backend: QueueBackend = redisUrl ? { kind: 'redis', redisUrl } : { kind: 'postgres', databaseUrl: store.url };
    const metrics = createMetrics();
    queues = new Queues(backend, { db: store.db, log, metrics, tuning: options.tuning ?? { lockDurationMs: config.queue.lockDuration, stalledIntervalMs: config.queue.lockDuration } });
    const built = createEngine(config, { db: store.db, queues, log, sharedLimitsRedisUrl: redisUrl });
    const engine = built.engine;
    engineRef = engine;
    closeEngine = built.close;
    const ctx = { db: store.db, queues };
    await registerSchedules(ctx);
    const handlers = laneHandlers(ctx);
    const engineHandlers = engine.handlers();
    for (const lane of Object.keys(engineHandlers) as Array<keyof typeof engineHandlers>) {
      handlers[lane] = { ...(handlers[lane] ?? {}), ...engineHandlers[lane] };
    }
    handlers.inbox = { ...(handlers.inbox ?? {}), ...inboxHandlers({ db: store.db, engine, log }) };
    queues.startWorkers(handlers, config.queue.concurrency);
    await engine.start();
    if (options.role === 'all') {
      // Promotions as code, then on-time starts and ends (and whatever started or ended while the hub was down).
      promotions = new PromotionScheduler({ db: store.db, engine, log });
      await promotions.syncConfig(config.promotions, config.promotionCombine);
      await promotions.start();
    }
    log.info({ connections: engine.connections.map((c) => `${c.name} (${c.def.name}@${c.def.version})`) }, 'connections loaded');
    log.info({ queue: backend.kind, database: store.embedded ? 'embedded' : 'external', role: options.role }, 'workers started');

    let url: string | undefined;
    let served: ReturnType<typeof createHttpApp> | undefined;
    if (options.role === 'all') {
      const q = queues;
      const app = createHttpApp({
        log,
        metrics,
        queues: q,
        health: () => checkHealth(store.db, q),
        bodyLimit: config.http.bodyLimit,
        redact: createRedactor(config.secrets),
        db: store.db, connections: Object.values(config.connections).filter((c) => c.enabled).map((c) => ({ name: c.name, connector: c.connector })),
        web: { db: store.db, log, engine: engineRef!, queues: q, secureCookies: config.http.publicUrl?.startsWith('https:') ?? false },
      });
      app.route('/webhooks', webhookRoutes({ db: store.db, engine: engineRef!, log }));
      served = app;
      url = await new Promise<string>((resolve, reject) => {
        server = serve({ fetch: app.fetch, hostname: config.http.host, port: config.http.port }, (info: AddressInfo) =>
          resolve(`http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`),
        );
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'EADDRINUSE' ? new Error(`http.port ${config.http.port} on ${config.http.host} is already in use`) : err),
        );
      });
      log.info({ url }, 'omnihub is listening');
    }

    const q = queues;
    const running = engineRef!;
    let stopping: Promise<void> | undefined;
    return {
      url,
      app: served,
      store,
      queues: q,
      engine: running,
      stop() {
        stopping ??= (async () => {
          log.info('shutting down: draining in-flight jobs');
          if (server) {
            const s = server;
            await new Promise<void>((resolve) => s.close(() => resolve()));
          }
          promotions?.stop();
          await promotions?.idle();
          await closeEngine?.();
          await q.close();
          await store.close();
          log.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    promotions?.stop();
    await closeEngine?.().catch(() => undefined);
    await queues?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}
