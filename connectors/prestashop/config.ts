import { z } from 'zod';
import { secret } from '../../core/sdk/index.ts';

const id = z.coerce.number().int().positive();

/**
 * PrestaShop default order states (ids of a fresh 1.7/8.x install, recorded 033) sorted into the hub's order
 * statuses. A state id not listed anywhere counts as `open`. Shops with custom states override this block.
 */
export const DEFAULT_ORDER_STATES = {
  /** 1 Awaiting check, 10 Awaiting bank wire, 13 Awaiting COD, 12 On backorder (not paid), 8 Payment error. */
  pending: [1, 8, 10, 12, 13],
  /** 2 Payment accepted, 3 Processing in progress, 9 On backorder (paid), 11 Remote payment accepted. */
  paid: [2, 3, 9, 11],
  /** 4 Shipped, 5 Delivered. */
  fulfilled: [4, 5],
  /** 6 Canceled. */
  cancelled: [6],
  /** 7 Refunded. */
  refunded: [7],
};

export const configSchema = z.strictObject({
  /** Shop base URL, e.g. `https://shop.example.com/` (the connector adds `api/`), or a simulator URL. */
  url: z.url(),
  /** The 32-character webservice key (sent as the Basic-auth user name, empty password). */
  key: secret(),
  /** `'8'` uses PATCH for partial updates; `'1.7'` has none, so updates read the whole resource and PUT it back. */
  version: z.enum(['1.7', '8']).default('8'),
  /**
   * Hub locale → PrestaShop language id, e.g. `{ pl: 1, en: 2 }`. The FIRST entry is the shop's default
   * language (used to match attribute names and as the fallback text). Ids are per shop: see `GET /api/languages`.
   */
  languages: z.record(z.string().min(2), id).refine((m) => Object.keys(m).length > 0, { message: 'at least one locale → language id' }),
  /** Shop id for multistore (`id_shop` query parameter and specific prices); 1 on single-shop installs. */
  shopId: id.default(1),
  /** The shop's default currency (PrestaShop product prices are in it). */
  currency: z.string().regex(/^[A-Z]{3}$/).default('PLN'),
  /** PrestaShop currency id → ISO code, for orders; ids not listed fall back to `currency`. */
  currencies: z.record(z.string(), z.string().regex(/^[A-Z]{3}$/)).default({}),
  /** The shop's time zone: PrestaShop dates are naive local times (`Y-m-d H:i:s`) in it. */
  timezone: z.string().default('Europe/Warsaw'),
  /** Tax rate (as the hub writes it, `"0.23"`) → `id_tax_rules_group`; also used to compute gross prices on read. */
  taxRuleGroups: z.record(z.string().regex(/^\d+(\.\d+)?$/), id).default({}),
  /** Hub category (name or path) → PrestaShop category id. A numeric hub category is taken as an id directly. */
  categories: z.record(z.string(), id).default({}),
  /** Category for products whose category is unknown or absent (2 = Home on a default install). */
  defaultCategoryId: id.default(2),
  /** Order state ids per hub status; see {@link DEFAULT_ORDER_STATES}. */
  orderStates: z
    .strictObject({
      pending: z.array(id),
      paid: z.array(id),
      fulfilled: z.array(id),
      cancelled: z.array(id),
      refunded: z.array(id),
    })
    .default(DEFAULT_ORDER_STATES),
  /** Employee id that authors replies sent from the hub inbox. */
  employeeId: id.default(1),
  /** Page size of catalogue/orders/threads reads (`limit=offset,count`). */
  pageSize: z.number().int().min(1).max(1000).default(50),
  /** Overlap re-read before each date watermark, in seconds (PrestaShop dates have 1 s resolution). */
  overlapSeconds: z.number().int().nonnegative().default(120),
  /** Pages read per poll run for each date-watermark feed (the rest is read on the next run). */
  maxPagesPerPoll: z.number().int().positive().default(10),
  /** stock_available rows compared per poll run (the stock sweep resumes from a cursor). */
  stockSweepRows: z.number().int().positive().default(1000),
  /** Requests per second (merchant PHP hosting is easily overloaded; a local or dedicated shop can take more). */
  requestsPerSecond: z.number().positive().default(5),
  /** Per-request timeout in ms (PrestaShop runs on merchant PHP hosting, often slow). */
  timeoutMs: z.number().int().positive().default(30_000),
});

export type PrestashopConfig = z.output<typeof configSchema>;

/** The default language id (first configured locale). */
export function defaultLanguageId(config: PrestashopConfig): string {
  return String(Object.values(config.languages)[0]);
}
