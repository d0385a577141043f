import { z } from 'zod';
import { secret } from '../../core/sdk/index.ts';

/**
 * Connection config of the Facebook/Instagram catalogue connector.
 * `productUrlTemplate` builds each item's `link` (required by Meta): `{sku}` and `{internalId}` are replaced,
 * URL-encoded, e.g. `https://shop.example.com/p/{sku}`.
 */
export const facebookConfig = z.strictObject({
  /** The Commerce Manager catalogue id (digits). The WhatsApp Business catalogue is this same catalogue. */
  catalogId: z.string().regex(/^\d+$/, { message: 'must be the numeric catalogue id' }),
  /** A Business system-user token with catalog_management. */
  accessToken: secret(),
  productUrlTemplate: z
    .string()
    .refine((v) => /^https?:\/\//.test(v) && /\{(sku|internalId)\}/.test(v), {
      message: 'must be an http(s) URL containing {sku} or {internalId}',
    }),
  /** Graph API version; v26.0 is the latest listed for 2026 (docs §2). */
  graphVersion: z.string().regex(/^v\d+\.\d+$/, { message: 'must look like v26.0' }).default('v26.0'),
  /** Graph host; point it at the sandbox simulator in tests and demos. */
  graphUrl: z.url().default('https://graph.facebook.com'),
  /** Locale whose title/description is sent (falls back to the first one present). */
  locale: z.string().min(2).default('pl'),
  /** Meta's `condition` field for every item. */
  condition: z.enum(['new', 'refurbished', 'used']).default('new'),
  /** Requests per items_batch call: Meta allows 5000 and recommends under 3000. */
  requestsPerCall: z.number().int().min(1).max(5000).default(2500),
  /** How often and how many times the asynchronous batch status is checked before giving up (items then retry). */
  batchPollIntervalMs: z.number().int().nonnegative().default(2000),
  batchPollAttempts: z.number().int().min(1).max(600).default(30),
  /** Items per page when reading the catalogue (Graph caps pages at a few hundred). */
  pageSize: z.number().int().min(1).max(500).default(100),
});

export type FacebookConfig = z.output<typeof facebookConfig>;
