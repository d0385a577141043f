import type { Logger } from '../log/logger.ts';
import type { HubConfig, Connection } from '../config/load.ts';
import { ownerOf, FIELD_GROUPS, type FieldGroup } from '../../mappings/ownership.ts';
import { mergePriceRules } from '../../mappings/price-rules.ts';
import { mergeStockPolicy } from '../../mappings/stock-policy.ts';
import type { ConnectorContext } from '../sdk/context.ts';
import type { ConnectorDefinition } from '../sdk/define-connector.ts';
import { classifyFailure, type ConnectorError } from '../sdk/errors.ts';
import { createConnectorHttp } from '../sdk/http.ts';
import type { Hint } from '../sdk/model.ts';
import { memoryRateLimiter, unlimited, type RateLimiter } from '../sdk/rate-limiter.ts';
import type { Database } from '../store/database.ts';
import { Bindings } from './bindings.ts';
import type { ConnectionPolicy } from './desired.ts';
import { databaseVault } from './vault.ts';

/** A configured connection, ready to run: its connector, its context, and its policies. */
export interface RuntimeConnection {
  name: string;
  def: ConnectorDefinition;
  ctx: ConnectorContext<unknown>;
  policy: ConnectionPolicy;
  /** Field groups this connection owns (its changes are applied to the canonical model). */
  owns: FieldGroup[];
  pollEveryMs: number;
  sweepEveryMs: number;
  /** `overwrite`: drift is healed by writing the desired value back; `report`: only recorded; `adopt`: content edits are taken in. */
  onDrift: 'overwrite' | 'report' | 'adopt';
  /** The location its sales draw stock from. */
  saleLocation: string;
  classify(err: unknown): ConnectorError;
}

export interface RuntimeDeps {
  db: Database;
  log: Logger;
  vaultKey: Buffer;
  /** Secrets learnt at run time are added here, so the logger redacts them. */
  secrets: Set<string>;
  /** Records hints emitted by polls (the engine deduplicates and drains them). */
  emit(connection: string, hint: Hint, eventId: string | undefined): Promise<void>;
  limiterFor(connection: string, limit: { perSecond: number; burst?: number } | undefined): RateLimiter;
  now?: () => Date;
}

export function buildConnections(config: HubConfig, deps: RuntimeDeps): RuntimeConnection[] {
  const bindings = new Bindings(deps.db);
  const out: RuntimeConnection[] = [];
  for (const conn of Object.values(config.connections)) {
    if (!conn.enabled) continue;
    out.push(buildConnection(config, conn, deps, bindings));
  }
  return out;
}

/** Default lookups in memory when no limiter is shared (tests, single process). */
export const memoryLimiters = () => {
  const limiters = new Map<string, RateLimiter>();
  return (connection: string, limit: { perSecond: number; burst?: number } | undefined): RateLimiter => {
    if (!limit) return unlimited;
    let l = limiters.get(connection);
    if (!l) limiters.set(connection, (l = memoryRateLimiter(limit)));
    return l;
  };
};

function buildConnection(config: HubConfig, conn: Connection, deps: RuntimeDeps, bindings: Bindings): RuntimeConnection {
  const def = conn.definition;
  const log = deps.log.child({ connection: conn.name, connector: def.name });
  const decl = def.http?.(conn.config);
  const limiter = deps.limiterFor(conn.name, decl?.rateLimit);
  const ctx: ConnectorContext<unknown> = {
    connection: conn.name,
    config: conn.config,
    http: undefined as unknown as ConnectorContext['http'],
    limiter,
    log,
    bindings: {
      async byExternalId(kind, externalId) {
        const b = await bindings.byExternal(conn.name, kind, externalId);
        return b?.linkState === 'linked' && b.internalId ? { internalId: b.internalId, ...(b.sku ? { sku: b.sku } : {}) } : undefined;
      },
      async externalIdOf(kind, key) {
        const { rows } = await deps.db.query<{ external_id: string }>(
          `SELECT external_id FROM bindings WHERE connection = $1 AND kind = $2 AND link_state = 'linked'
             AND (($3::text IS NOT NULL AND sku = $3) OR ($4::text IS NOT NULL AND internal_id::text = $4)) LIMIT 1`,
          [conn.name, kind, key.sku ?? null, key.internalId ?? null],
        );
        return rows[0]?.external_id;
      },
    },
    checkpoints: {
      async get<T>(name: string) {
        const { rows } = await deps.db.query<{ value: T }>('SELECT value FROM checkpoints WHERE connection = $1 AND name = $2', [conn.name, name]);
        return rows[0]?.value;
      },
      async set(name, value) {
        await deps.db.query(
          `INSERT INTO checkpoints (connection, name, value) VALUES ($1, $2, $3::jsonb)
           ON CONFLICT (connection, name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [conn.name, name, JSON.stringify(value)],
        );
      },
    },
    vault: databaseVault(deps.db, conn.name, deps.vaultKey, (v) => deps.secrets.add(v)),
    emit: (hint, options) => deps.emit(conn.name, hint, options?.eventId),
    now: deps.now ?? (() => new Date()),
  };
  if (decl) ctx.http = createConnectorHttp(decl, { limiter, log, context: () => ctx });

  const owns = FIELD_GROUPS.filter((g) => ownerOf(config.ownership, g) === conn.name);
  const receives = FIELD_GROUPS.filter((g) => {
    const owner = ownerOf(config.ownership, g);
    return owner !== undefined && owner !== conn.name;
  });
  const schedules = { ...config.defaults.schedules, ...(conn.schedules ?? {}) };
  return {
    name: conn.name,
    def,
    ctx,
    owns,
    policy: {
      name: conn.name,
      stock: mergeStockPolicy(config.defaults.stock, conn.stock),
      prices: mergePriceRules(config.defaults.prices, conn.prices),
      receives,
      currencies: config.currencies,
      maps: { categories: conn.maps?.categories ?? {}, attributes: conn.maps?.attributes ?? {} },
    },
    onDrift: conn.onDrift,
    pollEveryMs: schedules.poll,
    sweepEveryMs: schedules.sweep,
    saleLocation: conn.stock?.locations?.[0] ?? config.defaults.stock.locations?.[0] ?? 'default',
    classify: (err) => def.classifyError?.(err) ?? classifyFailure(err),
  };
}
