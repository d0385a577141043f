import { createAllegroSimulator } from './allegro/index.ts';
import { listen, type RunningSimulator, type Simulator } from './common/simulator.ts';
import { DEMO_IDS, demoSeeds } from './demo/seed.ts';
import { createMetaSimulator } from './meta/index.ts';
import { createOdooSimulator } from './odoo/index.ts';
import { createPrestashopSimulator, DEFAULT_WS_KEY } from './prestashop/index.ts';
import { createShopifySimulator, type ShopifySimulator } from './shopify/index.ts';

/**
 * Every channel simulator on 127.0.0.1, for the demo and for people writing connectors. Fixed ports by default
 * (8801–8805, so URLs stay the same between runs), a free port for any that is taken, or free ports for all
 * (`ports: 'free'`, tests).
 */
export const DEFAULT_PORTS = { shopify: 8801, prestashop: 8802, allegro: 8803, meta: 8804, odoo: 8805 } as const;
export type SimulatorName = keyof typeof DEFAULT_PORTS;

export interface SandboxOptions {
  ports?: 'fixed' | 'free';
  /** `demo`: the demo shop (sandbox/demo/seed.ts); `none`: each simulator's own default state. */
  seed?: 'demo' | 'none';
  /** Where the simulators deliver webhooks (the hub's `/webhooks/<connection>` URLs). */
  webhooks?: { shopify?: string; messenger?: string; whatsapp?: string };
}

/** What a connector needs to reach one simulator: its URL, and credentials that simulator accepts. */
export interface SandboxEndpoint {
  name: SimulatorName;
  url: string;
  /** Values to put in a connection's `config:` (only sandbox credentials: nothing here is a real secret). */
  credentials: Record<string, string | number | Record<string, number>>;
  /** A line on how to use it. */
  note: string;
}

export interface Sandbox {
  endpoints: Record<SimulatorName, SandboxEndpoint>;
  simulators: Record<SimulatorName, Simulator>;
  /** Stops every simulator; in-flight webhook deliveries are abandoned. */
  close(): Promise<void>;
}

/**
 * Tuning that keeps the story quick without changing any protocol: asynchronous work completes sooner, and the
 * Shopify cost bucket refills 20× faster than a Standard plan's (2000 points/s), so creating 50 products takes
 * seconds rather than minutes. Connectors must be configured for that rate (see `SHOPIFY_RESTORE_RATE`).
 */
const QUICK = { allegro: { commandDelayMs: 200, devicePollIntervalSeconds: 0 }, meta: { batchProcessingMs: 300 }, shopify: { rateLimitScale: 20 } };
export const SHOPIFY_RESTORE_RATE = 100 * QUICK.shopify.rateLimitScale;

