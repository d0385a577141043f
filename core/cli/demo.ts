import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { linkAllegroSeller } from '../../sandbox/demo/allegro-link.ts';
import { DEMO_IDS, PRESTASHOP_CATEGORIES } from '../../sandbox/demo/seed.ts';
import { runScenario } from '../../sandbox/demo/scenario.ts';
import { SHOPIFY_RESTORE_RATE, startSandbox, type Sandbox } from '../../sandbox/registry.ts';
import { type HubConfig, loadConfig } from '../config/load.ts';
import { formatProblem } from '../config/problems.ts';
import { fileResolver } from '../connectors/registry.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { type Hub, openStore, startHub } from '../runtime.ts';
import { migrate } from '../store/migrate.ts';
import { addUser } from '../web/auth/users.ts';
import { randomBytes } from 'node:crypto';
import { databaseVault, vaultKey } from '../sync/vault.ts';

/**
 * The out-of-the-box demo (`omnihub start` with no omnihub.yaml): every channel simulator with the demo shop, a hub
 * configured for them in memory, and the scripted story on the terminal. Demo data lives in `.omnihub/demo`, apart
 * from a real setup's `.omnihub`, and is reset at every start so each run tells the same story.
 *
 * Environment: `OMNIHUB_DEMO_PORT` (the hub's port; default 8080, or a free one when taken; 0 = a free port, and
 * then the simulators take free ports too, for tests), `OMNIHUB_DEMO_LOG` (the hub's log level, default `warn` so
 * the story stays readable).
 */

/** The vault entry the Allegro connector refreshes its access tokens from (connectors/allegro/tokens.ts). */
const ALLEGRO_REFRESH_TOKEN = 'allegro.refresh_token';
/** The demo's admin account (its password is generated at every start). */
export const DEMO_ADMIN_EMAIL = 'admin@demo.omnihub.local';

function freePort(port: number): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' && port !== 0 ? freePort(0).then(done, fail) : fail(err)));
    server.listen(port, '127.0.0.1', () => {
      const { port: got } = server.address() as { port: number };
      server.close(() => done(got));
    });
  });
}

const q = (v: string | number) => JSON.stringify(String(v));

/** The demo's omnihub.yaml, generated: the ERP owns content, prices and stock; every channel follows it. */
export function demoYaml(sandbox: Pick<Sandbox, 'endpoints'>, options: { dataDir: string; port: number; logLevel: string }): string {
  const e = sandbox.endpoints;
  const c = (name: keyof typeof e) => e[name].credentials as Record<string, string>;
  return `
dataDir: ${q(options.dataDir)}
http: { host: 127.0.0.1, port: ${options.port} }
log: { level: ${options.logLevel} }
currencies: { base: PLN }
ownership: { content: erp, category: erp, price: erp, stock: erp, status: erp }
# One sweep at a time, the ERP's first: channels link their listings to the products the ERP's sweep created.
queue: { concurrency: { outbound: 8, inbound: 8, sweeps: 1 } }
defaults:
  schedules: { poll: 3s, sweep: 15m }
connections:
  erp:
    connector: odoo
    config:
      url: ${q(c('odoo').url!)}
      database: ${q(c('odoo').database!)}
      login: ${q(c('odoo').login!)}
      apiKey: ${q(c('odoo').apiKey!)}
      currency: PLN
      pricesIncludeTax: true
      taxRate: "0.23"
      language: pl_PL
      orderPartnerId: ${DEMO_IDS.odooPartnerId}
      requestsPerSecond: 200
      pollOverlapSeconds: 5
  shopify:
    connector: shopify
    config:
      shop: ${q(c('shopify').shop!)}
      endpoint: ${q(c('shopify').endpoint!)}
      accessToken: ${q(c('shopify').accessToken!)}
      webhookSecret: ${q(c('shopify').webhookSecret!)}
      locale: pl
      rateLimit: { restoreRate: ${SHOPIFY_RESTORE_RATE}, bucketSize: 2000 }
  prestashop:
    connector: prestashop
    config:
      url: ${q(c('prestashop').url!)}
      key: ${q(c('prestashop').key!)}
      languages: { pl: 1, en: 2 }
      taxRuleGroups: { "0.23": 1 }
      categories: ${JSON.stringify(PRESTASHOP_CATEGORIES)}
      requestsPerSecond: 200
  allegro:
    connector: allegro
    config:
      apiUrl: ${q(c('allegro').apiUrl!)}
      authUrl: ${q(c('allegro').authUrl!)}
      clientId: ${q(c('allegro').clientId!)}
      clientSecret: ${q(c('allegro').clientSecret!)}
      commandPollIntervalMs: 250
  facebook:
    connector: facebook
    config:
      catalogId: ${q(DEMO_IDS.catalogId)}
      accessToken: ${q(c('meta').accessToken!)}
      graphUrl: ${q(c('meta').graphUrl!)}
      productUrlTemplate: "https://demo-shop.example/p/{sku}"
      batchPollIntervalMs: 300
  messenger:
    connector: messenger
    config:
      pageId: ${q(DEMO_IDS.pageId)}
      pageAccessToken: ${q(DEMO_IDS.pageAccessToken)}
      appSecret: ${q(c('meta').appSecret!)}
      verifyToken: ${q(c('meta').verifyToken!)}
      graphUrl: ${q(c('meta').graphUrl!)}
  whatsapp:
    connector: whatsapp
    config:
      wabaId: ${q(DEMO_IDS.wabaId)}
      accessToken: ${q(c('meta').accessToken!)}
      appSecret: ${q(c('meta').appSecret!)}
      verifyToken: ${q(c('meta').verifyToken!)}
      graphUrl: ${q(c('meta').graphUrl!)}
      phoneNumbers: [{ id: ${q(DEMO_IDS.phoneNumberId)}, displayNumber: ${q(DEMO_IDS.displayPhoneNumber)} }]
`;
}

