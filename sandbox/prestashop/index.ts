import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { buildSimulator, type Simulator } from '../common/simulator.ts';
import { loadResources } from './resources.ts';
import { createApi, type ApiKey, type Method } from './routes.ts';
import { recordSale } from './sale.ts';
import { demoSeed, loadSeed, prestashopSeedSchema } from './seed.ts';
import { Store } from './store.ts';

export { prestashopSeedSchema, demoSeed, type PrestashopSeed } from './seed.ts';
export { saleSchema, type Sale } from './sale.ts';

const methodSchema = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const ALL: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
const READ: Method[] = ['GET', 'HEAD'];

/**
 * The permissions of the key used for the recorded captures (recorded README): every method on the resources a
 * catalogue/stock/orders/inbox connector writes, GET/HEAD on reference data, nothing on `groups`.
 */
export const RECORDED_KEY_PERMISSIONS: Record<string, Method[]> = {
  ...Object.fromEntries(['products', 'combinations', 'stock_availables', 'specific_prices', 'categories', 'orders', 'order_details', 'order_histories', 'order_carriers', 'customer_threads', 'customer_messages', 'customers', 'addresses', 'carts', 'images'].map((r) => [r, ALL])),
  ...Object.fromEntries(['languages', 'currencies', 'countries', 'taxes', 'tax_rules', 'tax_rule_groups', 'product_options', 'product_option_values', 'product_features', 'product_feature_values', 'manufacturers', 'suppliers', 'order_states', 'shops', 'carriers', 'contacts', 'specific_price_rules', 'cart_rules'].map((r) => [r, READ])),
};

export const DEFAULT_WS_KEY = 'SIMULATORKEY0000000000000000000K';

export const prestashopOptionsSchema = z.object({
  /** Webservice keys (32 chars in a real shop) and their per-resource methods. */
  keys: z
    .array(z.object({ key: z.string().min(1), permissions: z.record(z.string(), z.array(methodSchema)).optional() }))
    .default([{ key: DEFAULT_WS_KEY }]),
  /** `'8'` (8.2.1: PATCH allowed) or `'1.7'` (PATCH answers 405: use GET-modify-PUT). */
  version: z.enum(['1.7', '8']).default('8'),
  shopName: z.string().default('Hub Test Shop'),
  /** The shop's time zone: dates are stored and filtered as naive local times in it. */
  timezone: z.string().default('Europe/Warsaw'),
  /** PrestaShop core has no rate limit; accepted for a uniform simulator interface and otherwise unused. */
  rateLimitScale: z.number().positive().default(1),
  /** Fixed latency added to every API answer (a slow PHP host); faults add more per request. */
  latencyMs: z.number().int().nonnegative().default(0),
  /** Injectable clock (ms since epoch), so tests control `date_add` / `date_upd`. */
  clock: z.custom<() => number>((v) => typeof v === 'function').optional(),
  /** Initial data; the demo shop when omitted. */
  seed: z.unknown().optional(),
});
export type PrestashopOptions = z.input<typeof prestashopOptionsSchema>;

function localTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '00';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}:${p('second')}`;
}

export function createPrestashopSimulator(options: PrestashopOptions = {}): Simulator & { store: Store } {
  const opts = prestashopOptionsSchema.parse(options);
  const defs = loadResources();
  const clock = opts.clock ?? Date.now;
  const store = new Store(defs, () => localTime(clock(), opts.timezone));
  const keys: ApiKey[] = opts.keys.map((k) => ({ key: k.key, permissions: k.permissions ?? RECORDED_KEY_PERMISSIONS }));
  const initial = opts.seed ?? demoSeed;
  loadSeed(store, defs, initial);

  const admin = new Hono();
  admin.post('/sale', async (c) => {
    try {
      return c.json(recordSale(store, defs, await c.req.json()));
    } catch (err) {
      return c.json({ ok: false, error: (err as Error).message }, 400);
    }
  });

  const sim = buildSimulator({
    name: 'prestashop',
    api: createApi({ store, defs, keys, version: opts.version, shopName: opts.shopName, latencyMs: opts.latencyMs }),
    seed: (doc) => loadSeed(store, defs, prestashopSeedSchema.parse(doc)),
    state: () => ({
      version: opts.version,
      languages: store.languageIds(),
      resources: Object.fromEntries([...store.tables].map(([name, t]) => [name, [...t.values()]])),
      // Image bytes stay out of the state document: their size and content hash say what a test needs.
      images: [...store.images.values()].map(({ bytes, ...meta }) => ({ ...meta, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })),
    }),
    reset: () => store.clear(),
    admin,
  });
  return { ...sim, store };
}
