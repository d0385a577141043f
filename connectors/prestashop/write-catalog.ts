import {
  BusinessError,
  ConnectorError,
  type CatalogWrite,
  type ConnectorContext,
  type DesiredProduct,
  type DesiredVariant,
  type ItemResult,
} from '../../core/sdk/index.ts';
import { attributeMatcher } from './attributes.ts';
import { create, list, update } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { decimal6, sub, toMicros } from './decimal.ts';
import { allLanguages, fromLocales, parseProductId, slug, variantId } from './ids.ts';
import { syncProductImages } from './images.ts';
import { perItem } from './item-result.ts';
import { taxGroupFor } from './prices.ts';
import { combinationSchema, productSchema, type PsCombination, type PsProduct } from './schemas.ts';
import { stockRows, writeStock } from './stock.ts';
import type { FieldValue, ResourceBody } from './xml.ts';

type Ctx = ConnectorContext<PrestashopConfig>;
type Matcher = (group: string, value: string) => number | undefined;

const REFERENCE = /^[^<>;={}]{1,64}$/;
const EAN13 = /^\d{1,13}$/;

/** A product is "simple" (no combinations) when it has one variant without attributes. */
const isSimple = (p: DesiredProduct) => p.variants.length === 1 && Object.keys(p.variants[0]!.attributes).length === 0;

/**
 * The product-level `reference`: the SKU for a simple product; for a product with combinations (whose SKUs
 * sit on the combinations) the hub's internal id, so the product can still be found by reference.
 */
function productReference(p: DesiredProduct): string {
  return isSimple(p) ? p.variants[0]!.sku : p.internalId;
}

function categoryId(ctx: Ctx, category: string | null): number {
  if (category && /^\d+$/.test(category)) return Number(category);
  if (category && ctx.config.categories[category] !== undefined) return ctx.config.categories[category]!;
  if (category) ctx.log.warn({ category }, 'category not in the categories map; using defaultCategoryId');
  return ctx.config.defaultCategoryId;
}

/** The base (tax-excluded) price of a new product: the lowest variant net, so combination impacts are ≥ 0. */
function basePrice(p: DesiredProduct): string | undefined {
  const nets = p.variants.flatMap((v) => (v.price ? [decimal6(v.price.net)] : []));
  return nets.sort((a, b) => (toMicros(a) < toMicros(b) ? -1 : toMicros(a) > toMicros(b) ? 1 : 0))[0];
}

/**
 * Finds a product already on the shop for this desired product: by product reference, or through a
 * combination carrying one of its SKUs. This is what makes a create safe to retry: PrestaShop can answer 500
 * and still have saved the product (recorded 126/129).
 */
async function findExisting(ctx: Ctx, p: DesiredProduct): Promise<number | undefined> {
  const refs = [...new Set([productReference(p), ...p.variants.map((v) => v.sku)])].filter((r) => REFERENCE.test(r) && !r.includes('|') && !r.includes(']'));
  if (!refs.length) return undefined;
  const products = await list(ctx, 'products', productSchema, { display: '[id,reference]', 'filter[reference]': `[${refs.join('|')}]`, sort: '[id_ASC]' });
  const byRef = products.find((x) => x.reference === productReference(p)) ?? products[0];
  if (byRef) return byRef.id;
  if (isSimple(p)) return undefined;
  const combos = await list(ctx, 'combinations', combinationSchema, { display: '[id,id_product,reference]', 'filter[reference]': `[${refs.join('|')}]`, sort: '[id_ASC]' });
  return combos[0]?.id_product;
}

function contentFields(ctx: Ctx, p: DesiredProduct, creating: boolean): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  if (creating) {
    const names = allLanguages(ctx.config, p.title);
    fields.name = names;
    fields.link_rewrite = Object.fromEntries(Object.entries(names).map(([l, n]) => [l, slug(n)]));
    fields.description = allLanguages(ctx.config, p.description);
  } else {
    if (Object.keys(fromLocales(ctx.config, p.title)).length) fields.name = fromLocales(ctx.config, p.title);
    if (Object.keys(fromLocales(ctx.config, p.description)).length) fields.description = fromLocales(ctx.config, p.description);
  }
  return fields;
}

