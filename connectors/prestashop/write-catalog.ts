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

/** The references a desired product may already carry on the shop: its product reference and its SKUs. */
function referencesOf(p: DesiredProduct): string[] {
  return [...new Set([productReference(p), ...p.variants.map((v) => v.sku)])].filter((r) => REFERENCE.test(r) && !r.includes('|') && !r.includes(']'));
}

/**
 * Finds the products already on the shop for these unlinked desired products, by product reference or through a
 * combination carrying one of their SKUs: one products look-up and at most one combinations look-up for the whole
 * batch. This is what makes a create safe to retry: the hub can crash between PrestaShop's answer and storing the
 * binding, and PrestaShop can answer 500 and still have saved the product (recorded 126/129).
 */
async function findExisting(ctx: Ctx, items: DesiredProduct[]): Promise<Map<DesiredProduct, number>> {
  const found = new Map<DesiredProduct, number>();
  const refs = [...new Set(items.flatMap(referencesOf))];
  if (!refs.length) return found;
  const products = await list(ctx, 'products', productSchema, { display: '[id,reference]', 'filter[reference]': `[${refs.join('|')}]`, sort: '[id_ASC]' });
  for (const p of items) {
    const mine = new Set(referencesOf(p));
    const hit = products.find((x) => x.reference === productReference(p)) ?? products.find((x) => mine.has(x.reference));
    if (hit) found.set(p, hit.id);
  }
  const rest = items.filter((p) => !found.has(p) && !isSimple(p));
  const comboRefs = [...new Set(rest.flatMap(referencesOf))];
  if (!comboRefs.length) return found;
  const combos = await list(ctx, 'combinations', combinationSchema, { display: '[id,id_product,reference]', 'filter[reference]': `[${comboRefs.join('|')}]`, sort: '[id_ASC]' });
  for (const p of rest) {
    const mine = new Set(referencesOf(p));
    const hit = combos.find((c) => mine.has(c.reference));
    if (hit) found.set(p, hit.id_product);
  }
  return found;
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

/**
 * POSTs, and when the shop answers 5xx looks the record up before giving up: the 500 may have saved it.
 * `recovered` says the record came from that look-up, so it is not known to be as the POST described it.
 */
async function createOnce(ctx: Ctx, what: () => Promise<string>, lookup: () => Promise<number | undefined>): Promise<{ id: number; recovered: boolean }> {
  try {
    return { id: Number(await what()), recovered: false };
  } catch (err) {
    if (!(err instanceof ConnectorError) || err.kind !== 'retryable') throw err;
    const found = await lookup();
    if (found === undefined) throw err;
    ctx.log.warn({ id: found }, 'PrestaShop failed the create but saved the record; using it');
    return { id: found, recovered: true };
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
  const { id } = await createOnce(
    ctx,
    () => create(ctx, 'combinations', 'combination', body),
    async () => (await list(ctx, 'combinations', combinationSchema, { display: '[id,id_product,reference]', 'filter[id_product]': `[${productId}]`, 'filter[reference]': `[${v.sku}]` }))[0]?.id,
  );
  return id;
}

/** Creates the product; answers its id, the base price it was given, and whether it had to be recovered by look-up. */
async function createProduct(ctx: Ctx, p: DesiredProduct): Promise<{ id: number; price: string; recovered: boolean }> {
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
  const made = await createOnce(ctx, () => create(ctx, 'products', 'product', body), async () => (await findExisting(ctx, [p])).get(p));
  return { ...made, price };
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

async function upsertOne(ctx: Ctx, p: DesiredProduct, existingId: number | undefined, matcher: () => Promise<Matcher>): Promise<ItemResult> {
  let productId = p.externalId ? parseProductId(p.externalId) : existingId;
  if (p.externalId && productId === undefined) throw new BusinessError(`"${p.externalId}" is not a PrestaShop product id`);
  const creating = productId === undefined;
  // The product's base (tax-excluded) price, which combination prices are impacts on, and its combinations.
  let base: string;
  let combos: PsCombination[] = [];
  const made = productId === undefined ? await createProduct(ctx, p) : undefined;
  productId ??= made!.id;
  if (made && !made.recovered) {
    // A product this call just created is as the POST described it, with no combination yet: reading it back
    // would cost two calls per product. One recovered by look-up after a 500 is read like any other.
    base = made.price;
  } else {
    const current = (await list(ctx, 'products', productSchema, { display: 'full', 'filter[id]': `[${productId}]` }))[0];
    if (!current) throw new BusinessError(`PrestaShop product ${productId} does not exist`);
    combos = await list(ctx, 'combinations', combinationSchema, { display: 'full', 'filter[id_product]': `[${productId}]`, sort: '[id_ASC]' });
    base = current.price;
    if (!creating) {
      const changes = productChanges(ctx, p, { ...current, associations: { ...current.associations, combinations: combos.map((c) => ({ id: String(c.id) })) } });
      if (Object.keys(changes.fields).length || Object.keys(changes.associations ?? {}).length) {
        await update(ctx, 'products', 'product', productId, changes);
      }
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
          const impact = decimal6(sub(decimal6(v.price.net), base));
          if (toMicros(impact) !== toMicros(existing.price)) await update(ctx, 'combinations', 'combination', existing.id, { fields: { price: impact } });
        }
        written.push({ v, combinationId: existing.id, isNew: false });
      } else {
        const id = await createCombination(ctx, productId, v, decimal6(base), await matcher(), creating && i === 0);
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
    const unlinked = items.filter((p) => !p.externalId);
    const existing = unlinked.length ? await findExisting(ctx, unlinked) : new Map<DesiredProduct, number>();
    return perItem(items, (p) => upsertOne(ctx, p, existing.get(p), matcher));
  },
};
