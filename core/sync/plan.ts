import type { Database } from '../store/database.ts';
import type { Bindings } from './bindings.ts';
import { openDrift } from './drift.ts';
import { type PlannedWrite, reconcileProducts } from './outbound.ts';
import type { RuntimeConnection } from './runtime.ts';
import { isActive, targets } from '../../mappings/promotions.ts';
import { describePromotionSupport, type LoadedPromotions, loadPromotions } from './promotions.ts';

/** Products are planned in batches so a large catalogue never loads into memory at once. */
export const PLAN_BATCH = 500;

export interface PlanWrite extends Omit<PlannedWrite, 'connection'> {
  /** The SKUs a product-level write (create/update) concerns; the variant's SKU for price and stock writes. */
  skus: string[];
}

export interface ConnectionPlan {
  connection: string;
  connector: string;
  /** Field groups it receives from their owners (what outbound may write there). */
  receives: string[];
  /** Health as last recorded: a paused connection gets nothing until an operator acts. */
  status: string;
  statusReason: string | null;
  writes: PlanWrite[];
  counts: Record<string, number>;
  /** Things the plan cannot show as writes, said plainly (e.g. creations waiting for the first sweep). */
  notes: string[];
  unlinked: Array<{ kind: string; externalId: string; sku: string | null; linkState: string; reason: string | null }>;
  drift: Array<{ kind: string; sku: string | null; externalId: string | null; field: string; expected: unknown; actual: unknown; since: string }>;
}

export interface Plan {
  products: number;
  /** The instant planned for, as ISO text, when one was asked for (`--at`). */
  at?: string;
  connections: ConnectionPlan[];
}

/** Product ids in id order, one batch at a time (keyset pagination), optionally only those carrying a SKU. */
async function* productBatches(db: Database, sku: string | undefined, size: number): AsyncGenerator<string[]> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await db.query<{ id: string }>(
      sku
        ? 'SELECT DISTINCT product_id AS id FROM variants WHERE sku = $3 AND product_id > $1::uuid ORDER BY product_id LIMIT $2'
        : 'SELECT id FROM products WHERE id > $1::uuid ORDER BY id LIMIT $2',
      sku ? [after, size, sku] : [after, size],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.id);
    if (rows.length < size) return;
    after = rows[rows.length - 1]!.id;
  }
}

async function skusOf(db: Database, productIds: string[]): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ product_id: string; sku: string }>('SELECT product_id, sku FROM variants WHERE product_id = ANY($1::uuid[]) ORDER BY sku', [productIds]);
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.product_id, [...(out.get(r.product_id) ?? []), r.sku]);
  return out;
}

/**
 * What every connection would get and why (DESIGN.md, "Plan"): the canonical desired state through each
 * connection's rules, compared with what was last pushed. Reads the database only: nothing is written to a
 * channel, nothing is enqueued, and channels are not even read.
 */
export async function buildPlan(
  db: Database,
  bindings: Bindings,
  connections: RuntimeConnection[],
  /** `at`: plan for that instant (promotions running then); `promotions`: the config's, instead of the store's. */
  options: { sku?: string; batchSize?: number; at?: Date; promotions?: LoadedPromotions } = {},
): Promise<Plan> {
  const at = options.at ?? new Date();
  const promotions = options.promotions ?? (await loadPromotions(db, at));
  const plans = new Map<string, ConnectionPlan>();
  const { rows: states } = await db.query<{ connection: string; status: string; status_reason: string | null }>('SELECT connection, status, status_reason FROM connection_state');
  const stateOf = new Map(states.map((s) => [s.connection, s]));
  for (const conn of connections) {
    const state = stateOf.get(conn.name);
    const notes: string[] = [];
    if (conn.policy.receives.length === 0) notes.push('receives no field groups (it owns what it has, or ownership names no other connection): nothing to write');
    const caps = conn.def.capabilities;
    if (caps.catalog?.write && caps.catalog.read && (await conn.ctx.checkpoints.get<boolean>('catalog.linked')) !== true) {
      notes.push('its catalogue has not been linked by a sweep yet: products missing there are not created until the first sweep (run "omnihub sync --full")');
    }
    const concerning = promotions.list.filter((p) => p.channels.length === 0 || p.channels.includes(conn.name));
    if (concerning.length > 0 && !conn.policy.receives.includes('price')) {
      notes.push('owns its prices: promotions apply on top of them on the other channels, not here');
    } else if (concerning.length > 0) {
      notes.push(describePromotionSupport(conn));
      const running = concerning.filter((p) => isActive(p, at));
      const sku = options.sku;
      const shown = sku ? running.filter((p) => 'all' in p.target || 'categories' in p.target || targets(p, { sku, category: null, connection: conn.name })) : running;
      notes.push(shown.length
        ? `promotions running at ${at.toISOString()}: ${shown.map((p) => `"${p.name}" (${p.key}, until ${p.endsAt.toISOString()})`).join(', ')}`
        : `no promotion runs at ${at.toISOString()}${concerning.some((p) => p.startsAt > at) ? `; next: ${concerning.filter((p) => p.startsAt > at).map((p) => `"${p.name}" from ${p.startsAt.toISOString()}`).join(', ')}` : ''}`);
    }
    if (state && state.status !== 'ok') notes.push(`connection is ${state.status}${state.status_reason ? ` (${state.status_reason})` : ''}: these writes wait until an operator acts (omnihub reauth ${conn.name})`);
    plans.set(conn.name, {
      connection: conn.name,
      connector: `${conn.def.name}@${conn.def.version}`,
      receives: [...conn.policy.receives],
      status: state?.status ?? 'ok',
      statusReason: state?.status_reason ?? null,
      writes: [],
      counts: {},
      notes,
      unlinked: [],
      drift: [],
    });
  }

  let products = 0;
  for await (const ids of productBatches(db, options.sku, options.batchSize ?? PLAN_BATCH)) {
    products += ids.length;
    const skus = await skusOf(db, ids);
    for (const conn of connections) {
      const plan = plans.get(conn.name)!;
      const outcome = await reconcileProducts(db, bindings, conn, ids, { dryRun: true, at, promotions });
      for (const { connection: _c, ...w } of outcome.writes) {
        const writeSkus = w.sku ? [w.sku] : (skus.get(w.productId) ?? []);
        // With --sku, price and stock writes of the product's other variants are not what was asked about.
        if (options.sku && w.sku && w.sku !== options.sku) continue;
        plan.writes.push({ ...w, skus: writeSkus });
        plan.counts[w.operation] = (plan.counts[w.operation] ?? 0) + 1;
      }
    }
  }

  for (const plan of plans.values()) {
    for (const b of await bindings.unlinked(plan.connection)) {
      if (options.sku && b.sku !== options.sku) continue;
      plan.unlinked.push({ kind: b.kind, externalId: b.externalId, sku: b.sku, linkState: b.linkState, reason: b.linkReason });
    }
    for (const d of await openDrift(db, plan.connection)) {
      if (options.sku && d.sku !== options.sku) continue;
      plan.drift.push({
        kind: String(d.kind), sku: (d.sku as string | null) ?? null, externalId: (d.external_id as string | null) ?? null, field: String(d.field),
        expected: d.expected, actual: d.actual, since: new Date(d.detected_at as string).toISOString(),
      });
    }
  }
  return { products, ...(options.at ? { at: at.toISOString() } : {}), connections: [...plans.values()] };
}
