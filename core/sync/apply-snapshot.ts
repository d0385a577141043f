import { randomUUID } from 'node:crypto';
import type { FieldGroup } from '../../mappings/ownership.ts';
import type { BasePrice } from '../../mappings/price-rules.ts';
import type { ProductSnapshot, VariantSnapshot } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';
import type { Binding, Bindings, GroupRecord } from './bindings.ts';
import { type CanonicalProduct, createCatalogue, createProduct, createVariant, loadProducts, setPrice, updateProductFields, variantsByEan, variantsBySku } from './canonical.ts';
import { planProduct } from './desired.ts';
import { recordDrift, resolveDrift, resolveDriftMany } from './drift.ts';
import { hashOf, stableJson } from './hash.ts';
import { correctOnHandMany, recordInitialStock, stockPositions } from './ledger.ts';
import type { RuntimeConnection } from './runtime.ts';

export interface ApplyResult {
  /** Canonical products that changed: every other connection must reconcile them. */
  changed: Set<string>;
  /** Products where this connection drifted and should be overwritten. */
  heal: Set<string>;
  unlinked: number;
  /** The channel shows less stock than it should: read its orders before healing. */
  pollOrders?: boolean;
}

interface Linked {
  snap: VariantSnapshot;
  variantId: string;
  productId: string;
  bindingId: number;
}

/**
 * What applying a page of snapshots needs, read for the whole page at once (`prefetchSnapshots`). Only what is
 * already linked is taken from it; anything that may lead to creating is read again under the product's lock.
 */
export interface SnapshotPrefetch {
  /** Channel variants linked to a canonical variant, by external id, with that variant's product. */
  linked: Map<string, { binding: Binding; productId: string }>;
  /** Linked product bindings by canonical product id. */
  productBindings: Map<string, Binding>;
  /** The canonical products of those variants. A product an apply changes is dropped, so the next reads it again. */
  products: Map<string, CanonicalProduct>;
}

export async function prefetchSnapshots(db: Database, bindings: Bindings, conn: RuntimeConnection, snaps: ProductSnapshot[]): Promise<SnapshotPrefetch> {
  const found = await bindings.variantsByExternal(conn.name, snaps.flatMap((s) => s.variants.map((v) => v.externalId)));
  const linked = new Map<string, { binding: Binding; productId: string }>();
  for (const [externalId, f] of found) if (f.binding.linkState === 'linked' && f.binding.internalId && f.productId) linked.set(externalId, { binding: f.binding, productId: f.productId });
  const productIds = [...new Set([...linked.values()].map((l) => l.productId))];
  const [productBindings, products] = await Promise.all([bindings.byInternal(conn.name, 'product', productIds), loadProducts(db, productIds)]);
  return { linked, productBindings, products };
}

/** A product's channel variants not linked in the prefetch: their bindings and SKU matches, read once under the lock. */
interface Lookups {
  existing: Map<string, { binding: Binding; productId: string | null }>;
  bySku: Map<string, { id: string; productId: string }>;
}

