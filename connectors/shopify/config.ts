import { z } from 'zod';
import { secret } from '../../core/sdk/index.ts';

/**
 * The API version the connector speaks by default: 2026-04, because that is the version whose schema we keep
 * (shared/specs/shopify/admin-graphql-2026-04.graphql) and validate every document against, and the one the sandbox
 * simulator serves. `@shopify/shopify-api@13` also knows 2026-07, but nothing we send has been checked against it.
 */
export const DEFAULT_API_VERSION = '2026-04';

const gidOf = (type: string) =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), { message: `must be a Shopify ${type} GID, e.g. gid://shopify/${type}/123` });

/** `demo`, `demo.myshopify.com` or `https://demo.myshopify.com/` → `demo`. */
const shopName = z
  .string()
  .trim()
  .transform((v) => v.replace(/^https?:\/\//, '').replace(/\/+$/, '').replace(/\.myshopify\.com$/, ''))
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be the shop name, e.g. "demo" for demo.myshopify.com' }));

export const shopifyConfig = z
  .strictObject({
    /** The shop: `demo` or `demo.myshopify.com`. */
    shop: shopName,
    /** Replaces the origin `https://{shop}.myshopify.com` (the sandbox simulator, a proxy). */
    endpoint: z.url().optional(),
    /** Admin API version, `YYYY-MM`. */
    apiVersion: z
      .string()
      .regex(/^\d{4}-(01|04|07|10)$/, { message: 'must be a Shopify API version such as "2026-04"' })
      .default(DEFAULT_API_VERSION),
    /** Custom-app Admin API access token (`shpat_…`). Either this or clientId + clientSecret. */
    accessToken: secret().optional(),
    /** Dev Dashboard app: client credentials grant (24-hour tokens, refreshed by the connector). */
    clientId: z.string().min(1).optional(),
    clientSecret: secret().optional(),
    /** The app's API secret key, the key of webhook HMACs. Defaults to clientSecret when that is set. */
    webhookSecret: secret().optional(),
    /** Location whose `available` quantity the hub reads and sets; default: the first active location. */
    locationId: gidOf('Location').optional(),
    /** Whether the shop's prices include tax (Settings → Taxes). true → the hub's gross price is sent, else net. */
    pricesIncludeTax: z.boolean().default(true),
    /** The locale of the hub's texts that Shopify's (single-language) title and description carry, and that reads report. */
    locale: z.string().min(2).default('en'),
    /** The cost bucket of this app on this shop (Standard plan: 100 points/s restore). */
    rateLimit: z
      .strictObject({
        restoreRate: z.number().positive().default(100),
        bucketSize: z.number().positive().default(1000),
      })
      .default({ restoreRate: 100, bucketSize: 1000 }),
    /** Products per catalogue page (each carries up to 25 variants; keep the query under 1000 points). */
    productPageSize: z.number().int().min(1).max(15).default(10),
    /** Orders per page of `orders.read.changes`. */
    orderPageSize: z.number().int().min(1).max(25).default(10),
    /** How far back the first orders poll looks. */
    ordersInitialLookbackHours: z.number().positive().default(24),
    /** Overlap subtracted from the orders watermark, against clock skew and late commits. */
    ordersOverlapSeconds: z.number().int().nonnegative().default(300),
  })
  .superRefine((c, ctx) => {
    const token = c.accessToken !== undefined;
    const credentials = c.clientId !== undefined || c.clientSecret !== undefined;
    if (token && credentials) ctx.addIssue({ code: 'custom', path: ['accessToken'], message: 'give either accessToken or clientId + clientSecret, not both' });
    if (!token && !credentials) ctx.addIssue({ code: 'custom', path: ['accessToken'], message: 'required (or clientId + clientSecret)' });
    if (credentials && c.clientId === undefined) ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'required with clientSecret' });
    if (credentials && c.clientSecret === undefined) ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: 'required with clientId' });
  });

export type ShopifyConfig = z.output<typeof shopifyConfig>;

/** The origin requests go to: the configured endpoint, else the shop's own. */
export function originOf(config: ShopifyConfig): string {
  return (config.endpoint ?? `https://${config.shop}.myshopify.com`).replace(/\/+$/, '');
}
