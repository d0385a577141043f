import type { ChannelPrice } from '../../mappings/price-rules.ts';
import {
  type Promotion, type PromotionCombine, type PromotionConfig, type PromotionSegment, promotionalPrice, promotionTimeline,
  rateBetween, resolvePromotion, segmentToHold, targets,
} from '../../mappings/promotions.ts';
import type { ItemResult, PromotionUpdate } from '../sdk/capabilities.ts';
import type { DesiredPrice } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';
import { recordCall } from './activity.ts';
import type { Binding } from './bindings.ts';
import type { ConnectionPolicy } from './desired.ts';
import { hashOf } from './hash.ts';
import type { PlannedWrite } from './outbound.ts';
import type { RuntimeConnection } from './runtime.ts';

/**
 * Promotions in the engine. Two ways a channel shows one, chosen from its connector's capabilities:
 * - `native`: the connector's `promotions.write` says the channel schedules it (Facebook `sale_price` with effective
 *   dates, PrestaShop `specific_prices` from/to). The hub pushes the stretch ahead of time with its window, the
 *   channel switches by itself; `promotion_pushes` remembers what each variant holds, so nothing is pushed twice.
 * - `price`: everyone else (Shopify price + compare-at, channels without the capability). The desired price itself
 *   becomes the promotional one with compare-at = regular, so the ordinary price write switches it when the
 *   scheduler asks for a reconcile at the boundary — level-triggered, durable, and a revert is a recomputation from
 *   the current rules and base price, never a stored copy.
 */

export type PromotionMode = 'native' | 'price';

/** What planProduct needs to price promotions for one connection at one instant. */
export interface PromotionInput {
  at: Date;
  /** Promotions that may concern this connection (any window; inactive ones are ignored). */
  list: Promotion[];
  combine: PromotionCombine;
  mode: PromotionMode;
}

export interface LoadedPromotions {
  list: Promotion[];
  combine: PromotionCombine;
}

export function promotionMode(conn: Pick<RuntimeConnection, 'def'>): PromotionMode {
  return conn.def.capabilities.promotions?.write.describe().scheduledByChannel ? 'native' : 'price';
}

/** How the channel shows a promotion, in words for `plan`. */
export function describePromotionSupport(conn: Pick<RuntimeConnection, 'def'>): string {
  const write = conn.def.capabilities.promotions?.write;
  if (write) {
    const d = write.describe();
    return `promotions as ${d.native}${d.scheduledByChannel ? ' (pushed ahead of time; the channel starts and ends it)' : ' (switched by the hub at start and end)'}${d.limitations ? `; ${d.limitations}` : ''}`;
  }
  const wouldNeed = conn.def.name === 'allegro'
    ? 'Allegro has no time-boxed sale price; it would need AlleObniżka campaign offers (/sale/alle-discount, scope allegro:api:campaigns)'
    : `the ${conn.def.name} connector would need a promotions.write capability`;
  return `promotions not supported natively: ${wouldNeed}. The hub writes the promotional price as the regular price at the start and reverts it at the end`;
}

type Row = {
  key: string; name: string; discount_type: Promotion['discount']['type']; discount_value: string; target: Promotion['target'];
  channels: string[]; starts_at: Date; ends_at: Date; time_zone: string; priority: number; status: string; definition_hash: string | null;
};

const fromRow = (r: Row): Promotion => ({
  key: r.key, name: r.name, discount: { type: r.discount_type, value: Number(r.discount_value) }, target: r.target, channels: r.channels,
  startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), timeZone: r.time_zone, priority: r.priority,
});

/** Promotions not cancelled and not over by `at`, and the combine rule (as last synced from config). */
export async function loadPromotions(db: Pick<Database, 'query'>, at: Date): Promise<LoadedPromotions> {
  const [{ rows }, settings] = await Promise.all([
    db.query<Row>("SELECT * FROM promotions WHERE key IS NOT NULL AND status <> 'cancelled' AND ends_at > $1 ORDER BY key", [at]),
    db.query<{ combine: PromotionCombine }>('SELECT combine FROM promotion_settings'),
  ]);
  return { list: rows.map(fromRow), combine: settings.rows[0]?.combine ?? 'best_for_customer' };
}

