import type { BasePrice } from '../../mappings/price-rules.ts';
import type { ImageRef, LocalizedText, ProductSnapshot, VariantSnapshot } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';

export interface CanonicalVariant {
  id: string;
  productId: string;
  sku: string;
  ean: string | null;
  title: LocalizedText;
  attributes: Record<string, string>;
  images: ImageRef[];
  status: 'active' | 'draft' | 'archived';
  /** Base price per currency. */
  prices: Map<string, BasePrice>;
  /** On-hand per location, from the ledger. */
  onHand: Record<string, number>;
  /** Units held by open reservations. */
  reserved: number;
}

export interface CanonicalProduct {
  id: string;
  title: LocalizedText;
  description: LocalizedText;
  brand: string | null;
  category: string | null;
  attributes: Record<string, string>;
  images: ImageRef[];
  status: 'active' | 'draft' | 'archived';
  variants: CanonicalVariant[];
}

/** Loads products with their variants, prices, stock and reservations, in one round of queries. */
export async function loadProducts(db: Database, ids: string[]): Promise<Map<string, CanonicalProduct>> {
  const out = new Map<string, CanonicalProduct>();
  if (ids.length === 0) return out;
  const products = await db.query('SELECT * FROM products WHERE id = ANY($1::uuid[])', [ids]);
  for (const p of products.rows) {
    out.set(p.id, {
      id: p.id, title: p.title, description: p.description, brand: p.brand, category: p.category,
      attributes: p.attributes, images: p.images, status: p.status, variants: [],
    });
  }
  const variants = await db.query('SELECT * FROM variants WHERE product_id = ANY($1::uuid[]) ORDER BY sku', [ids]);
  const byId = new Map<string, CanonicalVariant>();
  for (const v of variants.rows) {
    const variant: CanonicalVariant = {
      id: v.id, productId: v.product_id, sku: v.sku, ean: v.ean, title: v.title, attributes: v.attributes, images: v.images,
      status: v.status, prices: new Map(), onHand: {}, reserved: 0,
    };
    byId.set(v.id, variant);
    out.get(v.product_id)?.variants.push(variant);
  }
  const variantIds = [...byId.keys()];
  if (variantIds.length > 0) {
    const [prices, levels, reservations] = await Promise.all([
      db.query('SELECT variant_id, currency, gross::text, net::text, tax_rate::text FROM prices WHERE variant_id = ANY($1::uuid[])', [variantIds]),
      db.query('SELECT variant_id, location_id, on_hand FROM stock_levels WHERE variant_id = ANY($1::uuid[])', [variantIds]),
      db.query('SELECT variant_id, sum(quantity)::int AS q FROM reservations WHERE variant_id = ANY($1::uuid[]) AND released_at IS NULL GROUP BY variant_id', [variantIds]),
    ]);
    for (const r of prices.rows) {
      byId.get(r.variant_id)?.prices.set(r.currency.trim(), { gross: r.gross, net: r.net, taxRate: r.tax_rate, currency: r.currency.trim() });
    }
    for (const r of levels.rows) {
      const v = byId.get(r.variant_id);
      if (v) v.onHand[r.location_id] = r.on_hand;
    }
    for (const r of reservations.rows) {
      const v = byId.get(r.variant_id);
      if (v) v.reserved = r.q;
    }
  }
  return out;
}

export async function variantsBySku(db: Database, skus: string[]): Promise<Map<string, { id: string; productId: string }>> {
  if (skus.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; product_id: string; sku: string }>('SELECT id, product_id, sku FROM variants WHERE sku = ANY($1)', [skus]);
  return new Map(rows.map((r) => [r.sku, { id: r.id, productId: r.product_id }]));
}

export async function variantsByEan(db: Database, ean: string): Promise<Array<{ id: string; productId: string; sku: string }>> {
  const { rows } = await db.query<{ id: string; product_id: string; sku: string }>('SELECT id, product_id, sku FROM variants WHERE ean = $1', [ean]);
  return rows.map((r) => ({ id: r.id, productId: r.product_id, sku: r.sku }));
}

/** Creates a canonical product from a channel's snapshot (the content owner's catalogue seeds the hub). */
export async function createProduct(db: Database, snap: ProductSnapshot): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO products (title, description, brand, category, attributes, images, status) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [snap.title ?? {}, snap.description ?? {}, snap.brand ?? null, snap.category ?? null, snap.attributes ?? {}, JSON.stringify(snap.images ?? []), snap.status ?? 'active'],
  );
  return rows[0]!.id;
}

