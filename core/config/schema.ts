import { z } from 'zod';
import { catalogMapsSchema } from '../../mappings/catalog-maps.ts';
import { duration } from '../../mappings/duration.ts';
import { ownershipSchema } from '../../mappings/ownership.ts';
import { PROMOTION_COMBINE, promotionsSchema } from '../../mappings/promotions.ts';
import { currencyCode, priceRulesSchema } from '../../mappings/price-rules.ts';
import { stockPolicySchema } from '../../mappings/stock-policy.ts';
import { secret } from '../sdk/secret.ts';

/** Numbers may come from `${ENV}` interpolation as text. */
const integer = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );

export const schedulesSchema = z.strictObject({
  /** How often a connection without webhooks (or as a backstop to them) is polled for changes. */
  poll: duration.prefault('60s'),
  /** How often the whole channel is compared with the desired state (drift detection and healing). */
  sweep: duration.prefault('15m'),
});

export const CONNECTION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export const connectionSchema = z.strictObject({
  /** A built-in connector (`shopify`, `prestashop`, …), a path to a plugin (`./plugins/foo`), or an npm package. */
  connector: z.string().min(1),
  enabled: z.boolean().default(true),
  /** The connector's own settings, validated by the connector's schema. */
  config: z.unknown().optional(),
  stock: stockPolicySchema.optional(),
  prices: priceRulesSchema.optional(),
  schedules: schedulesSchema.partial().optional(),
  /** Category and attribute names as this channel calls them. */
  maps: catalogMapsSchema.optional(),
  /**
   * What to do when the channel shows something other than what it should for a field it does not own:
   * `overwrite` (default) writes the desired value back; `report` only records the drift for an operator; `adopt`
   * takes a content edit (titles) into the hub and on to every channel — prices and stock are derived values
   * (markup, rounding, buffers) that cannot be mapped back, so for them `adopt` reports.
   */
  onDrift: z.enum(['overwrite', 'report', 'adopt']).default('overwrite'),
});

const laneConcurrency = z.strictObject({
  inbound: integer(1, 256).default(4),
  outbound: integer(1, 256).default(4),
  sweeps: integer(1, 64).default(1),
  inbox: integer(1, 256).default(4),
});

export const configSchema = z.strictObject({
  version: z.literal(1).default(1),
  /** Where the embedded database and other local state live. */
  dataDir: z.string().min(1).default('./.omnihub'),
  database: z
    .strictObject({
      /** An external PostgreSQL server; the embedded one is used when this is left out (and `DATABASE_URL` is unset). */
      url: secret().optional(),
    })
    .prefault({}),
  queue: z
    .strictObject({
      /** Redis for the queue; the queue lives in PostgreSQL when this is left out (and `REDIS_URL` is unset). */
      redisUrl: secret().optional(),
      concurrency: laneConcurrency.prefault({}),
      /**
       * How long a worker holds a job before another may take it over as abandoned (a process killed with -9, a
       * host lost); the check for such jobs runs as often. Longer than any single channel call; default 30s.
       */
      lockDuration: duration.refine((ms) => ms >= 1000 && ms <= 600_000, { message: 'must be between 1s and 10m' }).prefault('30s'),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: integer(0, 65535).default(8080),
      /** The address channels use to reach the hub's webhooks, when it differs from host:port. */
      publicUrl: z.url().optional(),
      /** Largest request body accepted, in bytes. */
      bodyLimit: integer(1024, 64 * 1024 * 1024).default(1024 * 1024),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      /** `pretty` for people at a terminal; JSON otherwise. Default: pretty when stdout is a terminal. */
      format: z.enum(['json', 'pretty']).optional(),
    })
    .prefault({}),
  currencies: z
    .strictObject({
      /** The currency canonical prices are kept in. */
      base: currencyCode,
      /** Units of each currency per one unit of the base currency. */
      rates: z.record(currencyCode, z.number().positive()).default({}),
    })
    .optional(),
  connections: z
    .record(
      z.string().regex(CONNECTION_NAME, {
        message: 'connection names are lower-case letters, digits, "-" and "_", starting with a letter',
      }),
      connectionSchema,
    )
    .default({}),
  ownership: ownershipSchema.default({}),
  /** Promotions as code: upserted by key at every start; one removed from here is cancelled and reverted. */
  promotions: promotionsSchema.default([]),
  /** Which promotion a SKU gets when several run at once on a channel: the lowest price, or the highest priority. */
  promotionCombine: z.enum(PROMOTION_COMBINE).default('best_for_customer'),
  defaults: z
    .strictObject({
      stock: stockPolicySchema.prefault({}),
      prices: priceRulesSchema.prefault({}),
      schedules: schedulesSchema.prefault({}),
    })
    .prefault({}),
});

export type RawConfig = z.infer<typeof configSchema>;
export type ConnectionConfig = z.infer<typeof connectionSchema>;