/** The config's promotions as the engine sees them, without touching the store (plan from the file as it is now). */
export function promotionsFromConfig(list: PromotionConfig[], combine: PromotionCombine): LoadedPromotions {
  return { list: list.map(resolvePromotion), combine };
}

/** The input planProduct gets for a connection, or undefined when the connection takes no promotions. */
export function promotionInputFor(conn: Pick<RuntimeConnection, 'def' | 'name' | 'policy'>, loaded: LoadedPromotions, at: Date): PromotionInput | undefined {
  // A connection that owns prices keeps its own: promotions apply on top of the owner's price elsewhere.
  if (!conn.policy.receives.includes('price')) return undefined;
  // Kept even when no promotion concerns it any more: a native channel may still hold one to remove.
  const list = loaded.list.filter((p) => p.channels.length === 0 || p.channels.includes(conn.name));
  return { at, list, combine: loaded.combine, mode: promotionMode(conn) };
}

export interface VariantPromotion {
  /** `price` mode, while a promotion runs: the price to show (compare-at = regular) and why. */
  price?: { gross: string; net: string; because: string };
  /** `native` mode: the stretch the channel should hold now (running, or the next to come). */
  hold?: PromotionSegment;
}

/** A variant's promotion on a connection. Pure. */
export function variantPromotion(
  input: PromotionInput,
  item: { sku: string; category: string | null },
  regular: ChannelPrice,
  baseCurrency: string,
  policy: Pick<ConnectionPolicy, 'name' | 'prices' | 'currencies'>,
): VariantPromotion {
  const mine = input.list.filter((p) => targets(p, { ...item, connection: policy.name }));
  if (mine.length === 0) return {};
  const ctx = { rounding: policy.prices.rounding, rate: rateBetween(baseCurrency, regular.currency, policy.currencies), combine: input.combine };
  if (input.mode === 'price') {
    const p = promotionalPrice(regular, mine, input.at, ctx);
    return p ? { price: { gross: p.gross, net: p.net, because: p.because } } : {};
  }
  const hold = segmentToHold(promotionTimeline(regular, mine, ctx), input.at);
  return hold ? { hold } : {};
}

/** One apply() item the reconcile will send to a `native` channel. */
export interface NativePush {
  kind: 'apply' | 'remove';
  productId: string;
  variantId: string;
  binding: Binding;
  update: PromotionUpdate;
  hash: string;
}

type PushRow = { variant_id: string; promotion_key: string; starts_at: Date; ends_at: Date; hash: string; external_id: string };

/**
 * Compares what each variant should hold on a `native` channel with what was pushed, and returns the applies and
 * removals that bring it there (a different promotion's stretch is removed before the new one is applied).
 */
export async function planNativePushes(
  db: Pick<Database, 'query'>,
  conn: Pick<RuntimeConnection, 'name'>,
  items: Array<{ productId: string; variantId: string; sku: string; binding: Binding; productExternalId: string | undefined; regular: DesiredPrice; hold: PromotionSegment | undefined }>,
): Promise<NativePush[]> {
  if (items.length === 0) return [];
  const { rows } = await db.query<PushRow>('SELECT * FROM promotion_pushes WHERE connection = $1 AND variant_id = ANY($2::uuid[])', [conn.name, items.map((i) => i.variantId)]);
  const held = new Map(rows.map((r) => [r.variant_id, r]));
  const out: NativePush[] = [];
  for (const item of items) {
    const stored = held.get(item.variantId);
    const regular: DesiredPrice = { ...item.regular, compareAt: null };
    const base = { productId: item.productId, variantId: item.variantId, binding: item.binding };
    const common = { sku: item.sku, externalId: item.binding.externalId, productExternalId: item.productExternalId, regular };
    let hash: string | undefined;
    if (item.hold) {
      const s = item.hold;
      hash = hashOf({ key: s.price.promotion.key, from: s.from.toISOString(), to: s.to.toISOString(), gross: s.price.gross, net: s.price.net, regular: [regular.gross, regular.net, regular.currency] });
      if (stored?.hash === hash) continue;
    }
    if (stored && (!item.hold || stored.promotion_key !== item.hold.price.promotion.key)) {
      const at = new Date(stored.ends_at);
      out.push({ ...base, kind: 'remove', hash: stored.hash, update: { ...common, externalId: stored.external_id, price: regular, startsAt: at, endsAt: at, promotionKey: stored.promotion_key } });
    }
    if (item.hold && hash) {
      const s = item.hold;
      const price: DesiredPrice = { gross: s.price.gross, net: s.price.net, taxRate: regular.taxRate, currency: regular.currency, compareAt: regular.gross };
      out.push({ ...base, kind: 'apply', hash, update: { ...common, price, startsAt: s.from, endsAt: s.to, promotionKey: s.price.promotion.key } });
    }
  }
  return out;
}

