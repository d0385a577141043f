import { Hono } from 'hono';
import { buildSimulator, type Simulator } from '../common/simulator.ts';
import { adminRoutes } from './admin.ts';
import { CatalogStore, productNode } from './catalog-store.ts';
import { SimClock } from './clock.ts';
import type { MetaContext } from './context.ts';
import { errorResponse, GraphError, unknownPath } from './graph-errors.ts';
import { graphGate, type GraphEnv } from './graph-gate.ts';
import { MessengerStore } from './messenger-store.ts';
import { metaOptionsSchema, type MetaOptionsInput } from './options.ts';
import { catalogRoutes } from './routes-catalog.ts';
import { nodeRoutes } from './routes-nodes.ts';
import { messagingRoutes } from './routes-whatsapp.ts';
import { metaSeedSchema } from './seed.ts';
import { UsageWindow } from './usage-window.ts';
import { MetaWebhooks } from './webhook-out.ts';
import { WhatsAppStore } from './whatsapp-store.ts';

export { metaOptionsSchema, type MetaOptions, type MetaOptionsInput } from './options.ts';
export { metaSeedSchema, type MetaSeed } from './seed.ts';
export { metaJson, signatureHeaders } from './webhook-out.ts';

export interface MetaSimulator extends Simulator {
  /** Shared internals for in-process tests: the clock, the stores and the webhook log. */
  ctx: MetaContext;
  seed(doc: unknown): void;
}

/**
 * The Meta Graph simulator: Catalog Batch API, Messenger Send API + webhooks, WhatsApp Cloud API + webhooks, on
 * one host with one App Secret. See options.ts for the knobs, seed.ts for the seed document and admin.ts for the
 * `/__sandbox/` endpoints.
 */
export function createMetaSimulator(input: MetaOptionsInput = {}): MetaSimulator {
  const options = metaOptionsSchema.parse(input);
  const clock = new SimClock(options.now ?? Date.now);
  const catalogs = new CatalogStore(clock.fn, () => options.batchProcessingMs);
  const messenger = new MessengerStore();
  const whatsapp = new WhatsAppStore(clock.fn, () => ({
    scale: options.rateLimitScale,
    pairBurst: options.pairRateBurst,
    pairIntervalMs: options.pairRateIntervalMs,
  }));
  const initialUrls = () => ({
    ...(options.messengerWebhookUrl ?? options.webhookUrl ? { page: options.messengerWebhookUrl ?? options.webhookUrl } : {}),
    ...(options.whatsappWebhookUrl ?? options.webhookUrl
      ? { whatsapp_business_account: options.whatsappWebhookUrl ?? options.webhookUrl }
      : {}),
  });
  const webhooks = new MetaWebhooks(options.appSecret, initialUrls());
  const ctx: MetaContext = { options, clock, catalogs, messenger, whatsapp, webhooks, errorResponse };

  const newAppUsage = () => new UsageWindow(Math.ceil(options.appCallsPerHour * options.rateLimitScale), 3_600_000, clock.fn);
  let appUsage = newAppUsage();

  const api = new Hono<GraphEnv>();
  api.use(
    '*',
    graphGate({
      supportedVersions: options.supportedVersions,
      isValidToken: (t) => options.accessTokens.includes(t) || messenger.pageByToken(t) !== undefined,
      get appUsage() {
        return appUsage;
      },
    }),
  );
  api.route('/', catalogRoutes(ctx));
  api.route('/', messagingRoutes(ctx));
  api.route('/', nodeRoutes(ctx));
  api.notFound((c) => errorResponse(c, unknownPath(new URL(c.req.url).pathname)));
  api.onError((err, c) => {
    if (err instanceof GraphError) return errorResponse(c, err);
    return c.json({ error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true } }, 500);
  });

  const seed = (doc: unknown): void => {
    const s = metaSeedSchema.parse(doc);
    for (const cs of s.catalogs) {
      const cat = catalogs.upsertCatalog(cs.id, cs.name);
      for (const p of cs.products) catalogs.seedProduct(cat, p);
    }
    for (const ps of s.pages) {
      const page = messenger.upsertPage(ps.id, ps.name, ps.accessToken);
      for (const u of ps.users) messenger.user(page, u.psid, u.name).lastUserMessageAt = u.lastMessageAt ?? clock.now();
    }
    for (const ws of s.wabas) {
      const waba = whatsapp.wabas.get(ws.id) ?? { id: ws.id, templates: [] };
      whatsapp.wabas.set(ws.id, waba);
      for (const pn of ws.phoneNumbers) {
        whatsapp.addPhoneNumber(ws.id, pn.id, pn.displayPhoneNumber, pn.verifiedName, pn.throughputMps ?? options.whatsappThroughputMps);
      }
      for (const t of ws.templates) {
        waba.templates = waba.templates.filter((x) => !(x.name === t.name && x.language === t.language));
        waba.templates.push({ ...t, id: t.id ?? whatsapp.newId() });
      }
    }
    for (const u of s.whatsappUsers) {
      const user = whatsapp.ensureUser({ ...(u.waId ? { waId: u.waId } : {}), ...(u.userId ? { userId: u.userId } : {}) }, u.name);
      user.name = u.name;
      Object.assign(user.lastInboundAt, u.lastInboundAt);
    }
  };

  const state = () => {
    const now = clock.now();
    return {
      now,
      graphVersion: options.graphVersion,
      catalogs: [...catalogs.catalogs.values()].map((cat) => {
        catalogs.processDue(cat);
        return {
          id: cat.id,
          name: cat.name,
          products: [...cat.items.values()].map((i) => ({ ...productNode(i, now), feed: { id: i.retailerId, ...i.fields } })),
          batches: [...cat.batches.values()].map(({ ops: _ops, ...b }) => b),
        };
      }),
      pages: [...messenger.pages.values()].map((p) => ({ id: p.id, name: p.name, users: [...p.users.values()] })),
      messengerMessages: messenger.messages,
      wabas: [...whatsapp.wabas.values()].map((w) => ({
        ...w,
        phoneNumbers: [...whatsapp.phoneNumbers.values()]
          .filter((p) => p.wabaId === w.id)
          .map(({ bucket: _b, ...p }) => p),
      })),
      whatsappUsers: whatsapp.users,
      whatsappMessages: whatsapp.messages,
      media: [...whatsapp.media.values()].map(({ bytes: _b, ...m }) => m),
      webhooks: { urls: webhooks.urls, emitted: webhooks.emitted.length, deliveries: webhooks.sender.log.map(({ body: _b, ...d }) => d) },
    };
  };

  const reset = (): void => {
    catalogs.reset();
    messenger.reset();
    whatsapp.reset();
    webhooks.reset();
    webhooks.urls = initialUrls();
    clock.reset();
    appUsage = newAppUsage();
  };

  const sim = buildSimulator({ name: 'meta', api: api as unknown as Hono, seed, state, reset, admin: adminRoutes(ctx) });
  return { ...sim, ctx, seed };
}
