import type { FieldGroup } from '../../mappings/ownership.ts';
import type { ItemResult, PriceUpdate, StockUpdate } from '../sdk/capabilities.ts';
import { AuthError } from '../sdk/errors.ts';
import type { DesiredProduct, ImageRef } from '../sdk/model.ts';
import { transaction, type Database } from '../store/database.ts';
import type { Binding, Bindings, GroupRecord } from './bindings.ts';
import { recordCall } from './activity.ts';
import { loadProducts } from './canonical.ts';
import { planProduct, type ProductPlan } from './desired.ts';
import { resolveDrift, resolveDriftMany } from './drift.ts';
import { type LoadedPromotions, loadPromotions, planNativePushes, plannedPushWrite, promotionInputFor, sendNativePushes } from './promotions.ts';
import { requestWork } from './requests.ts';
import type { RuntimeConnection } from './runtime.ts';

const PRODUCT_GROUPS: FieldGroup[] = ['content', 'media', 'category', 'status'];

/** One write the reconcile would make (or made), for `plan` and for reports. */
export interface PlannedWrite {
  connection: string;
  operation: 'catalog.create' | 'catalog.update' | 'prices.set' | 'stock.set' | 'promotions.apply' | 'promotions.remove';
  sku: string | undefined;
  productId: string;
  groups: string[];
  value: unknown;
  because: string[];
}

export interface ReconcileOutcome {
  writes: PlannedWrite[];
  /** Products to try again later, with the wait the channel asked for. */
  retry: Array<{ productId: string; message: string; retryAfterMs?: number }>;
  parked: Array<{ productId: string; sku?: string; message: string }>;
  calls: number;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Brings a connection's channel to the desired state for some products: computes the desired state with the
 * connection's rules, compares each field group's hash with what was last pushed, and writes only what differs,
 * batched up to each capability's maxBatch. With `dryRun` it only returns the writes it would make (plan).
 */
export async function reconcileProducts(
  db: Database,
  bindings: Bindings,
  conn: RuntimeConnection,
  productIds: string[],
  /** `at`: the instant to plan for (default now, by the connection's clock); `promotions`: instead of the store's (plan from the file). */
  options: { dryRun?: boolean; at?: Date; promotions?: LoadedPromotions } = {},
): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { writes: [], retry: [], parked: [], calls: 0 };
  const caps = conn.def.capabilities;
  if (conn.policy.receives.length === 0) return outcome;
  const at = options.at ?? conn.ctx.now();
  const promotions = conn.policy.receives.includes('price') ? promotionInputFor(conn, options.promotions ?? (await loadPromotions(db, at)), at) : undefined;
  const native: Parameters<typeof planNativePushes>[2] = [];
  const products = await loadProducts(db, productIds);
  const variantIds = [...products.values()].flatMap((p) => p.variants.map((v) => v.id));
  const [productBindings, variantBindings] = await Promise.all([
    bindings.byInternal(conn.name, 'product', [...products.keys()]),
    bindings.byInternal(conn.name, 'variant', variantIds),
  ]);

  // Creating listings before the channel's own catalogue was linked would duplicate what is already there.
  const mayCreate = !caps.catalog?.read || (await conn.ctx.checkpoints.get<boolean>('catalog.linked')) === true;
  // Products the merchant deleted on this channel stay deleted there (see 0008_channel_deletions.sql).
  const deletedHere = new Set(
    (await db.query<{ product_id: string }>('SELECT product_id FROM channel_deletions WHERE connection = $1 AND product_id = ANY($2::uuid[])', [conn.name, [...products.keys()]])).rows.map((r) => r.product_id),
  );
  const creates: Array<{ plan: ProductPlan }> = [];
  const updates: Array<{ plan: ProductPlan; groups: FieldGroup[]; binding: Binding }> = [];
  const prices: Array<{ update: PriceUpdate; binding: Binding; productId: string; hash: string }> = [];
  const stock: Array<{ update: StockUpdate; binding: Binding; productId: string; hash: string }> = [];

