import { rmSync } from 'node:fs';
import messenger from '../../../connectors/messenger/index.ts';
import shopify from '../../../connectors/shopify/index.ts';
import whatsapp from '../../../connectors/whatsapp/index.ts';
import { loadConfig } from '../../../core/config/load.ts';
import { memoryResolver } from '../../../core/connectors/registry.ts';
import { createLogger } from '../../../core/log/logger.ts';
import { type Hub, startHub } from '../../../core/runtime.ts';
import { type Sandbox, startSandbox } from '../../../sandbox/registry.ts';
import { freshDatabase } from '../../support/db.ts';
import { tempDir } from '../../support/hub-config.ts';
import { IDS } from './deliveries.ts';

/** Distinctive secret values: any of them appearing in an answer or a log line is a leak. */
export const SECRETS = {
  shopifyWebhook: 'shpss_sec-hook-Q7vX2mK9pL4wN8rT',
  messengerApp: 'sec-msgr-app-Z3kR8pW2qL6vN1xM',
  messengerVerify: 'sec-msgr-verify-B5nT9hJ3',
  whatsappApp: 'sec-wa-app-H6yU1oP4aS7dF2gJ',
  whatsappVerify: 'sec-wa-verify-C8mK4xV6',
} as const;

export interface SecurityHub {
  hub: Hub;
  url: string;
  /** Every log line the hub wrote, as JSON objects. */
  logs: Array<Record<string, unknown>>;
  /** Row counts of every table in the hub's schema, in one query. */
  tableCounts(): Promise<Record<string, number>>;
  /** Waits until no work is pending and no drain job is waiting or running. */
  settle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real hub (`startHub`, role "all": HTTP server, workers, engine) on a fresh database of the test run's PostgreSQL,
 * with the three connectors that receive webhooks, pointed at the channel simulators.
 */
export async function startSecurityHub(options: { bodyLimit?: number } = {}): Promise<SecurityHub> {
  const sandbox: Sandbox = await startSandbox({ ports: 'free', seed: 'none' });
  const db = await freshDatabase('security');
  const dir = tempDir('security');
  const shop = sandbox.endpoints.shopify.credentials as Record<string, string>;
  const graphUrl = sandbox.endpoints.meta.url;
  const yaml = `
dataDir: ${JSON.stringify(dir)}
database: { url: ${JSON.stringify(db.url)} }
http: { host: 127.0.0.1, port: 0, bodyLimit: ${options.bodyLimit ?? 64 * 1024} }
defaults: { schedules: { poll: 1h, sweep: 1h } }
connections:
  shopify:
    connector: shopify
    config: { shop: ${JSON.stringify(shop.shop)}, endpoint: ${JSON.stringify(shop.endpoint)}, accessToken: ${JSON.stringify(shop.accessToken)}, webhookSecret: ${JSON.stringify(SECRETS.shopifyWebhook)} }
  messenger:
    connector: messenger
    config: { pageId: "${IDS.pageId}", pageAccessToken: page-token, appSecret: ${JSON.stringify(SECRETS.messengerApp)}, verifyToken: ${JSON.stringify(SECRETS.messengerVerify)}, graphUrl: ${JSON.stringify(graphUrl)} }
  whatsapp:
    connector: whatsapp
    config:
      wabaId: "${IDS.wabaId}"
      accessToken: wa-token
      appSecret: ${JSON.stringify(SECRETS.whatsappApp)}
      verifyToken: ${JSON.stringify(SECRETS.whatsappVerify)}
      graphUrl: ${JSON.stringify(graphUrl)}
      phoneNumbers: [{ id: "${IDS.phoneNumberId}", displayNumber: "+1 555 078 3881" }]
`;
  const loaded = await loadConfig({ text: yaml, env: {}, resolver: memoryResolver([shopify, messenger, whatsapp]) });
  if (!loaded.ok) throw new Error(`security hub config invalid: ${JSON.stringify(loaded.problems)}`);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: 'info',
    format: 'json',
    secrets: loaded.config.secrets,
    destination: { write: (line: string) => logs.push(JSON.parse(line)) },
  });
  const hub = await startHub(loaded.config, { role: 'all', log });

  async function tableCounts(): Promise<Record<string, number>> {
    const { rows: tables } = await hub.store.db.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const sql = tables.map(({ t }) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(' UNION ALL ');
    const { rows } = await hub.store.db.query<{ t: string; n: number }>(sql);
    return Object.fromEntries(rows.map((r) => [r.t, r.n]));
  }

  return {
    hub,
    url: hub.url!,
    logs,
    tableCounts,
    async settle(ms = 30_000) {
      const deadline = Date.now() + ms;
      let quiet = 0;
      while (Date.now() < deadline) {
        const pending = (await hub.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_requests')).rows[0]!.n;
        const counts = await hub.queues.counts();
        const busy = (['inbound', 'outbound', 'sweeps', 'inbox'] as const).some((l) => (counts[l]?.waiting ?? 0) + (counts[l]?.active ?? 0) > 0);
        quiet = pending === 0 && !busy ? quiet + 1 : 0;
        if (quiet >= 3) return;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error('security hub did not settle');
    },
    async close() {
      await hub.stop().catch(() => undefined);
      await sandbox.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