/** What `plan` shows for a native push. */
export function plannedPushWrite(conn: RuntimeConnection, push: NativePush, because: string | undefined): PlannedWrite {
  const u = push.update;
  const native = conn.def.capabilities.promotions?.write.describe().native ?? 'promotion';
  return {
    connection: conn.name,
    operation: push.kind === 'apply' ? 'promotions.apply' : 'promotions.remove',
    sku: u.sku,
    productId: push.productId,
    groups: ['price'],
    value: push.kind === 'apply'
      ? { promotion: u.promotionKey, price: u.price.gross, regular: u.regular.gross, currency: u.price.currency, from: u.startsAt.toISOString(), to: u.endsAt.toISOString() }
      : { promotion: u.promotionKey, removed: true },
    because: push.kind === 'apply'
      ? [...(because ? [because] : []), `${native}, from ${u.startsAt.toISOString()} to ${u.endsAt.toISOString()}`]
      : [`promotion "${u.promotionKey}" no longer applies here (ended, changed or cancelled): removed from the channel`],
  };
}

/** Sends native pushes (removals first), and records each success in promotion_pushes. */
export async function sendNativePushes(
  db: Database,
  conn: RuntimeConnection,
  pushes: NativePush[],
  fail: (productId: string, r: Extract<ItemResult, { ok: false }>, binding?: Binding, sku?: string) => void,
  outcome: { calls: number },
): Promise<void> {
  const write = conn.def.capabilities.promotions?.write;
  if (!write || pushes.length === 0) return;
  for (const kind of ['remove', 'apply'] as const) {
    const mine = pushes.filter((p) => p.kind === kind);
    for (let i = 0; i < mine.length; i += write.maxBatch) {
      const batch = mine.slice(i, i + write.maxBatch);
      outcome.calls++;
      const results = await recordCall(db, conn, 'promotions.write.apply', 'variant', batch.map((b) => ({ sku: b.update.sku, externalId: b.update.externalId, internalId: b.productId })), () => write.apply(conn.ctx, batch.map((b) => b.update)));
      for (const [j, r] of results.entries()) {
        const p = batch[j]!;
        if (!r.ok) {
          fail(p.productId, r, p.binding, p.update.sku);
          continue;
        }
        if (kind === 'remove') {
          await db.query('DELETE FROM promotion_pushes WHERE connection = $1 AND variant_id = $2 AND hash = $3', [conn.name, p.variantId, p.hash]);
        } else {
          await db.query(
            `INSERT INTO promotion_pushes (connection, variant_id, sku, external_id, promotion_key, starts_at, ends_at, price, regular, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (connection, variant_id) DO UPDATE SET sku = EXCLUDED.sku, external_id = EXCLUDED.external_id, promotion_key = EXCLUDED.promotion_key,
               starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, price = EXCLUDED.price, regular = EXCLUDED.regular, hash = EXCLUDED.hash, pushed_at = now()`,
            [conn.name, p.variantId, p.update.sku, p.update.externalId, p.update.promotionKey, p.update.startsAt, p.update.endsAt, JSON.stringify(p.update.price), JSON.stringify(p.update.regular), p.hash],
          );
        }
      }
    }
  }
}