  for (const product of products.values()) {
    const pb = productBindings.get(product.id);
    const plan = planProduct(product, conn.policy, {
      ...(pb ? { productExternalId: pb.externalId } : {}),
      variantExternalIds: new Map(product.variants.flatMap((v) => { const b = variantBindings.get(v.id); return b ? [[v.id, b.externalId] as [string, string]] : []; })),
    }, promotions);
    // What this hub put on the channel before (content hash ↔ channel image id): unchanged images are not sent again.
    if (pb?.pushed.media?.value) plan.desired.channelImages = pb.pushed.media.value as ImageRef[];
    const unlinkedVariants = product.variants.filter((v) => !variantBindings.has(v.id));
    if (caps.catalog?.write && !pb) {
      // Not on the channel yet: one create carries every group (variants, prices, stock included).
      if (!mayCreate || deletedHere.has(product.id)) continue;
      creates.push({ plan });
      outcome.writes.push({ connection: conn.name, operation: 'catalog.create', sku: undefined, productId: product.id, groups: [...conn.policy.receives], value: { variants: plan.desired.variants.map((v) => v.sku) }, because: ['not on the channel yet'] });
      continue;
    }
    if (caps.catalog?.write && pb) {
      const changed = PRODUCT_GROUPS.filter((g) => plan.hashes[g] !== undefined && pb.pushed[g]?.hash !== plan.hashes[g]);
      // Variants the channel lacks are added by an update carrying every group the connection receives.
      const groups = unlinkedVariants.length > 0 ? conn.policy.receives : changed;
      if (groups.length > 0) {
        updates.push({ plan, groups, binding: pb });
        outcome.writes.push({ connection: conn.name, operation: 'catalog.update', sku: undefined, productId: product.id, groups: [...groups], value: Object.fromEntries(changed.map((g) => [g, plan.hashes[g]])), because: unlinkedVariants.length > 0 ? [`variants missing on the channel: ${unlinkedVariants.map((v) => v.sku).join(', ')}`] : [`${changed.join(', ')} changed`] });
      }
    }
    for (const vp of plan.variants) {
      const vb = variantBindings.get(vp.variantId);
      const desired = plan.desired.variants.find((d) => d.sku === vp.sku)!;
      if (!vb) continue;
      if (promotions?.mode === 'native' && desired.price && caps.promotions?.write) {
        native.push({ productId: product.id, variantId: vp.variantId, sku: vp.sku, binding: vb, productExternalId: vb.productExternalId ?? pb?.externalId, regular: desired.price, hold: vp.promotion });
      }
      if (vp.hashes.price && desired.price && vb.pushed.price?.hash !== vp.hashes.price && caps.prices?.write) {
        prices.push({ update: { sku: vp.sku, externalId: vb.externalId, productExternalId: vb.productExternalId ?? pb?.externalId, price: desired.price }, binding: vb, productId: product.id, hash: vp.hashes.price });
        outcome.writes.push({ connection: conn.name, operation: 'prices.set', sku: vp.sku, productId: product.id, groups: ['price'], value: desired.price, because: vp.because.price ?? [] });
      }
      if (vp.hashes.stock && desired.stock !== undefined && vb.pushed.stock?.hash !== vp.hashes.stock && caps.stock?.write) {
        const expected = (vb.seen.stock?.value ?? vb.pushed.stock?.value) as number | undefined;
        stock.push({ update: { sku: vp.sku, externalId: vb.externalId, productExternalId: vb.productExternalId ?? pb?.externalId, available: desired.stock, expected }, binding: vb, productId: product.id, hash: vp.hashes.stock });
        outcome.writes.push({ connection: conn.name, operation: 'stock.set', sku: vp.sku, productId: product.id, groups: ['stock'], value: desired.stock, because: vp.because.stock ? [vp.because.stock] : [] });
      }
    }
  }
  const pushes = await planNativePushes(db, conn, native);
  for (const p of pushes) outcome.writes.push(plannedPushWrite(conn, p, native.find((n) => n.variantId === p.variantId)?.hold?.price.because));
  if (options.dryRun) return outcome;

