import { createHash } from 'node:crypto';
import type { ConnectorContext, DesiredProduct, DesiredVariant, ItemResult } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { PRODUCT_FOR_WRITE, PRODUCT_SET, productsByHandleDocument } from './documents.ts';
import { describeUserErrors } from './errors.ts';
import { stockLocation } from './locations.ts';
import { DEFAULT_OPTION } from './map-product.ts';
import { boundImages, filesInput } from './media.ts';
import { shownPrice } from './money.ts';
import { allVariants } from './read-catalog.ts';
import { productForWriteData, productsByHandleData, productSetData, type ProductForWrite, type VariantNode } from './schemas.ts';

type Ctx = ConnectorContext<ShopifyConfig>;

/**
 * catalog.write through `productSet`, Shopify's upsert for syncing from an external source.
 *
 * Identifier: `{id}` when the product is linked, else `{handle}` derived from the hub's id only (`omnihub-<id>`),
 * so a retry after a crash between create and binding finds the product it created instead of making a second one.
 *
 * productSet replaces list fields in full: a variant missing from `variants` is DELETED. So the product is read
 * first and every variant the hub does not send (the merchant's own, another system's) is sent back unchanged as
 * `{id, optionValues}`; `productOptions` is rebuilt from the union of the values still used. The variants list is
 * only sent when it must be (creating, price group, or a new variant); a content-only write leaves it out, which
 * leaves variants untouched. Media (`files`, also a list replaced in full) is sent only when it must change; see media.ts.
 */
export async function upsertProducts(ctx: Ctx, items: DesiredProduct[]): Promise<ItemResult[]> {
  const found = await handlesInUse(ctx, items.filter((i) => !i.externalId).map((i) => stableHandle(i.internalId)));
  const results: ItemResult[] = [];
  for (const item of items) results.push(await upsertOne(ctx, item, !item.externalId && !found.has(stableHandle(item.internalId))));
  return results;
}

/**
 * Which of these handles name a product already, in one query of aliased `productByIdentifier` look-ups (a direct
 * read, not the search index, which lags writes): an unlinked product is usually new, and asking for each one
 * alone would cost a call per product before its `productSet`.
 */
async function handlesInUse(ctx: Ctx, handles: string[]): Promise<Set<string>> {
  if (!handles.length) return new Set();
  const unique = [...new Set(handles)];
  const data = await gql(ctx, productsByHandleDocument(unique.length), Object.fromEntries(unique.map((h, i) => [`h${i}`, { handle: h }])), productsByHandleData);
  return new Set(Object.values(data).flatMap((p) => (p ? [p.handle] : [])));
}

export function stableHandle(internalId: string): string {
  const slug = internalId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  // Ids that slug to nothing (or collide after slugging) still get a distinct, stable handle.
  const hash = createHash('sha256').update(internalId).digest('hex').slice(0, 8);
  return `omnihub-${slug ? `${slug.slice(0, 60)}-` : ''}${hash}`;
}

/** `knownNew`: the batch's look-up found no product with this item's handle, so there is nothing to read first. */
async function upsertOne(ctx: Ctx, item: DesiredProduct, knownNew: boolean): Promise<ItemResult> {
  const { config } = ctx;
  const handle = stableHandle(item.internalId);
  const identifier = item.externalId ? { id: item.externalId } : { handle };
  const existing = knownNew ? null : (await gql(ctx, PRODUCT_FOR_WRITE, { identifier }, productForWriteData)).productByIdentifier;
  if (item.externalId && !existing) {
    return { ok: false, kind: 'business', message: `product ${item.externalId} no longer exists on Shopify` };
  }
  const existingVariants = existing ? await allVariants(ctx, existing) : [];
  const groups = new Set(item.groups);
  const creating = !existing;
  const pick = (text: Record<string, string>) => text[config.locale] ?? Object.values(text)[0] ?? '';

  const input: Record<string, unknown> = {};
  if (creating) input.handle = handle;
  if (creating || groups.has('content')) {
    input.title = pick(item.title);
    input.descriptionHtml = pick(item.description);
    input.vendor = item.brand ?? '';
  }
  if (creating || groups.has('category')) input.productType = item.category ?? '';
  if (creating || groups.has('status')) input.status = item.status.toUpperCase();

  const matched = matchVariants(item.variants, existingVariants);
  const needVariants = creating || groups.has('price') || item.variants.some((v) => !matched.get(v));
  if (needVariants) {
    const built = await buildVariants(ctx, item, existing, existingVariants, matched, groups);
    if ('error' in built) return { ok: false, kind: 'business', message: built.error };
    input.productOptions = built.productOptions;
    input.variants = built.variants;
  }

  if (groups.has('media')) {
    const files = filesInput(item, pick(item.title), existing?.media?.nodes ?? []);
    if (files) input.files = files;
  }
  if (existing && Object.keys(input).length === 0) {
    // Nothing to change (media already as desired): no write, so no products/update echo either.
    return { ok: true, externalId: existing.id, variantIds: {}, ...(groups.has('media') ? { images: boundImages(item, existing.media?.nodes ?? []) } : {}) };
  }

  const data = await gql(ctx, PRODUCT_SET, { input, identifier }, productSetData);
  const { product, userErrors } = data.productSet;
  if (userErrors.length || !product) {
    return { ok: false, kind: 'business', message: `Shopify refused productSet: ${describeUserErrors(userErrors) || 'no product returned'}` };
  }
  const wanted = new Set(item.variants.map((v) => v.sku));
  const variantIds = Object.fromEntries(product.variants.nodes.filter((v) => v.sku && wanted.has(v.sku)).map((v) => [v.sku!, v.id]));
  return { ok: true, externalId: product.id, variantIds, ...(groups.has('media') ? { images: boundImages(item, product.media?.nodes ?? []) } : {}) };
}