/** Products a promotion concerns (by its target), plus those still holding one of its pushes. */
export async function productsOf(db: Pick<Database, 'query'>, promotions: Array<Pick<Promotion, 'key' | 'target'>>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const p of promotions) {
    const t = p.target;
    const { rows } = 'all' in t
      ? await db.query<{ id: string }>('SELECT id FROM products')
      : 'skus' in t
        ? await db.query<{ id: string }>('SELECT DISTINCT product_id AS id FROM variants WHERE sku = ANY($1)', [t.skus])
        : await db.query<{ id: string }>('SELECT id FROM products WHERE category = ANY($1)', [t.categories]);
    for (const r of rows) out.add(r.id);
    const pushed = await db.query<{ id: string }>('SELECT DISTINCT v.product_id AS id FROM promotion_pushes pp JOIN variants v ON v.id = pp.variant_id WHERE pp.promotion_key = $1', [p.key]);
    for (const r of pushed.rows) out.add(r.id);
  }
  return out;
}

export type PromotionState = 'scheduled' | 'active' | 'ended';
export const stateAt = (p: Pick<Promotion, 'startsAt' | 'endsAt'>, at: Date): PromotionState =>
  at.getTime() < p.startsAt.getTime() ? 'scheduled' : at.getTime() < p.endsAt.getTime() ? 'active' : 'ended';

/**
 * Promotions as code: upserts the config's promotions by key, cancels those no longer in it, stores the combine
 * rule. Returns the products whose promotional prices may have changed (new, edited, cancelled promotions; all
 * promoted products when the combine rule changed), for the caller to reconcile.
 */
export async function syncPromotionsFromConfig(db: Database, config: PromotionConfig[], combine: PromotionCombine): Promise<{ added: string[]; changed: string[]; cancelled: string[]; products: Set<string> }> {
  const { rows: existingRows } = await db.query<Row>('SELECT * FROM promotions WHERE key IS NOT NULL');
  const existing = new Map(existingRows.map((r) => [r.key, r]));
  const touched: Array<Pick<Promotion, 'key' | 'target'>> = [];
  const added: string[] = [];
  const changed: string[] = [];
  const cancelled: string[] = [];
  for (const c of config) {
    const p = resolvePromotion(c);
    const hash = hashOf({ ...p, startsAt: p.startsAt.toISOString(), endsAt: p.endsAt.toISOString() });
    const old = existing.get(p.key);
    if (old && old.definition_hash === hash && old.status !== 'cancelled') continue;
    await db.query(
      `INSERT INTO promotions (key, name, discount_type, discount_value, target, channels, starts_at, ends_at, time_zone, priority, status, definition_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled', $11)
       ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, discount_type = EXCLUDED.discount_type, discount_value = EXCLUDED.discount_value,
         target = EXCLUDED.target, channels = EXCLUDED.channels, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
         time_zone = EXCLUDED.time_zone, priority = EXCLUDED.priority, status = 'scheduled', definition_hash = EXCLUDED.definition_hash,
         updated_at = now(), status_changed_at = now()`,
      [p.key, p.name, p.discount.type, p.discount.value, JSON.stringify(p.target), p.channels, p.startsAt, p.endsAt, p.timeZone, p.priority, hash],
    );
    (old ? changed : added).push(p.key);
    touched.push(p);
    if (old) touched.push(fromRow(old));
  }
  const keys = new Set(config.map((c) => c.key));
  for (const old of existingRows) {
    if (keys.has(old.key) || old.status === 'cancelled') continue;
    await db.query("UPDATE promotions SET status = 'cancelled', updated_at = now(), status_changed_at = now() WHERE key = $1", [old.key]);
    cancelled.push(old.key);
    touched.push(fromRow(old));
  }
  const { rows: settings } = await db.query<{ combine: string }>('SELECT combine FROM promotion_settings');
  if (settings[0]?.combine !== combine) {
    await db.query('INSERT INTO promotion_settings (id, combine) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET combine = EXCLUDED.combine, updated_at = now()', [combine]);
    if (settings[0]) touched.push(...config.map(resolvePromotion));
  }
  return { added, changed, cancelled, products: await productsOf(db, touched) };
}