/** Finds or creates the canonical variant for a channel variant: binding, then SKU, then EAN, then (owner only) create. */
async function link(db: Database, bindings: Bindings, conn: RuntimeConnection, snap: ProductSnapshot, v: VariantSnapshot, created: { productId?: string }, known: Lookups): Promise<Linked | undefined> {
  const existing = known.existing.get(v.externalId);
  if (existing?.binding.linkState === 'linked' && existing.binding.internalId && existing.productId) {
    return { snap: v, variantId: existing.binding.internalId, productId: existing.productId, bindingId: existing.binding.id };
  }
  let match: { id: string; productId: string } | undefined;
  let origin = 'auto:sku';
  let reason: string | undefined;
  let state: 'unlinked' | 'ambiguous' = 'unlinked';
  if (v.sku) match = known.bySku.get(v.sku);
  if (!match && v.ean) {
    const byEan = await variantsByEan(db, v.ean);
    if (byEan.length === 1) {
      match = byEan[0];
      origin = 'auto:ean';
    } else if (byEan.length > 1) {
      state = 'ambiguous';
      reason = `EAN ${v.ean} matches ${byEan.length} variants (${byEan.map((b) => b.sku).join(', ')})`;
    }
  }
  if (!match && !reason && v.sku && conn.owns.includes('content')) {
    created.productId ??= await createProduct(db, snap);
    match = { id: await createVariant(db, created.productId, { ...v, sku: v.sku }), productId: created.productId };
    // A later variant of this snapshot with the same SKU finds it, as a fresh look-up would.
    known.bySku.set(v.sku, match);
    origin = 'created';
  }
  if (!match) {
    reason ??= v.sku
      ? `no variant with SKU "${v.sku}"${v.ean ? ` or EAN ${v.ean}` : ''} in the catalogue, and ${conn.name} does not own content`
      : 'the channel variant has no SKU' + (v.ean ? ` and its EAN ${v.ean} matches nothing` : ' and no EAN');
    await bindings.upsert({ connection: conn.name, kind: 'variant', externalId: v.externalId, internalId: null, linkState: state, linkReason: reason, origin: 'auto', sku: v.sku, productExternalId: snap.externalId });
    return undefined;
  }
  const taken = (await bindings.byInternal(conn.name, 'variant', [match.id])).get(match.id);
  if (taken && taken.externalId !== v.externalId) {
    // Two channel items for one SKU: a duplicate listing. Linking both would make writes ambiguous.
    await bindings.upsert({ connection: conn.name, kind: 'variant', externalId: v.externalId, internalId: null, linkState: 'ambiguous', linkReason: `SKU ${v.sku ?? match.id} is already linked to ${taken.externalId} on ${conn.name} (duplicate listing?)`, origin, sku: v.sku, productExternalId: snap.externalId });
    return undefined;
  }
  try {
    const b = await bindings.upsert({ connection: conn.name, kind: 'variant', externalId: v.externalId, internalId: match.id, linkState: 'linked', origin, sku: v.sku, productExternalId: snap.externalId });
    return { snap: v, variantId: match.id, productId: match.productId, bindingId: b.id };
  } catch (err) {
    // Another worker linked a different channel item to this SKU between our check and our write.
    if ((err as { constraint?: string }).constraint !== 'bindings_internal') throw err;
    await bindings.upsert({ connection: conn.name, kind: 'variant', externalId: v.externalId, internalId: null, linkState: 'ambiguous', linkReason: `SKU ${v.sku ?? match.id} was linked to another item on ${conn.name} at the same time (duplicate listing?)`, origin, sku: v.sku, productExternalId: snap.externalId });
    return undefined;
  }
}

const same = (a: unknown, b: unknown) => stableJson(a) === stableJson(b);

/** The base price a channel's price amounts to: the tax rate from gross and net when it shows both, else the current one. */
function basePriceOf(p: NonNullable<VariantSnapshot['price']>, current: BasePrice | undefined): BasePrice {
  const taxRate = p.gross && p.net && Number(p.net) > 0 ? (Number(p.gross) / Number(p.net) - 1).toFixed(4) : current?.taxRate ?? '0';
  const gross = p.gross ?? (Number(p.net) * (1 + Number(taxRate))).toFixed(2);
  const net = p.net ?? (Number(p.gross) / (1 + Number(taxRate))).toFixed(2);
  return { gross, net, taxRate, currency: p.currency };
}

/**
 * Applies a channel's product snapshot: links its variants, applies the field groups the connection owns to the
 * canonical model, and records drift for the groups it does not own (unless the channel merely shows what we
 * last pushed — our own echo).
 */
