import type { KyInstance } from 'ky';
import type { z } from 'zod';
import type { BindingKind, ConnectorContext, ConnectorLogger } from './context.ts';
import type { ConnectorDefinition } from './define-connector.ts';
import { createConnectorHttp } from './http.ts';
import type { Hint } from './model.ts';
import { memoryRateLimiter, unlimited } from './rate-limiter.ts';

/**
 * A real connector context for a connector's own tests, with in-memory bindings, checkpoints and vault, and the
 * same HTTP client the hub builds (rate limiter, retries, auth). Point the connector's config at a sandbox
 * simulator or at nock.
 *
 * @example
 * const t = createTestContext(shopify, { shop: 'demo', accessToken: 'shpat_x', endpoint: sim.url });
 * t.link('variant', 'gid://shopify/ProductVariant/1', { internalId: 'v1', sku: 'TEE-M' });
 * const results = await shopify.capabilities.stock!.write!.set(t.ctx, [...]);
 */
export interface TestContext<C> {
  ctx: ConnectorContext<C>;
  /** Hints the connector emitted, in order. */
  emitted: Array<{ hint: Hint; eventId?: string }>;
  /** Log lines the connector wrote. */
  logs: Array<{ level: string; obj: unknown; msg?: string }>;
  checkpoints: Map<string, unknown>;
  vault: Map<string, string>;
  /** Adds a binding the connector can look up. */
  link(kind: BindingKind, externalId: string, value: { internalId: string; sku?: string }): void;
  /** Moves the context's clock. */
  setNow(date: Date): void;
}

export function createTestContext<S extends z.ZodType>(
  def: ConnectorDefinition<S>,
  rawConfig: unknown,
  options: { connection?: string; now?: Date; fetch?: typeof fetch; rateLimited?: boolean } = {},
): TestContext<z.output<S>> {
  const parsed = def.config.safeParse(rawConfig);
  if (!parsed.success) throw new Error(`test config for ${def.name} is invalid: ${parsed.error.message}`);
  const config = parsed.data as z.output<S>;
  let now = options.now ?? new Date();
  const logs: TestContext<unknown>['logs'] = [];
  const emitted: TestContext<unknown>['emitted'] = [];
  const checkpoints = new Map<string, unknown>();
  const vault = new Map<string, string>();
  const byExternal = new Map<string, { internalId: string; sku?: string }>();
  const byKey = new Map<string, string>();
  const logAt =
    (level: string) =>
    (obj: object | string, msg?: string): void =>
      void logs.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
  const log: ConnectorLogger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };
  const decl = def.http?.(config);
  const limiter = options.rateLimited && decl?.rateLimit ? memoryRateLimiter(decl.rateLimit) : unlimited;

  const ctx: ConnectorContext<z.output<S>> = {
    connection: options.connection ?? def.name,
    config,
    http: undefined as unknown as KyInstance,
    limiter,
    log,
    bindings: {
      byExternalId: async (kind, externalId) => byExternal.get(`${kind}\u0000${externalId}`),
      externalIdOf: async (kind, key) =>
        byKey.get(`${kind}\u0000sku\u0000${key.sku ?? ''}`) ?? byKey.get(`${kind}\u0000id\u0000${key.internalId ?? ''}`),
    },
    checkpoints: {
      get: async <T>(name: string) => checkpoints.get(name) as T | undefined,
      set: async (name, value) => void checkpoints.set(name, value),
    },
    vault: {
      get: async (name) => vault.get(name),
      set: async (name, value) => void vault.set(name, value),
      delete: async (name) => void vault.delete(name),
    },
    emit: async (hint, opts) => void emitted.push({ hint, ...(opts?.eventId ? { eventId: opts.eventId } : {}) }),
    now: () => now,
  };
  if (decl) ctx.http = createConnectorHttp(decl, { limiter, log, context: () => ctx, ...(options.fetch ? { fetch: options.fetch } : {}) });

  return {
    ctx,
    emitted,
    logs,
    checkpoints,
    vault,
    link(kind, externalId, value) {
      byExternal.set(`${kind}\u0000${externalId}`, value);
      if (value.sku) byKey.set(`${kind}\u0000sku\u0000${value.sku}`, externalId);
      byKey.set(`${kind}\u0000id\u0000${value.internalId}`, externalId);
    },
    setNow(date) {
      now = date;
    },
  };
}