function eanField(ctx: Ctx, ean: string | null): Record<string, string> {
  if (!ean) return {};
  if (EAN13.test(ean)) return { ean13: ean };
  ctx.log.warn({ ean }, 'EAN is not up to 13 digits (PrestaShop ean13); left out');
  return {};
}

function optionValueIds(v: DesiredVariant, match: Matcher): Array<Record<string, string>> {
  return Object.entries(v.attributes).map(([group, value]) => {
    const id = match(group, value);
    if (id === undefined) throw new BusinessError(`attribute "${group}: ${value}" of ${v.sku} does not exist in the shop (Catalog → Attributes)`);
    return { id: String(id) };
  });
}

/** POSTs, and when the shop answers 5xx looks the record up before giving up: the 500 may have saved it. */
async function createOnce(ctx: Ctx, what: () => Promise<string>, lookup: () => Promise<number | undefined>): Promise<number> {
  try {
    return Number(await what());
  } catch (err) {
    if (!(err instanceof ConnectorError) || err.kind !== 'retryable') throw err;
    const found = await lookup();
    if (found === undefined) throw err;
    ctx.log.warn({ id: found }, 'PrestaShop failed the create but saved the record; using it');
    return found;
  }
}

async function createCombination(ctx: Ctx, productId: number, v: DesiredVariant, base: string, match: Matcher, isDefault: boolean): Promise<number> {
  const body: ResourceBody = {
    fields: {
      id_product: String(productId),
      reference: v.sku,
      ...eanField(ctx, v.ean),
      price: v.price ? decimal6(sub(decimal6(v.price.net), base)) : '0',
      minimal_quantity: '1',
      ...(isDefault ? { default_on: '1' } : {}),
    },
    associations: { product_option_values: { nodeType: 'product_option_value', items: optionValueIds(v, match) } },
  };
  return createOnce(
    ctx,
    () => create(ctx, 'combinations', 'combination', body),
    async () => (await list(ctx, 'combinations', combinationSchema, { display: '[id,id_product,reference]', 'filter[id_product]': `[${productId}]`, 'filter[reference]': `[${v.sku}]` }))[0]?.id,
  );
}

async function createProduct(ctx: Ctx, p: DesiredProduct): Promise<number> {
  const price = basePrice(p) ?? '0.000000';
  const firstPrice = p.variants.find((v) => v.price)?.price;
  const taxGroup = firstPrice ? taxGroupFor(ctx.config, firstPrice) : undefined;
  if (firstPrice && taxGroup === undefined) throw new BusinessError(`no taxRuleGroups entry for tax rate ${firstPrice.taxRate}`);
  const category = categoryId(ctx, p.category);
  const body: ResourceBody = {
    fields: {
      id_category_default: String(category),
      ...(taxGroup !== undefined ? { id_tax_rules_group: String(taxGroup) } : {}),
      reference: productReference(p),
      ...(isSimple(p) ? eanField(ctx, p.variants[0]!.ean) : {}),
      price,
      active: p.status === 'active' ? '1' : '0',
      state: '1',
      product_type: isSimple(p) ? 'standard' : 'combinations',
      available_for_order: '1',
      show_price: '1',
      visibility: 'both',
      minimal_quantity: '1',
      ...contentFields(ctx, p, true),
    },
    associations: { categories: { nodeType: 'category', items: [{ id: String(category) }] } },
  };
  return createOnce(ctx, () => create(ctx, 'products', 'product', body), () => findExisting(ctx, p));
}

/** Product-level changes for the groups to write; empty when nothing product-level changes. */
function productChanges(ctx: Ctx, p: DesiredProduct, current: PsProduct): ResourceBody {
  const fields: Record<string, FieldValue> = {};
  const associations: ResourceBody['associations'] = {};
  if (p.groups.includes('content')) Object.assign(fields, contentFields(ctx, p, false));
  if (p.groups.includes('status')) fields.active = p.status === 'active' ? '1' : '0';
  if (p.groups.includes('category')) {
    const id = categoryId(ctx, p.category);
    fields.id_category_default = String(id);
    const existing = (current.associations.categories ?? []).map((c) => String(c.id));
    associations.categories = { nodeType: 'category', items: [...new Set([...existing, String(id)])].map((x) => ({ id: x })) };
  }
  if (p.groups.includes('price') && current.associations.combinations?.length === 0 && isSimple(p) && p.variants[0]!.price) {
    const price = p.variants[0]!.price;
    fields.price = decimal6(price.net);
    const group = taxGroupFor(ctx.config, price);
    if (group !== undefined) fields.id_tax_rules_group = String(group);
  }
  return { fields, associations };
}