export async function createVariant(db: Database, productId: string, v: VariantSnapshot & { sku: string }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO variants (product_id, sku, ean, title, attributes, images, status) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (sku) DO UPDATE SET updated_at = variants.updated_at RETURNING id`,
    [productId, v.sku, v.ean ?? null, v.title ?? {}, v.attributes ?? {}, JSON.stringify(v.images ?? []), v.status ?? 'active'],
  );
  return rows[0]!.id;
}

/** Product-level content fields by field group, as the canonical model stores them. */
export const PRODUCT_GROUP_FIELDS = {
  content: ['title', 'description', 'brand', 'attributes'],
  media: ['images'],
  category: ['category'],
  status: ['status'],
} as const;

export async function updateProductFields(db: Database, productId: string, fields: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(fields);
  if (keys.length === 0) return;
  const sets = keys.map((k, i) => `${k} = $${i + 2}`).join(', ');
  await db.query(`UPDATE products SET ${sets}, updated_at = now() WHERE id = $1`, [
    productId,
    ...keys.map((k) => (k === 'images' ? JSON.stringify(fields[k]) : fields[k])),
  ]);
}

export async function setPrice(db: Database, variantId: string, price: BasePrice): Promise<void> {
  await db.query(
    `INSERT INTO prices (variant_id, currency, gross, net, tax_rate) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (variant_id, currency) DO UPDATE SET gross = EXCLUDED.gross, net = EXCLUDED.net, tax_rate = EXCLUDED.tax_rate, updated_at = now()`,
    [variantId, price.currency, price.gross, price.net, price.taxRate],
  );
}

/**
 * Creates many canonical products with their variants and base prices in three statements (a sweep page of the
 * content owner's new catalogue), with the values `createProduct`, `createVariant` and `setPrice` would store. The
 * caller picks the ids, so no returned row has to be matched back to its input. Returns false, having written
 * nothing else, when a SKU already exists: the caller's transaction must then be rolled back.
 */
export async function createCatalogue(
  db: Pick<Database, 'query'>,
  products: Array<{ id: string; snap: ProductSnapshot; variants: Array<{ id: string; v: VariantSnapshot & { sku: string }; price?: BasePrice }> }>,
): Promise<boolean> {
  if (products.length === 0) return true;
  await db.query(
    `INSERT INTO products (id, title, description, brand, category, attributes, images, status)
     SELECT id, title, description, brand, category, attributes, images, status
       FROM jsonb_to_recordset($1::jsonb) AS p(n int, id uuid, title jsonb, description jsonb, brand text, category text, attributes jsonb, images jsonb, status text)
      ORDER BY n`,
    [JSON.stringify(products.map(({ id, snap }, n) => ({
      n, id, title: snap.title ?? {}, description: snap.description ?? {}, brand: snap.brand ?? null, category: snap.category ?? null,
      attributes: snap.attributes ?? {}, images: snap.images ?? [], status: snap.status ?? 'active',
    })))],
  );
  const variants = products.flatMap((p) => p.variants.map((x) => ({ ...x, productId: p.id })));
  const inserted = await db.query(
    `INSERT INTO variants (id, product_id, sku, ean, title, attributes, images, status)
     SELECT id, product_id, sku, ean, title, attributes, images, status
       FROM jsonb_to_recordset($1::jsonb) AS v(n int, id uuid, product_id uuid, sku text, ean text, title jsonb, attributes jsonb, images jsonb, status text)
      ORDER BY n
     ON CONFLICT (sku) DO NOTHING`,
    [JSON.stringify(variants.map(({ id, productId, v }, n) => ({
      n, id, product_id: productId, sku: v.sku, ean: v.ean ?? null, title: v.title ?? {}, attributes: v.attributes ?? {}, images: v.images ?? [], status: v.status ?? 'active',
    })))],
  );
  if (inserted.rowCount !== variants.length) return false;
  const prices = variants.flatMap((x) => (x.price ? [{ variant_id: x.id, ...x.price, tax_rate: x.price.taxRate }] : []));
  if (prices.length > 0) {
    await db.query(
      `INSERT INTO prices (variant_id, currency, gross, net, tax_rate)
       SELECT variant_id, currency, gross, net, tax_rate FROM jsonb_to_recordset($1::jsonb) AS p(variant_id uuid, currency text, gross numeric, net numeric, tax_rate numeric)`,
      [JSON.stringify(prices)],
    );
  }
  return true;
}