/**
 * Empties the demo database and links the simulated Allegro seller before the hub's workers start, so no poll
 * meets an unlinked account. Only ever the embedded cluster under `.omnihub/demo` (never DATABASE_URL).
 */
async function prepareDatabase(config: HubConfig, log: Logger, allegroRefreshToken: string): Promise<{ email: string; password: string }> {
  const store = await openStore(config, log);
  try {
    await store.db.query('DROP SCHEMA IF EXISTS bullmq CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await migrate(store.db);
    await databaseVault(store.db, 'allegro', vaultKey(config.dataDir), (v) => config.secrets.add(v)).set(ALLEGRO_REFRESH_TOKEN, allegroRefreshToken);
    // A fresh admin per run with a generated password, printed once so a newcomer can sign in to the inbox.
    const admin = { email: DEMO_ADMIN_EMAIL, password: randomBytes(12).toString('base64url') };
    await addUser(store.db, { ...admin, name: 'Demo admin', role: 'admin' });
    return admin;
  } finally {
    await store.close();
  }
}

export interface RunningDemo {
  hub: Hub;
  sandbox: Sandbox;
  /** Settles when the story has been told (rejects when a step failed). */
  story: Promise<void>;
  stop(): Promise<void>;
}

export async function startDemo(options: { print?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<RunningDemo> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const wanted = env.OMNIHUB_DEMO_PORT !== undefined && env.OMNIHUB_DEMO_PORT !== '' ? Number(env.OMNIHUB_DEMO_PORT) : 8080;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) throw new Error(`OMNIHUB_DEMO_PORT must be a port number (0 = any free port), got "${env.OMNIHUB_DEMO_PORT}"`);
  const port = await freePort(wanted);
  const hubUrl = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({
    seed: 'demo',
    ports: wanted === 0 ? 'free' : 'fixed',
    webhooks: { shopify: `${hubUrl}/webhooks/shopify`, messenger: `${hubUrl}/webhooks/messenger`, whatsapp: `${hubUrl}/webhooks/whatsapp` },
  });
  let hub: Hub | undefined;
  try {
    print(`[demo] simulators: ${Object.values(sandbox.endpoints).map((e) => `${e.name} ${e.url}`).join(', ')}`);
    const logLevel = env.OMNIHUB_DEMO_LOG ?? 'warn';
    const yaml = demoYaml(sandbox, { dataDir: resolve('.omnihub/demo'), port, logLevel });
    // The demo never touches an external database or Redis, whatever the environment says.
    const { DATABASE_URL: _db, REDIS_URL: _redis, ...cleanEnv } = env;
    const loaded = await loadConfig({ text: yaml, env: cleanEnv, resolver: fileResolver() });
    if (!loaded.ok) throw new Error(`the demo configuration is invalid: ${loaded.problems.map(formatProblem).join('; ')}`);
    const config = loaded.config;
    const log = createLogger({ level: config.log.level, secrets: config.secrets });
    const allegro = sandbox.endpoints.allegro.credentials as Record<string, string>;
    const { refreshToken } = await linkAllegroSeller(sandbox.endpoints.allegro.url, allegro.clientId!, allegro.clientSecret!);
    print('[demo] Allegro seller linked (OAuth device flow, approved on the simulator)');
    const admin = await prepareDatabase(config, log, refreshToken);
    hub = await startHub(config, { role: 'all', log });
    const running = hub;
    print(`[demo] hub listening at ${running.url}/ (open it in a browser: connections, products, orders, stock ledger, inbox)`);
    print(`[demo] sign in to the inbox at ${running.url}/login as ${admin.email} with password ${admin.password} (generated for this run)`);
    // A customer who wrote on Messenger before the demo began; the Allegro buyer's thread is seeded and polled.
    await fetch(`${sandbox.endpoints.meta.url}/__sandbox/messenger/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pageId: DEMO_IDS.pageId, psid: '7100000000000001', name: 'Piotr Zieliński', text: 'Cześć, kiedy wyślecie moje zamówienie?' }),
    });
    const abort = new AbortController();
    const story = runScenario({
      urls: { shopify: sandbox.endpoints.shopify.url, prestashop: sandbox.endpoints.prestashop.url, allegro: sandbox.endpoints.allegro.url, meta: sandbox.endpoints.meta.url, odoo: sandbox.endpoints.odoo.url },
      hub: {
        url: running.url!,
        pendingWrites: async () => Number((await running.store.db.query<{ n: string }>("SELECT count(*) AS n FROM sync_requests WHERE lane = 'outbound'")).rows[0]?.n ?? 0),
        signIn: admin,
      },
      print,
      signal: abort.signal,
    });
    let stopping: Promise<void> | undefined;
    return {
      hub: running,
      sandbox,
      story,
      stop() {
        stopping ??= (async () => {
          abort.abort();
          await story.catch(() => undefined);
          await running.stop();
          await sandbox.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await hub?.stop().catch(() => undefined);
    await sandbox.close();
    throw err;
  }
}
