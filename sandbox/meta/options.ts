import { z } from 'zod';

/**
 * Options of the Meta simulator. One simulator serves the Catalog (Commerce) API, the Messenger Platform and the
 * WhatsApp Cloud API because the three share the Graph host, the Graph error shape and the App Secret that signs
 * webhooks. Every limit defaults to the real figure named in shared/docs/channels/shopify-meta-whatsapp.md §2–4.
 */
export const metaOptionsSchema = z.object({
  /** Version the demo and connectors should call (docs §2: v26.0 is the latest listed). */
  graphVersion: z.string().regex(/^v\d+\.\d+$/).default('v26.0'),
  /** Versions accepted in the path. v23.0 stays, as the WhatsApp OpenAPI spec is written for it. */
  supportedVersions: z.array(z.string().regex(/^v\d+\.\d+$/)).default(['v23.0', 'v24.0', 'v25.0', 'v26.0']),
  appId: z.string().min(1).default('100000000000001'),
  /** Signs every webhook (X-Hub-Signature-256). Never echoed in errors. */
  appSecret: z.string().min(1).default('sandbox-app-secret'),
  /** System-user / app tokens accepted everywhere. Page tokens come from the seed's pages. */
  accessTokens: z.array(z.string().min(1)).default(['sandbox-access-token']),
  /** The token the hub expects in the `hub.verify_token` handshake. */
  verifyToken: z.string().min(1).default('sandbox-verify-token'),
  /** The hub's callback URL for both objects, unless the per-object URLs below are given. */
  webhookUrl: z.url().optional(),
  messengerWebhookUrl: z.url().optional(),
  whatsappWebhookUrl: z.url().optional(),
  /** 1 = real limits; 10 = ten times the real allowance per unit of time (benchmarks). */
  rateLimitScale: z.number().positive().default(1),
  /** App-level Graph calls per rolling hour before error code 4 (platform limit: 200 × users; 100 users assumed). */
  appCallsPerHour: z.number().int().positive().default(20_000),
  /** `items_batch` calls per catalog per rolling hour before BUC error 80014 (real limit is formula-based). */
  catalogBatchCallsPerHour: z.number().int().positive().default(200),
  /** Requests per `items_batch` call (docs §2: ≤ 5000). */
  maxBatchRequests: z.number().int().positive().default(5000),
  /** How long a batch stays `in_progress` on the simulator's clock before it is applied. */
  batchProcessingMs: z.number().int().nonnegative().default(3000),
  /** Default WhatsApp throughput per business number, messages/second (docs §4: 80). */
  whatsappThroughputMps: z.number().positive().default(80),
  /** Pair rate: messages to one user that may be sent in a burst, then one per `pairRateIntervalMs` (131056). */
  pairRateBurst: z.number().int().positive().default(45),
  pairRateIntervalMs: z.number().int().positive().default(6000),
  /** Emit `read` status/events automatically after `delivered` (otherwise use the admin endpoint). */
  autoRead: z.boolean().default(false),
  /** Injectable clock (epoch ms). The admin endpoint `POST /__sandbox/clock` can shift it too. */
  now: z.custom<() => number>((v) => typeof v === 'function', 'now must be a function returning epoch ms').optional(),
});
export type MetaOptionsInput = z.input<typeof metaOptionsSchema>;
export type MetaOptions = z.output<typeof metaOptionsSchema>;