  const fail = (productId: string, r: Extract<ItemResult, { ok: false }>, binding?: Binding, sku?: string) => {
    if (r.kind === 'auth') throw new AuthError(r.message);
    if (r.kind === 'business') {
      outcome.parked.push({ productId, ...(sku ? { sku } : {}), message: r.message });
      if (binding) void bindings.park(binding.id, r.message);
    } else {
      outcome.retry.push({ productId, message: r.message, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}) });
    }
  };

  const catalogWrite = caps.catalog?.write;
  if (catalogWrite) {
    const items: Array<{ desired: DesiredProduct; plan: ProductPlan; groups: FieldGroup[] }> = [
      ...creates.map((c) => ({ desired: c.plan.desired, plan: c.plan, groups: conn.policy.receives })),
      ...updates.map((u) => ({ desired: { ...u.plan.desired, groups: u.groups }, plan: u.plan, groups: u.groups })),
    ];
    for (const batch of chunks(items, catalogWrite.maxBatch)) {
      outcome.calls++;
      const results = await recordCall(db, conn, 'catalog.write.upsert', 'product', batch.map((b) => ({ internalId: b.desired.internalId, skus: b.desired.variants.map((v) => v.sku) })), () => catalogWrite.upsert(conn.ctx, batch.map((b) => b.desired)));
      const created: Array<{ item: (typeof batch)[number]; r: Extract<ItemResult, { ok: true }> }> = [];
      for (const [i, r] of results.entries()) {
        const item = batch[i]!;
        if (r.ok) {
          created.push({ item, r });
          continue;
        }
        // An auth failure throws: what the channel accepted before it is recorded first, as one by one would.
        if (r.kind === 'auth') await recordCreated(db, bindings, conn.name, created.splice(0));
        fail(item.desired.internalId, r);
      }
      await recordCreated(db, bindings, conn.name, created);
    }
  }

  const pricesWrite = caps.prices?.write;
  if (pricesWrite) {
    for (const batch of chunks(prices, pricesWrite.maxBatch)) {
      outcome.calls++;
      const results = await recordCall(db, conn, 'prices.write.set', 'variant', batch.map((b) => ({ sku: b.update.sku, externalId: b.update.externalId, internalId: b.productId })), () => pricesWrite.set(conn.ctx, batch.map((b) => b.update)));
      let done: typeof batch = [];
      const record = async () => {
        await bindings.markPushedMany(done.map((item) => ({ id: item.binding.id, groups: { price: { hash: item.hash, value: item.update.price } } })));
        await resolveDriftMany(db, conn.name, done.map((item) => ({ internalId: item.binding.internalId!, field: 'price' })), 'overwritten');
        done = [];
      };
      for (const [i, r] of results.entries()) {
        const item = batch[i]!;
        if (r.ok) done.push(item);
        else {
          // An auth failure throws: what the channel accepted before it is recorded first, as one by one would.
          if (r.kind === 'auth') await record();
          fail(item.productId, r, item.binding, item.update.sku);
        }
      }
      await record();
    }
  }
  const stockWrite = caps.stock?.write;
  if (stockWrite) {
    for (const batch of chunks(stock, stockWrite.maxBatch)) {
      outcome.calls++;
      const results = await recordCall(db, conn, 'stock.write.set', 'variant', batch.map((b) => ({ sku: b.update.sku, externalId: b.update.externalId, internalId: b.productId })), () => stockWrite.set(conn.ctx, batch.map((b) => b.update)));
      let done: Array<{ item: (typeof batch)[number]; groups: { stock: GroupRecord } }> = [];
      const record = async () => {
        // The channel now shows what we wrote: that is also the value to compare-and-set against next time.
        await bindings.markPushedMany(done.map((d) => ({ id: d.item.binding.id, groups: d.groups })));
        await bindings.markSeenMany(done.map((d) => ({ id: d.item.binding.id, groups: d.groups })));
        await resolveDriftMany(db, conn.name, done.map((d) => ({ internalId: d.item.binding.internalId!, field: 'stock' })), 'overwritten');
        done = [];
      };
      for (const [i, r] of results.entries()) {
        const item = batch[i]!;
        if (r.ok) {
          done.push({ item, groups: { stock: { hash: item.hash, value: item.update.available, at: new Date().toISOString() } } });
        } else {
          // An auth failure throws: what the channel accepted before it is recorded first, as one by one would.
          if (r.kind === 'auth') await record();
          // A compare-and-set mismatch (or any retryable refusal) means our idea of the channel's quantity is stale:
          // forget it, so the retry reads the current value instead of failing on the same expectation forever.
          if (r.kind === 'retryable') await db.query(`UPDATE bindings SET seen = seen - 'stock', pushed = pushed - 'stock' WHERE id = $1`, [item.binding.id]);
          fail(item.productId, r, item.binding, item.update.sku);
        }
      }
      await record();
    }
  }
  await sendNativePushes(db, conn, pushes, fail, outcome);
  // A listing created just now gets its channel-scheduled promotion on the next pass, once its variants are bound.
  const followUp = creates.filter((c) => c.plan.variants.some((v) => v.promotion)).map((c) => c.plan.desired.internalId);
  if (followUp.length > 0) await requestWork(db, followUp.map((id) => ({ connection: conn.name, lane: 'outbound' as const, kind: 'product', id, priority: 3 })));
  return outcome;
}

