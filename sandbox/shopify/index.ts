import { z } from 'zod';
import { buildSimulator, type Simulator } from '../common/simulator.ts';
import { LeakyBucket } from '../common/rate-limit.ts';
import { WebhookSender } from '../common/webhooks.ts';
import { adminRoutes } from './admin.ts';
import { ShopEvents, type IdempotencyCache, type ShopContext } from './context.ts';
import { inventoryMutations } from './resolvers-inventory.ts';
import { productMutations } from './resolvers-products.ts';
import { queryResolvers } from './resolvers-query.ts';
import { graphqlRoutes } from './routes-graphql.ts';
import { adminSchema } from './schema.ts';
import { loadSeed, shopifySeedSchema } from './seed.ts';
import { ShopStore, iso } from './store.ts';
import { Views } from './views.ts';
import { ShopWebhooks, WEBHOOK_TOPICS } from './webhook-delivery.ts';

export { shopifySeedSchema, type ShopifySeed } from './seed.ts';
export { signWebhook, WEBHOOK_TOPICS } from './webhook-delivery.ts';
export { SCHEMA_VERSION } from './schema.ts';

/**
 * Options of the Shopify Admin GraphQL simulator. Rate limits default to the Standard plan as reported by real
 * shops in `throttleStatus` (maximumAvailable 2000, restoreRate 100 points/s; shopify.dev rate-limits page gives
 * 100 pts/s for Standard), and a single query may cost at most 1000.
 */
export const shopifyOptionsSchema = z.object({
  /** 1 = the real restore rate; 10 = ten times faster (benchmarks). The bucket size stays the real one. */
  rateLimitScale: z.number().positive().default(1),
  bucketSize: z.number().positive().default(2000),
  restoreRate: z.number().positive().default(100),
  maxQueryCost: z.number().positive().default(1000),
  /** The Admin API access token connectors send in `X-Shopify-Access-Token`. */
  accessToken: z.string().min(1).default('shpat_omnihub_sandbox'),
  /** The app's client secret: the key of `X-Shopify-Hmac-Sha256` on webhooks. */
  appSecret: z.string().min(1).default('omnihub-sandbox-app-secret'),
  shopDomain: z.string().min(1).default('omnihub-sandbox.myshopify.com'),
  shopName: z.string().default('omnihub sandbox'),
  currency: z.string().length(3).default('USD'),
  /** The hub's webhook URL; when unset no webhook is delivered. */
  webhookUrl: z.string().url().optional(),
  webhookTopics: z.array(z.enum(WEBHOOK_TOPICS)).default([...WEBHOOK_TOPICS]),
  seed: shopifySeedSchema.optional(),
  /** Injectable time (ms) for timestamps and the cost bucket. */
  clock: z.custom<() => number>((v) => typeof v === 'function').optional(),
  /** Injectable randomness for the webhook delivery policy (duplicates, shuffling). */
  random: z.custom<() => number>((v) => typeof v === 'function').optional(),
});
export type ShopifySimulatorOptions = z.input<typeof shopifyOptionsSchema>;

export interface ShopifySimulator extends Simulator {
  /** Waits for every webhook delivery released so far. */
  flushWebhooks(): Promise<void>;
  webhooks: WebhookSender;
  options: z.output<typeof shopifyOptionsSchema>;
  /** The shop's records (tests wait on `store.pendingDownloads`, Shopify's background media processing). */
  store: ShopStore;
}

export function createShopifySimulator(input: ShopifySimulatorOptions = {}): ShopifySimulator {
  const options = shopifyOptionsSchema.parse(input);
  const clock = options.clock ?? Date.now;
  const schema = adminSchema();
  const store = new ShopStore(clock);
  const sender = new WebhookSender(options.random);
  const targets = () => (options.webhookUrl ? options.webhookTopics.map((topic) => ({ topic, uri: options.webhookUrl! })) : []);
  const hooks = new ShopWebhooks(sender, targets, options.appSecret, options.shopDomain, clock);
  const events = new ShopEvents(store, hooks);
  const views = new Views(store, options.currency);
  const idempotency: IdempotencyCache = new Map();
  const bucket = new LeakyBucket(options.bucketSize, options.restoreRate * options.rateLimitScale, clock);
  const shop = { name: options.shopName, domain: options.shopDomain, currency: options.currency, email: `owner@${options.shopDomain}` };
  const newContext = (): ShopContext => ({ store, views, events, idempotency, shop, searchReports: [] });

  const reset = () => {
    store.clear();
    idempotency.clear();
  };
  const seed = (doc: unknown) => loadSeed(newContext(), doc);
  if (options.seed) seed(options.seed);
  else seed({});

  const api = graphqlRoutes({
    schema,
    accessToken: options.accessToken,
    bucket,
    maxQueryCost: options.maxQueryCost,
    rootValue: { ...queryResolvers, ...productMutations, ...inventoryMutations },
    newContext,
  });

  const sim = buildSimulator({
    name: 'shopify',
    api,
    seed,
    reset,
    state: () => ({
      shop: { domain: options.shopDomain, currency: options.currency },
      locations: [...store.locations.values()],
      products: [...store.products.values()].map((p) => ({ ...p, variants: store.productVariants(p), media: store.productFiles.get(p.id) ?? [] })),
      files: [...store.files.values()],
      inventoryItems: [...store.inventoryItems.values()],
      inventoryLevels: [...store.levels.values()].map((l) => ({ ...l, on_hand: store.quantity(l, 'on_hand') })),
      orders: [...store.orders.values()],
      rateLimit: { maximumAvailable: bucket.capacity, currentlyAvailable: Math.floor(bucket.current()), restoreRate: bucket.restorePerSecond },
      webhooks: { policy: sender.getPolicy(), delivered: sender.log.length },
      now: iso(clock()),
    }),
    admin: adminRoutes({ newContext, sender, bucket }),
  });
  return { ...sim, flushWebhooks: () => sender.drain(), webhooks: sender, options, store };
}