/** Desired variant → the Shopify variant it is: by linked id, else by SKU. */
function matchVariants(desired: DesiredVariant[], existing: VariantNode[]): Map<DesiredVariant, VariantNode | undefined> {
  const taken = new Set<string>();
  const out = new Map<DesiredVariant, VariantNode | undefined>();
  for (const d of desired) {
    const hit = existing.find((e) => !taken.has(e.id) && (d.externalId ? e.id === d.externalId : e.sku !== null && e.sku === d.sku));
    if (hit) taken.add(hit.id);
    out.set(d, hit);
  }
  return out;
}

async function buildVariants(
  ctx: Ctx,
  item: DesiredProduct,
  existing: ProductForWrite | null,
  existingVariants: VariantNode[],
  matched: Map<DesiredVariant, VariantNode | undefined>,
  groups: Set<string>,
): Promise<{ productOptions: unknown[]; variants: unknown[] } | { error: string }> {
  const owned = new Set([...matched.values()].filter((v): v is VariantNode => !!v).map((v) => v.id));
  const kept = existingVariants.filter((v) => !owned.has(v.id));

  // Option names: the product's own while it keeps variants the hub does not own; else from the hub's attributes.
  let optionNames: string[];
  if (kept.length && existing) {
    optionNames = [...existing.options].sort((a, b) => a.position - b.position).map((o) => o.name);
  } else {
    optionNames = [...new Set(item.variants.flatMap((v) => Object.keys(v.attributes)))].slice(0, 3);
    if (optionNames.length === 0) optionNames = [DEFAULT_OPTION.name];
  }

  const rows: Array<{ values: string[]; input: Record<string, unknown> }> = [];
  let location: string | undefined;
  for (const d of item.variants) {
    const match = matched.get(d);
    const values: string[] = [];
    for (const name of optionNames) {
      const value =
        d.attributes[name] ??
        match?.selectedOptions.find((o) => o.name === name)?.value ??
        (name === DEFAULT_OPTION.name && optionNames.length === 1 ? DEFAULT_OPTION.value : undefined);
      if (value === undefined) return { error: `variant ${d.sku} has no value for the product's option "${name}"` };
      values.push(value);
    }
    const input: Record<string, unknown> = { sku: d.sku };
    if (match) input.id = match.id;
    if (d.ean !== null) input.barcode = d.ean;
    if (d.price && (groups.has('price') || !match)) Object.assign(input, shownPrice(d.price, ctx.config));
    if (!match) {
      // A new variant: track it and stock it at the managed location, so stock.write can set it afterwards.
      location ??= await stockLocation(ctx);
      input.inventoryItem = { tracked: true };
      input.inventoryQuantities = [{ locationId: location, name: 'available', quantity: groups.has('stock') && d.stock !== undefined ? d.stock : 0 }];
    }
    rows.push({ values, input });
  }
  for (const v of kept) {
    const values = optionNames.map((name) => v.selectedOptions.find((o) => o.name === name)?.value ?? '');
    rows.push({ values, input: { id: v.id } });
  }

  const productOptions = optionNames.map((name, i) => ({
    name,
    position: i + 1,
    values: [...new Set(rows.map((r) => r.values[i]!))].map((value) => ({ name: value })),
  }));
  const variants = rows.map((r) => ({ ...r.input, optionValues: optionNames.map((optionName, i) => ({ optionName, name: r.values[i]! })) }));
  return { productOptions, variants };
}
