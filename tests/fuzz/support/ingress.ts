import { inject } from 'vitest';
import messenger from '../../../connectors/messenger/index.ts';
import shopify from '../../../connectors/shopify/index.ts';
import whatsapp from '../../../connectors/whatsapp/index.ts';
import { loadConfig } from '../../../core/config/load.ts';
import { memoryResolver } from '../../../core/connectors/registry.ts';
import { createHttpApp } from '../../../core/http/app.ts';
import { webhookRoutes } from '../../../core/http/webhooks.ts';
import { createLogger } from '../../../core/log/logger.ts';
import { createRedactor } from '../../../core/log/redact.ts';
import { createMetrics } from '../../../core/metrics.ts';
import { QueueSystem } from '../../../core/queue/queue-system.ts';
import { createDatabase, type Database } from '../../../core/store/database.ts';
import { migrate } from '../../../core/store/migrate.ts';
import { Engine } from '../../../core/sync/engine.ts';
import { buildConnections, memoryLimiters } from '../../../core/sync/runtime.ts';
import { IDS } from '../../security/support/deliveries.ts';
import { SECRETS } from '../../security/support/hub.ts';
import { freshDatabase } from '../../support/db.ts';

export const BODY_LIMIT = 64 * 1024;

export interface Ingress {
  /** The hub's HTTP app (the same composition as startHub: createHttpApp with the body limit, webhook routes). */
  app: ReturnType<typeof createHttpApp>;
  engine: Engine;
  db: Database;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The webhook ingress in process, on a fresh database, with no workers: what a delivery stored is exactly what the
 * ingress wrote (inbound_events, sync_requests), so a fuzz run can account for every row. Channel URLs point
 * nowhere reachable, and nothing calls them.
 */
export async function startIngress(): Promise<Ingress> {
  const fresh = await freshDatabase('fuzz');
  const db = createDatabase(fresh.url);
  await migrate(db);
  const nowhere = 'http://127.0.0.1:9';
  const yaml = `
connections:
  shopify:
    connector: shopify
    config: { shop: fuzz, endpoint: "${nowhere}", accessToken: shpat_fuzz, webhookSecret: "${SECRETS.shopifyWebhook}" }
  messenger:
    connector: messenger
    config: { pageId: "${IDS.pageId}", pageAccessToken: page-token, appSecret: "${SECRETS.messengerApp}", verifyToken: "${SECRETS.messengerVerify}", graphUrl: "${nowhere}" }
  whatsapp:
    connector: whatsapp
    config: { wabaId: "${IDS.wabaId}", accessToken: wa-token, appSecret: "${SECRETS.whatsappApp}", verifyToken: "${SECRETS.whatsappVerify}", graphUrl: "${nowhere}", phoneNumbers: [{ id: "${IDS.phoneNumberId}", displayNumber: "+1 555 078 3881" }] }
`;
  const loaded = await loadConfig({ text: yaml, env: {}, resolver: memoryResolver([shopify, messenger, whatsapp]) });
  if (!loaded.ok) throw new Error(`fuzz ingress config invalid: ${JSON.stringify(loaded.problems)}`);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', format: 'json', secrets: loaded.config.secrets, destination: { write: (line: string) => logs.push(JSON.parse(line)) } });
  const redisUrl = inject('redisUrl');
  const queues = new QueueSystem(
    redisUrl ? { kind: 'redis', redisUrl, prefix: `fuzz${Math.random().toString(36).slice(2, 10)}` } : { kind: 'postgres', databaseUrl: fresh.url },
    { db, log },
  );
  const connections = buildConnections(loaded.config, {
    db, log, vaultKey: Buffer.alloc(32, 7), secrets: loaded.config.secrets, emit: async () => undefined, limiterFor: memoryLimiters(),
  });
  const engine = new Engine({ db, queues, log, connections });
  const app = createHttpApp({
    log,
    metrics: createMetrics(),
    queues,
    health: async () => ({ ok: true, checks: {} }),
    bodyLimit: BODY_LIMIT,
    redact: createRedactor(loaded.config.secrets),
  });
  app.route('/webhooks', webhookRoutes({ db, engine, log }));
  return {
    app,
    engine,
    db,
    logs,
    async close() {
      await queues.close();
      await db.end();
      await fresh.drop();
    },
  };
}