type CatalogItem = { desired: DesiredProduct; plan: ProductPlan; groups: FieldGroup[] };
type Created = { item: CatalogItem; r: Extract<ItemResult, { ok: true }> };
type BindingInput = Parameters<Bindings['upsert']>[0];

/** What one listing the channel accepted leaves in bindings: the product and its variants bound, what was pushed. */
function createdRecords(connection: string, { item, r }: Created) {
  const product: BindingInput = { connection, kind: 'product', externalId: r.externalId, internalId: item.desired.internalId, linkState: 'linked', origin: 'created' };
  const productPushed: Record<string, GroupRecord> = Object.fromEntries(item.groups.filter((g) => item.plan.hashes[g]).map((g) => [g, { hash: item.plan.hashes[g]!, ...(g === 'media' && r.images ? { value: r.images } : {}) }]));
  const variants: Array<{ binding: BindingInput; pushed: Record<string, GroupRecord> }> = [];
  for (const vp of item.plan.variants) {
    const externalId = r.variantIds?.[vp.sku] ?? item.desired.variants.find((v) => v.sku === vp.sku)?.externalId;
    if (!externalId) continue;
    const desired = item.desired.variants.find((v) => v.sku === vp.sku)!;
    const pushed: Record<string, GroupRecord> = {};
    if (item.groups.includes('price') && vp.hashes.price) pushed.price = { hash: vp.hashes.price, value: desired.price };
    if (item.groups.includes('stock') && vp.hashes.stock) pushed.stock = { hash: vp.hashes.stock, value: desired.stock };
    variants.push({ binding: { connection, kind: 'variant', externalId, internalId: vp.variantId, linkState: 'linked', origin: 'created', sku: vp.sku, productExternalId: r.externalId }, pushed });
  }
  return { product, productPushed, resolvesTitle: item.groups.includes('content'), internalId: item.desired.internalId, variants };
}

/**
 * Binds what a catalogue write created and records what was pushed: a few statements in one transaction for the
 * whole batch. If that fails (a binding constraint violated: an item linked elsewhere meanwhile), it is rolled back
 * and the items are recorded one by one, so the ones before the offending item are kept and its error is thrown,
 * exactly as without batching.
 */
async function recordCreated(db: Database, bindings: Bindings, connection: string, created: Created[]): Promise<void> {
  if (created.length === 0) return;
  const records = created.map((c) => createdRecords(connection, c));
  const batched = await transaction(db, async (client) => {
    const products = await bindings.upsertMany(records.map((x) => x.product), client);
    const variants = await bindings.upsertMany(records.flatMap((x) => x.variants.map((v) => v.binding)), client);
    const pushedVariants = records.flatMap((x) => x.variants.map((v) => v.pushed));
    await bindings.markPushedMany([
      ...records.map((x, i) => ({ id: products[i]!.id, groups: x.productPushed })),
      ...variants.flatMap((vb, i) => (Object.keys(pushedVariants[i]!).length ? [{ id: vb.id, groups: pushedVariants[i]! }] : [])),
    ], client);
    await resolveDriftMany(client, connection, records.filter((x) => x.resolvesTitle).map((x) => ({ internalId: x.internalId, field: 'title' })), 'overwritten');
    return true;
  }).catch(() => false);
  if (batched) return;
  for (const x of records) {
    const pb = await bindings.upsert(x.product);
    await bindings.markPushed(pb.id, x.productPushed);
    if (x.resolvesTitle) await resolveDrift(db, connection, x.internalId, 'title', 'overwritten');
    for (const v of x.variants) {
      const vb = await bindings.upsert(v.binding);
      if (Object.keys(v.pushed).length) await bindings.markPushed(vb.id, v.pushed);
    }
  }
}