async function listenOn(sim: Simulator, preferred: number | undefined): Promise<RunningSimulator> {
  if (preferred !== undefined) {
    try {
      return await listen(sim, preferred);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  return listen(sim, 0);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seeds = options.seed === 'demo' ? demoSeeds() : undefined;
  const shopify: ShopifySimulator = createShopifySimulator({
    shopDomain: 'omnihub-sandbox.myshopify.com',
    currency: 'PLN',
    ...QUICK.shopify,
    ...(options.webhooks?.shopify ? { webhookUrl: options.webhooks.shopify } : {}),
    ...(seeds ? { seed: seeds.shopify } : {}),
  });
  // A webhook answered by a hub that is still starting is retried by the simulator, as Shopify does.
  shopify.webhooks.setPolicy({ retries: 10, retryDelayMs: 500 });
  const simulators: Record<SimulatorName, Simulator> = {
    shopify,
    prestashop: createPrestashopSimulator(seeds ? { seed: seeds.prestashop } : {}),
    allegro: createAllegroSimulator(QUICK.allegro),
    meta: createMetaSimulator({
      ...QUICK.meta,
      ...(options.webhooks?.messenger ? { messengerWebhookUrl: options.webhooks.messenger } : {}),
      ...(options.webhooks?.whatsapp ? { whatsappWebhookUrl: options.webhooks.whatsapp } : {}),
    }),
    odoo: createOdooSimulator({ database: DEMO_IDS.odooDatabase, currency: 'PLN', ...(seeds ? { seed: seeds.odoo } : {}) }),
  };
  const running: RunningSimulator[] = [];
  try {
    for (const name of Object.keys(DEFAULT_PORTS) as SimulatorName[]) {
      running.push(await listenOn(simulators[name], options.ports === 'free' ? undefined : DEFAULT_PORTS[name]));
    }
    if (seeds) {
      // Allegro's and Meta's seeds go through their admin endpoint, like any other client would load them.
      for (const [name, doc] of [['allegro', seeds.allegro], ['meta', seeds.meta]] as const) {
        const url = running.find((r) => r.name === name)!.url;
        const res = await fetch(`${url}/__sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
        if (!res.ok) throw new Error(`seeding the ${name} simulator failed: ${res.status} ${await res.text()}`);
      }
    }
  } catch (err) {
    await Promise.all(running.map((r) => r.close()));
    throw err;
  }
  const url = (name: SimulatorName) => running.find((r) => r.name === name)!.url;
  const endpoints: Record<SimulatorName, SandboxEndpoint> = {
    shopify: {
      name: 'shopify',
      url: url('shopify'),
      credentials: { shop: 'omnihub-sandbox', endpoint: url('shopify'), accessToken: shopify.options.accessToken, webhookSecret: shopify.options.appSecret },
      note: 'Admin GraphQL 2026-04 at /admin/api/2026-04/graphql.json; orders: POST /__sandbox/orders',
    },
    prestashop: {
      name: 'prestashop',
      url: url('prestashop'),
      credentials: { url: url('prestashop'), key: DEFAULT_WS_KEY, languages: { pl: 1, en: 2 } },
      note: 'webservice under /api/ (Basic auth: key as user name); sales: POST /__sandbox/sale',
    },
    allegro: {
      name: 'allegro',
      url: url('allegro'),
      credentials: { apiUrl: url('allegro'), authUrl: url('allegro'), clientId: 'omnihub-sandbox-client', clientSecret: 'omnihub-sandbox-secret' },
      note: 'REST + OAuth on one origin; a user token: POST /__sandbox/oauth/user-token; approve a device code: POST /__sandbox/oauth/device/approve',
    },
    meta: {
      name: 'meta',
      url: url('meta'),
      credentials: {
        graphUrl: url('meta'),
        accessToken: 'sandbox-access-token',
        appSecret: 'sandbox-app-secret',
        verifyToken: 'sandbox-verify-token',
        ...(seeds
          ? { catalogId: DEMO_IDS.catalogId, pageId: DEMO_IDS.pageId, pageAccessToken: DEMO_IDS.pageAccessToken, wabaId: DEMO_IDS.wabaId, phoneNumberId: DEMO_IDS.phoneNumberId }
          : {}),
      },
      note: 'Graph API (catalogue, Messenger, WhatsApp); customers write: POST /__sandbox/messenger/inbound, /__sandbox/whatsapp/inbound',
    },
    odoo: {
      name: 'odoo',
      url: url('odoo'),
      credentials: { url: url('odoo'), database: DEMO_IDS.odooDatabase, login: 'admin', apiKey: '6578616d706c65206a736f6e20617069206b6579' },
      note: 'Odoo 19: JSON-2 (/json/2/<model>/<method>) and JSON-RPC (/jsonrpc); warehouse work: POST /__sandbox/stock',
    },
  };
  let closed: Promise<void> | undefined;
  return {
    endpoints,
    simulators,
    close() {
      closed ??= Promise.all(running.map((r) => r.close())).then(() => undefined);
      return closed;
    },
  };
}
