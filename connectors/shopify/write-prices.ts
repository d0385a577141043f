import type { ConnectorContext, ItemResult, PriceUpdate, PromotionUpdate } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { VARIANTS_BULK_UPDATE, VARIANT_PRODUCTS } from './documents.ts';
import { describeUserErrors } from './errors.ts';
import { shownPrice } from './money.ts';
import { bulkUpdateData, variantProductsData } from './schemas.ts';

type Ctx = ConnectorContext<ShopifyConfig>;

/** One variant's new price and compare-at price. */
export interface PriceRow {
  externalId: string;
  productExternalId: string | undefined;
  price: string;
  compareAtPrice: string | null;
}

/** prices.write: the hub's gross (or net, per `pricesIncludeTax`) price and compare-at price. */
export function setPrices(ctx: Ctx, items: PriceUpdate[]): Promise<ItemResult[]> {
  return writePriceRows(
    ctx,
    items.map((i) => ({ externalId: i.externalId, productExternalId: i.productExternalId, ...shownPrice(i.price, ctx.config) })),
  );
}

/**
 * promotions.write: Shopify has no scheduled sale price, so while the window is open the variant shows the
 * promotional price with the regular one as compare-at; outside it (before start, after end, or an empty window)
 * the regular price and no compare-at. The hub calls this at start and at end.
 */
export function applyPromotions(ctx: Ctx, items: PromotionUpdate[]): Promise<ItemResult[]> {
  const now = ctx.now().getTime();
  return writePriceRows(
    ctx,
    items.map((i) => {
      const running = i.startsAt.getTime() <= now && now < i.endsAt.getTime();
      const regular = shownPrice(i.regular, ctx.config).price;
      const row = running ? { price: shownPrice(i.price, ctx.config).price, compareAtPrice: regular } : { price: regular, compareAtPrice: null };
      return { externalId: i.externalId, productExternalId: i.productExternalId, ...row };
    }),
  );
}

/**
 * `productVariantsBulkUpdate` is per product: rows are grouped by product, one mutation each, with
 * allowPartialUpdates so one bad variant does not hold back the others; each userError names its variant by index.
 */
export async function writePriceRows(ctx: Ctx, rows: PriceRow[]): Promise<ItemResult[]> {
  const results: ItemResult[] = rows.map(() => ({ ok: false, kind: 'retryable', message: 'not attempted' }));
  const productOf = await resolveProducts(ctx, rows);
  const groups = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const product = productOf.get(row.externalId);
    if (!product) {
      results[i] = { ok: false, kind: 'business', message: `variant ${row.externalId} does not exist on Shopify` };
      return;
    }
    groups.set(product, [...(groups.get(product) ?? []), i]);
  });

  for (const [productId, indexes] of groups) {
    const variants = indexes.map((i) => ({ id: rows[i]!.externalId, price: rows[i]!.price, compareAtPrice: rows[i]!.compareAtPrice }));
    const data = await gql(ctx, VARIANTS_BULK_UPDATE, { productId, variants }, bulkUpdateData);
    const { userErrors } = data.productVariantsBulkUpdate;
    const updated = new Set((data.productVariantsBulkUpdate.productVariants ?? []).map((v) => v.id));
    indexes.forEach((rowIndex, position) => {
      const mine = userErrors.filter((e) => e.field?.[0] === 'variants' && e.field[1] === String(position));
      const general = userErrors.filter((e) => !(e.field?.[0] === 'variants' && e.field.length > 1));
      if (mine.length || (general.length && !updated.has(rows[rowIndex]!.externalId))) {
        results[rowIndex] = { ok: false, kind: 'business', message: describeUserErrors(mine.length ? mine : general) };
      } else {
        results[rowIndex] = { ok: true, externalId: rows[rowIndex]!.externalId };
      }
    });
  }
  return results;
}

async function resolveProducts(ctx: Ctx, rows: PriceRow[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unknown: string[] = [];
  for (const r of rows) {
    if (r.productExternalId) out.set(r.externalId, r.productExternalId);
    else unknown.push(r.externalId);
  }
  for (let i = 0; i < unknown.length; i += 100) {
    const data = await gql(ctx, VARIANT_PRODUCTS, { ids: unknown.slice(i, i + 100) }, variantProductsData);
    for (const node of data.nodes) if (node?.id && node.product) out.set(node.id, node.product.id);
  }
  return out;
}