async function upsertOne(ctx: Ctx, p: DesiredProduct, matcher: () => Promise<Matcher>): Promise<ItemResult> {
  let productId = p.externalId ? parseProductId(p.externalId) : undefined;
  if (p.externalId && productId === undefined) throw new BusinessError(`"${p.externalId}" is not a PrestaShop product id`);
  productId ??= await findExisting(ctx, p);
  const creating = productId === undefined;
  if (productId === undefined) productId = await createProduct(ctx, p);

  const current = (await list(ctx, 'products', productSchema, { display: 'full', 'filter[id]': `[${productId}]` }))[0];
  if (!current) throw new BusinessError(`PrestaShop product ${productId} does not exist`);
  current.associations.combinations ??= [];
  const combos: PsCombination[] = await list(ctx, 'combinations', combinationSchema, { display: 'full', 'filter[id_product]': `[${productId}]`, sort: '[id_ASC]' });

  if (!creating) {
    const changes = productChanges(ctx, p, { ...current, associations: { ...current.associations, combinations: combos.map((c) => ({ id: String(c.id) })) } });
    if (Object.keys(changes.fields).length || Object.keys(changes.associations ?? {}).length) {
      await update(ctx, 'products', 'product', productId, changes);
    }
  }

  const variantIds: Record<string, string> = {};
  const written: Array<{ v: DesiredVariant; combinationId: number; isNew: boolean }> = [];
  if (isSimple(p) && combos.length === 0) {
    written.push({ v: p.variants[0]!, combinationId: 0, isNew: creating });
  } else {
    for (const [i, v] of p.variants.entries()) {
      const linked = v.externalId ? /^\d+-(\d+)$/.exec(v.externalId)?.[1] : undefined;
      const existing = combos.find((c) => String(c.id) === linked) ?? combos.find((c) => c.reference === v.sku);
      if (existing) {
        if (p.groups.includes('price') && v.price) {
          const impact = decimal6(sub(decimal6(v.price.net), current.price));
          if (toMicros(impact) !== toMicros(existing.price)) await update(ctx, 'combinations', 'combination', existing.id, { fields: { price: impact } });
        }
        written.push({ v, combinationId: existing.id, isNew: false });
      } else {
        const id = await createCombination(ctx, productId, v, decimal6(current.price), await matcher(), creating && i === 0);
        written.push({ v, combinationId: id, isNew: true });
      }
    }
  }

  // Stock: on create (rows start at 0) and when the stock group is to be written; new combinations too.
  const toStock = written.filter((w) => w.v.stock !== undefined && (w.isNew || p.groups.includes('stock')));
  if (toStock.length) {
    const rows = await stockRows(ctx, [productId]);
    for (const w of toStock) await writeStock(ctx, rows, productId, w.combinationId, w.v.stock!);
  }
  for (const w of written) variantIds[w.v.sku] = variantId(productId, w.combinationId);
  const images = p.groups.includes('media') ? await syncProductImages(ctx, productId, p) : undefined;
  return { ok: true, externalId: String(productId), variantIds, ...(images ? { images } : {}) };
}

/**
 * Creates or updates products. A product without an external id is first looked up by reference/SKU (so a
 * retried create after PrestaShop's "500 but saved" cannot duplicate it), then created with all its groups:
 * `price` = lowest variant net (tax-excluded), `id_tax_rules_group` from `taxRuleGroups`, names and generated
 * `link_rewrite` in every configured language, category from `categories`/`defaultCategoryId`; then one
 * combination per variant (price impact = variant net − product price; attributes matched by name to the
 * shop's existing attribute values) and the stock rows. An update writes only `item.groups`. Combinations
 * missing from the desired product are left alone (never deleted by absence). With the `media` group, images
 * follow the desired list without re-uploading unchanged ones (images.ts).
 */
export const writeCatalog: CatalogWrite<PrestashopConfig> = {
  maxBatch: 10,
  async upsert(ctx, items) {
    let match: Matcher | undefined;
    const matcher = async () => (match ??= await attributeMatcher(ctx));
    return perItem(items, (p) => upsertOne(ctx, p, matcher));
  },
};
