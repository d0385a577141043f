import { z } from 'zod';
import type { Clock } from '../common/rate-limit.ts';

/** Every scope the simulated user grants by default (the seller-side scopes the hub's connector needs). */
export const ALL_USER_SCOPES = [
  'allegro:api:sale:offers:read',
  'allegro:api:sale:offers:write',
  'allegro:api:sale:settings:read',
  'allegro:api:sale:settings:write',
  'allegro:api:orders:read',
  'allegro:api:orders:write',
  'allegro:api:messaging',
  'allegro:api:disputes',
  'allegro:api:profile:read',
  'allegro:api:campaigns',
];

export const allegroOptionsSchema = z.object({
  /** 1 = Allegro's real limits (9,000 req/min per Client ID, 1 msg/s per user); 10 = ten times the allowance. */
  rateLimitScale: z.number().positive().default(1),
  clientId: z.string().min(1).default('omnihub-sandbox-client'),
  clientSecret: z.string().min(1).default('omnihub-sandbox-secret'),
  /** The seller the user tokens act for. */
  seller: z
    .object({ id: z.string().default('437848322'), login: z.string().default('omnihub-seller') })
    .default({ id: '437848322', login: 'omnihub-seller' }),
  /** Access-token lifetime; Allegro answers `expires_in: 43199` (12 h). */
  accessTokenTtlSeconds: z.number().int().positive().default(43_200),
  /** Refresh-token lifetime (about three months, per integrators; Allegro does not document it). */
  refreshTokenTtlSeconds: z.number().int().positive().default(90 * 24 * 3600),
  /** Device flow: Allegro answers `expires_in: 3600, interval: 5`. */
  deviceCodeTtlSeconds: z.number().int().positive().default(3600),
  devicePollIntervalSeconds: z.number().int().nonnegative().default(5),
  scopes: z.array(z.string()).default(ALL_USER_SCOPES),
  /** Delay before batch-command tasks (price/quantity/publication) run; tasks stay NEW until then. */
  commandDelayMs: z.number().int().nonnegative().default(1000),
  /** > 0: `PATCH /sale/product-offers/{id}` answers 202 + Location and applies the edit after this delay. */
  offerEditDelayMs: z.number().int().nonnegative().default(0),
  /**
   * A command id reused with the same payload: `conflict` answers 409 like the spec says ("Command id was already
   * used"); `idempotent` answers the existing report. Another payload is always 409.
   */
  commandReplay: z.enum(['conflict', 'idempotent']).default('conflict'),
  /** Check every JSON answer against the spec's response schema; a mismatch becomes a 500 naming the problem. */
  validateResponses: z.boolean().default(false),
  /** Injectable clock (ms since epoch) for token expiry, rate limits and asynchronous completion. */
  clock: z.custom<Clock>((v) => typeof v === 'function').optional(),
});
export type AllegroOptionsInput = z.input<typeof allegroOptionsSchema>;
export type AllegroOptions = z.output<typeof allegroOptionsSchema>;

const priceSchema = z.object({
  amount: z.string().regex(/^\d+(\.\d{1,2})?$/, 'amount is a decimal string such as "123.45"'),
  currency: z.string().length(3).default('PLN'),
});

export const seedOfferSchema = z.object({
  /** Numeric string; generated when absent. */
  id: z.string().regex(/^\d+$/).optional(),
  name: z.string().min(1).max(75),
  /** The merchant's SKU ("sygnatura"). */
  externalId: z.string().max(100).optional(),
  price: priceSchema,
  stock: z.number().int().nonnegative(),
  unit: z.enum(['UNIT', 'PAIR', 'SET']).default('UNIT'),
  status: z.enum(['INACTIVE', 'ACTIVATING', 'ACTIVE', 'ENDED']).default('ACTIVE'),
  categoryId: z.string().default('257931'),
  sold: z.number().int().nonnegative().default(0),
  images: z.array(z.string()).default([]),
});
export type SeedOffer = z.infer<typeof seedOfferSchema>;

export const seedMessageSchema = z.object({
  text: z.string().min(1).max(2000),
  /** true: written by the buyer (the thread's interlocutor); false: by the seller. */
  fromBuyer: z.boolean().default(true),
  createdAt: z.string().datetime().optional(),
  offerId: z.string().optional(),
  orderId: z.string().optional(),
});

export const seedThreadSchema = z.object({
  id: z.string().optional(),
  interlocutor: z.object({ login: z.string().min(1), avatarUrl: z.string().optional() }),
  read: z.boolean().default(false),
  messages: z.array(seedMessageSchema).default([]),
});

export const allegroSeedSchema = z.object({
  offers: z.array(seedOfferSchema).default([]),
  threads: z.array(seedThreadSchema).default([]),
  /** Post-purchase issues (`/sale/issues`, beta), each checked against the spec's `PostPurchaseIssue`. */
  issues: z.array(z.record(z.string(), z.unknown())).default([]),
  /** Message attachments already uploaded (so messages may reference them). */
  attachments: z
    .array(
      z.object({
        id: z.string().min(1),
        filename: z.string().min(1),
        mimeType: z.enum(['image/png', 'image/gif', 'image/bmp', 'image/tiff', 'image/jpeg', 'application/pdf']),
        base64: z.string(),
      }),
    )
    .default([]),
});
export type AllegroSeed = z.input<typeof allegroSeedSchema>;
