import type { z } from 'zod';
import type { Capabilities } from './capabilities.ts';
import type { ConnectorContext } from './context.ts';
import type { ConnectorError } from './errors.ts';
import type { HttpDeclaration } from './http.ts';
import type { Webhooks } from './webhooks.ts';

/**
 * A connector plugin: one default export per folder under `connectors/` (or per npm package). The hub loads it by
 * the `connector:` name in `omnihub.yaml`; core never imports a connector by name.
 *
 * @example
 * export default defineConnector({
 *   name: 'acme-shop',
 *   version: '1.0.0',
 *   config: z.object({ url: z.url(), apiKey: secret() }),
 *   http: (config) => ({
 *     prefixUrl: config.url,
 *     rateLimit: { perSecond: 2 },
 *     authorize: (request) => request.headers.set('X-Api-Key', config.apiKey.reveal()),
 *   }),
 *   capabilities: {
 *     stock: { write: { maxBatch: 50, set: async (ctx, items) => … } },
 *   },
 * });
 */
export interface ConnectorDefinition<Schema extends z.ZodType = z.ZodType> {
  /** Lower-case name, unique among loaded connectors, e.g. `shopify`. */
  name: string;
  /** Semantic version of the plugin, e.g. `1.0.0`. */
  version: string;
  /**
   * Schema of the connection's `config:` block, validated when the config is loaded (`omnihub validate`, start);
   * every problem is reported with its path, e.g. `connections.shop.config.accessToken: required`. Use `secret()`
   * for credentials so they can never reach a log.
   */
  config: Schema;
  /** The channel's HTTP API: base URL, auth, rate limit. Omit for connectors that need no HTTP client. */
  http?: (config: z.output<Schema>) => HttpDeclaration<z.output<Schema>>;
  /** What the connector can do; see capabilities.ts for when each method is called. */
  capabilities: Capabilities<z.output<Schema>>;
  /** Webhook ingress; omit for channels without webhooks (the hub polls them). */
  webhooks?: Webhooks<z.output<Schema>>;
  /**
   * Extra polling, run every `schedules.poll` in addition to `orders.read.changes` and `inquiries.read.changes`
   * (which the hub polls by itself): e.g. products changed since a watermark, reported with `ctx.emit`. A throw
   * fails the poll job, which is retried; the checkpoint only moves when the connector saves it.
   */
  poll?: (ctx: ConnectorContext<z.output<Schema>>) => Promise<void>;
  /** A cheap authenticated call proving the credentials work, for `status` and health. */
  check?: (ctx: ConnectorContext<z.output<Schema>>) => Promise<void>;
  /**
   * Sorts a channel-specific failure (an error inside a 200 body, a vendor code) into retryable / auth /
   * business. Return undefined to fall back to the default table in errors.ts.
   */
  classifyError?: (err: unknown) => ConnectorError | undefined;
}

const NAME = /^[a-z][a-z0-9-]*$/;
const SEMVER = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;
const MAX_BATCH_PATHS = ['catalog.write', 'prices.write', 'promotions.write', 'stock.write'] as const;

/** Declares a connector. Throws at import time when the definition itself is malformed. */
export function defineConnector<Schema extends z.ZodType>(def: ConnectorDefinition<Schema>): ConnectorDefinition<Schema> {
  if (!NAME.test(def.name)) throw new Error(`connector name "${def.name}" must be lower-case letters, digits and dashes`);
  if (!SEMVER.test(def.version)) throw new Error(`connector ${def.name}: version "${def.version}" is not semantic (x.y.z)`);
  for (const path of MAX_BATCH_PATHS) {
    const [group, op] = path.split('.') as [keyof Capabilities<unknown>, string];
    const cap = (def.capabilities?.[group] as Record<string, { maxBatch?: number }> | undefined)?.[op];
    if (cap && !(Number.isInteger(cap.maxBatch) && cap.maxBatch! >= 1)) {
      throw new Error(`connector ${def.name}: capabilities.${path}.maxBatch must be a whole number ≥ 1`);
    }
  }
  return def;
}