export async function applySnapshot(db: Database, bindings: Bindings, conn: RuntimeConnection, snap: ProductSnapshot, prefetch?: SnapshotPrefetch): Promise<ApplyResult> {
  // A sweep and a hint (or two workers) may apply the same channel product at once: without this lock both would
  // find it unlinked and create the canonical product twice.
  const lock = await db.connect();
  const key = `omnihub:apply:${conn.name}:${snap.externalId}`;
  try {
    await lock.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    const result = await applyLocked(db, bindings, conn, snap, prefetch);
    for (const id of result.changed) prefetch?.products.delete(id);
    return result;
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
    lock.release();
  }
}

/**
 * A sweep page of the content owner, its products new to the hub created together: no variant of theirs bound on
 * this connection, every variant with a SKU, no SKU or EAN of theirs in the catalogue or twice in the page. For
 * those `applySnapshot` would only create, so their products, variants, prices, bindings and first stock counts
 * are written in a few statements, with the values it would write one by one. Returns their results by channel
 * product id; the page's other products (and one whose lock an apply holds, or that was bound meanwhile) are
 * left to `applySnapshot`.
 */
export async function createNewProducts(db: Database, bindings: Bindings, conn: RuntimeConnection, snaps: ProductSnapshot[], prefetch: SnapshotPrefetch): Promise<Map<string, ApplyResult>> {
  const done = new Map<string, ApplyResult>();
  // A connection that receives price or stock records drift on what it creates: that stays with applySnapshot.
  if (!conn.owns.includes('content') || conn.policy.receives.some((g) => g === 'price' || g === 'stock')) return done;
  // Anything two items of the page share (an id, a SKU, an EAN) is a duplicate or a match one by one must judge.
  const keysOf = (s: ProductSnapshot) => [`p:${s.externalId}`, ...s.variants.flatMap((v) => [`v:${v.externalId}`, ...(v.sku ? [`s:${v.sku}`] : []), ...(v.ean ? [`e:${v.ean}`] : [])])];
  const count = new Map<string, number>();
  for (const s of snaps) for (const k of keysOf(s)) count.set(k, (count.get(k) ?? 0) + 1);
  const candidates = snaps.filter((s) => s.variants.length > 0 && s.variants.every((v) => v.sku && !prefetch.linked.has(v.externalId)) && keysOf(s).every((k) => count.get(k) === 1));
  if (candidates.length === 0) return done;

  const lockKey = (s: ProductSnapshot) => `omnihub:apply:${conn.name}:${s.externalId}`;
  const client = await db.connect();
  let held: ProductSnapshot[] = [];
  try {
    // The per-product locks applySnapshot takes, without waiting: a product whose lock is busy goes one by one.
    const locks = await client.query<{ k: string; ok: boolean }>('SELECT k, pg_try_advisory_lock(hashtextextended(k, 0)) AS ok FROM unnest($1::text[]) AS k', [candidates.map(lockKey)]);
    const locked = new Set(locks.rows.filter((r) => r.ok).map((r) => r.k));
    held = candidates.filter((s) => locked.has(lockKey(s)));
    if (held.length === 0) return done;
    // Read under the locks: a binding, SKU or EAN that exists now sends its product one by one.
    const variants = held.flatMap((s) => s.variants);
    const { rows } = await client.query<{ k: string }>(
      `SELECT 'v:' || external_id AS k FROM bindings WHERE connection = $1 AND kind = 'variant' AND external_id = ANY($2::text[])
       UNION ALL SELECT 'p:' || external_id FROM bindings WHERE connection = $1 AND kind = 'product' AND external_id = ANY($3::text[])
       UNION ALL SELECT 's:' || sku FROM variants WHERE sku = ANY($4::text[])
       UNION ALL SELECT 'e:' || ean FROM variants WHERE ean = ANY($5::text[])`,
      [conn.name, variants.map((v) => v.externalId), held.map((s) => s.externalId), variants.map((v) => v.sku), variants.flatMap((v) => (v.ean ? [v.ean] : []))],
    );
    const exists = new Set(rows.map((r) => r.k));
    const owns = (g: FieldGroup) => conn.owns.includes(g);
    const plan = held.filter((s) => keysOf(s).every((k) => !exists.has(k))).map((snap) => ({
      id: randomUUID(),
      snap,
      variants: snap.variants.map((v) => ({ id: randomUUID(), v: { ...v, sku: v.sku! }, ...(owns('price') && v.price ? { price: basePriceOf(v.price, undefined) } : {}) })),
    }));
    if (plan.length === 0) return done;
    await client.query('BEGIN');
    try {
      if (!(await createCatalogue(client, plan))) {
        // A SKU created meanwhile by an apply of another product: one by one links or reports it.
        await client.query('ROLLBACK');
        return done;
      }
      await bindings.upsertMany(plan.flatMap((p) => [
        ...p.variants.map((x) => ({ connection: conn.name, kind: 'variant', externalId: x.v.externalId, internalId: x.id, linkState: 'linked' as const, origin: 'created', sku: x.v.sku, productExternalId: p.snap.externalId })),
        { connection: conn.name, kind: 'product', externalId: p.snap.externalId, internalId: p.id, linkState: 'linked' as const, origin: 'created' },
      ]), client);
      if (owns('stock')) {
        const items = plan.flatMap((p) => p.variants.flatMap((x) => (x.v.stock ? [{ externalId: x.v.externalId, variantId: x.id, observed: x.v.stock.available }] : [])));
        await recordInitialStock(client, { connection: conn.name, locationId: conn.saleLocation, items });
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A unique key taken meanwhile by an apply of another product: one by one sorts it out.
      if ((err as { code?: string }).code === '23505') return done;
      throw err;
    }
    for (const p of plan) done.set(p.snap.externalId, { changed: new Set([p.id]), heal: new Set(), unlinked: 0 });
    return done;
  } finally {
    if (held.length > 0) await client.query('SELECT pg_advisory_unlock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k', [held.map(lockKey)]).catch(() => undefined);
    client.release();
  }
}

async function applyLocked(db: Database, bindings: Bindings, conn: RuntimeConnection, snap: ProductSnapshot, prefetch?: SnapshotPrefetch): Promise<ApplyResult> {
  const result: ApplyResult = { changed: new Set(), heal: new Set(), unlinked: 0 };
  const created: { productId?: string } = {};
  const linked: Linked[] = [];
  const rest = snap.variants.filter((v) => !prefetch?.linked.has(v.externalId));
  const existing = await bindings.variantsByExternal(conn.name, rest.map((v) => v.externalId));
  const isLinked = (v: VariantSnapshot) => { const e = existing.get(v.externalId); return e?.binding.linkState === 'linked' && Boolean(e.binding.internalId && e.productId); };
  const known: Lookups = { existing, bySku: await variantsBySku(db, rest.flatMap((v) => (v.sku && !isLinked(v) ? [v.sku] : []))) };
  for (const v of snap.variants) {
    const pre = prefetch?.linked.get(v.externalId);
    const l = pre ? { snap: v, variantId: pre.binding.internalId!, productId: pre.productId, bindingId: pre.binding.id } : await link(db, bindings, conn, snap, v, created, known);
    if (l) linked.push(l);
    else result.unlinked++;
  }
  if (created.productId) result.changed.add(created.productId);
  if (linked.length === 0) return result;
  const productId = linked[0]!.productId;
  const takenProduct = prefetch?.productBindings.get(productId) ?? (await bindings.byInternal(conn.name, 'product', [productId])).get(productId);
  if (takenProduct && takenProduct.externalId !== snap.externalId) {
    await bindings.upsert({ connection: conn.name, kind: 'product', externalId: snap.externalId, internalId: null, linkState: 'ambiguous', linkReason: `its variants belong to a product already linked to ${takenProduct.externalId} on ${conn.name}`, origin: 'auto:variant' });
  } else if (!(takenProduct && takenProduct.linkReason === null && takenProduct.sku === null)) {
    // (Already linked to this product as the upsert would leave it: nothing to write.)
    await bindings.upsert({ connection: conn.name, kind: 'product', externalId: snap.externalId, internalId: productId, linkState: 'linked', origin: created.productId ? 'created' : 'auto:variant' });
  }

  const owns = (g: FieldGroup) => conn.owns.includes(g);
  const product = prefetch?.products.get(productId) ?? (await loadProducts(db, [productId])).get(productId)!;

  // Product-level groups owned by this connection: take the channel's values.
  const updates: Record<string, unknown> = {};
  if (owns('content')) {
    if (snap.title && !same(snap.title, product.title)) updates.title = snap.title;
    if (snap.description && !same(snap.description, product.description)) updates.description = snap.description;
    if (snap.brand !== undefined && snap.brand !== product.brand) updates.brand = snap.brand;
    if (snap.attributes && !same(snap.attributes, product.attributes)) updates.attributes = snap.attributes;
  }
  if (owns('category') && snap.category !== undefined && snap.category !== product.category) updates.category = snap.category;
  if (owns('media') && snap.images && !same(snap.images.map((i) => i.sha256 ?? i.url), product.images.map((i) => i.sha256 ?? i.url))) updates.images = snap.images;
  if (owns('status') && snap.status && snap.status !== product.status) updates.status = snap.status;
  if (Object.keys(updates).length > 0) {
    await updateProductFields(db, productId, updates);
    result.changed.add(productId);
  }

  // The stock owner's counts that already match the ledger need no correction (read in one query, not one
  // transaction per variant); the others go through correctOnHandMany, which checks again under its row locks.
  const corrections: Array<{ externalId: string; variantId: string; observed: number }> = [];
  const stockLinks = owns('stock') ? linked.filter((l) => l.snap.stock) : [];
  const positions = await stockPositions(db, { connection: conn.name, locationId: conn.saleLocation, variantIds: stockLinks.map((l) => l.variantId), recordsOrders: Boolean(conn.def.capabilities.orders?.write) });
  for (const l of linked) {
    const canonical = product.variants.find((v) => v.id === l.variantId);
    if (owns('price') && l.snap.price && canonical) {
      const current = canonical.prices.get(l.snap.price.currency);
      const { gross, net, taxRate, currency } = basePriceOf(l.snap.price, current);
      if (!current || Number(current.gross) !== Number(gross) || Number(current.net) !== Number(net)) {
        await setPrice(db, l.variantId, { gross, net, taxRate, currency });
        result.changed.add(productId);
      }
    }
    if (owns('stock') && l.snap.stock) {
      const position = positions.get(l.variantId);
      if (position && position.onHand - position.unrecorded === l.snap.stock.available) continue;
      corrections.push({ externalId: l.snap.externalId, variantId: l.variantId, observed: l.snap.stock.available });
    }
  }
  if ((await correctOnHandMany(db, { connection: conn.name, locationId: conn.saleLocation, recordsOrders: Boolean(conn.def.capabilities.orders?.write), items: corrections })).size > 0) {
    result.changed.add(productId);
  }

  // Resolutions and what the channel showed, written at the end in one statement each.
  const converged: Array<{ internalId: string; field: string }> = [];
  const seen: Array<{ id: number; groups: Record<string, GroupRecord> }> = [];

  // Content owned by another connection: a title edited on this channel is drift (compared on shared locales).
  if (conn.policy.receives.includes('content') && snap.title) {
    const shared = Object.keys(snap.title).filter((l) => product.title[l] !== undefined);
    const differs = shared.filter((l) => snap.title![l] !== product.title[l]);
    if (differs.length > 0) {
      const expected = Object.fromEntries(differs.map((l) => [l, product.title[l]]));
      const actual = Object.fromEntries(differs.map((l) => [l, snap.title![l]]));
      if (conn.onDrift === 'adopt') {
        await updateProductFields(db, productId, { title: { ...product.title, ...actual } });
        await resolveDrift(db, conn.name, productId, 'title', 'converged');
        result.changed.add(productId);
      } else {
        await recordDrift(db, { connection: conn.name, kind: 'product', internalId: productId, externalId: snap.externalId, sku: linked[0]!.snap.sku, field: 'title', fieldGroup: 'content', expected, actual });
        if (conn.onDrift === 'overwrite') {
          await db.query(`UPDATE bindings SET pushed = pushed - 'content' WHERE connection = $1 AND kind = 'product' AND external_id = $2`, [conn.name, snap.externalId]);
          result.heal.add(productId);
        }
      }
    } else if (shared.length > 0) {
      converged.push({ internalId: productId, field: 'title' });
    }
  }

  // Groups owned by others: compare what the channel shows with what it should show.
  if (conn.policy.receives.length > 0) {
    const fresh = result.changed.size > 0 ? (await loadProducts(db, [productId])).get(productId)! : product;
    const variantBindings = await bindings.byInternal(conn.name, 'variant', linked.map((l) => l.variantId));
    const plan = planProduct(fresh, conn.policy, {
      productExternalId: snap.externalId,
      variantExternalIds: new Map([...variantBindings].map(([id, b]) => [id, b.externalId])),
    });
    for (const l of linked) {
      const vb = variantBindings.get(l.variantId);
      const desired = plan.desired.variants.find((v) => v.sku === fresh.variants.find((c) => c.id === l.variantId)?.sku);
      if (!vb || !desired) continue;
      const checks: Array<{ group: FieldGroup; field: string; expected: unknown; actual: unknown }> = [];
      if (conn.policy.receives.includes('price') && desired.price && l.snap.price) {
        const useGross = l.snap.price.gross !== undefined;
        checks.push({ group: 'price', field: 'price', expected: useGross ? desired.price.gross : desired.price.net, actual: useGross ? l.snap.price.gross : l.snap.price.net });
      }
      if (conn.policy.receives.includes('stock') && desired.stock !== undefined && l.snap.stock) {
        checks.push({ group: 'stock', field: 'stock', expected: desired.stock, actual: l.snap.stock.available });
      }
      for (const c of checks) {
        const matches = c.group === 'price' ? Number(c.expected) === Number(c.actual) : c.expected === c.actual;
        const pushedValue = vb.pushed[c.group]?.value;
        const echo = pushedValue !== undefined && (c.group === 'price' ? Number((pushedValue as { gross?: string; net?: string })[l.snap.price?.gross !== undefined ? 'gross' : 'net']) === Number(c.actual) : pushedValue === c.actual);
        const hash = hashOf(c.actual);
        // The same value seen again changes nothing worth a write (only its time).
        if (vb.seen[c.group]?.hash !== hash || !same(vb.seen[c.group]?.value, c.actual)) seen.push({ id: vb.id, groups: { [c.group]: { hash, value: c.actual, at: new Date().toISOString() } } });
        if (matches || echo) {
          converged.push({ internalId: l.variantId, field: c.field });
          continue;
        }
        const { since } = await recordDrift(db, { connection: conn.name, kind: 'variant', internalId: l.variantId, externalId: l.snap.externalId, sku: l.snap.sku, field: c.field, fieldGroup: c.group, expected: c.expected, actual: c.actual });
        // Less stock on the channel than we want it to show is most often a sale whose order we have not read yet:
        // writing the higher number back would re-offer sold units. Read the orders first; heal only if it persists.
        const youngShortfall = c.group === 'stock' && Number(c.actual) < Number(c.expected) && Date.now() - since.getTime() < 2 * conn.pollEveryMs;
        if (youngShortfall) {
          result.pollOrders = true;
          continue;
        }
        if (conn.onDrift === 'overwrite') {
          // Forget what we pushed for this group, so the next reconcile writes the desired value again.
          await db.query(`UPDATE bindings SET pushed = pushed - $2 WHERE id = $1`, [vb.id, c.group]);
          result.heal.add(productId);
        }
      }
    }
  }
  await bindings.markSeenMany(seen);
  await resolveDriftMany(db, conn.name, converged, 'converged');
  return result;
}
