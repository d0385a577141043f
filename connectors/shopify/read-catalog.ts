import type { ConnectorContext, Page, ProductSnapshot } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { PRODUCTS_PAGE, PRODUCT_BY_ID, VARIANTS_PAGE } from './documents.ts';
import { stockLocation } from './locations.ts';
import { mapProduct } from './map-product.ts';
import { inventoryAt } from './read-stock.ts';
import { productByIdData, productsPageData, variantsPageData, type ProductNode, type VariantNode } from './schemas.ts';

type Ctx = ConnectorContext<ShopifyConfig>;

/** One page of products ordered by id (a stable walk), each with all its variants and their stock. */
export async function listProducts(ctx: Ctx, cursor: string | undefined): Promise<Page<ProductSnapshot>> {
  const data = await gql(ctx, PRODUCTS_PAGE, { first: ctx.config.productPageSize, after: cursor ?? null }, productsPageData);
  const items: ProductSnapshot[] = [];
  for (const p of data.products.nodes) items.push(mapProduct(p, await allVariants(ctx, p), ctx.config, data.shop.currencyCode));
  const { hasNextPage, endCursor } = data.products.pageInfo;
  return { items: await withStock(ctx, items), ...(hasNextPage && endCursor ? { next: endCursor } : {}) };
}

/** One product by GID; null only when Shopify answers `product: null` (it does not exist). */
export async function getProduct(ctx: Ctx, externalId: string): Promise<ProductSnapshot | null> {
  const data = await gql(ctx, PRODUCT_BY_ID, { id: externalId }, productByIdData);
  if (!data.product) return null;
  const [snapshot] = await withStock(ctx, [mapProduct(data.product, await allVariants(ctx, data.product), ctx.config, data.shop.currencyCode)]);
  return snapshot!;
}

/**
 * Adds each variant's `available` at the managed location, in one extra query per page (up to 100 variants per
 * query). The engine learns a channel's stock only from catalogue snapshots — for drift, for echo detection and when
 * the channel owns stock — so a snapshot without it would leave Shopify's stock invisible. A variant not stocked at
 * the location (or gone since the page was read) keeps no `stock`: unknown, not zero.
 */
async function withStock(ctx: Ctx, products: ProductSnapshot[]): Promise<ProductSnapshot[]> {
  const ids = products.flatMap((p) => p.variants.map((v) => v.externalId));
  if (!ids.length) return products;
  const state = await inventoryAt(ctx, ids, await stockLocation(ctx));
  return products.map((p) => ({
    ...p,
    variants: p.variants.map((v) => {
      const available = state.get(v.externalId)?.available;
      return available === null || available === undefined ? v : { ...v, stock: { available } };
    }),
  }));
}

/** The inline first page of variants plus any further pages. */
export async function allVariants(ctx: Ctx, p: Pick<ProductNode, 'id' | 'variants'>): Promise<VariantNode[]> {
  const variants = [...p.variants.nodes];
  let { hasNextPage, endCursor } = p.variants.pageInfo;
  while (hasNextPage && endCursor) {
    const data = await gql(ctx, VARIANTS_PAGE, { id: p.id, after: endCursor }, variantsPageData);
    if (!data.product) throw new Error(`product ${p.id} disappeared while its variants were being read`);
    variants.push(...data.product.variants.nodes);
    ({ hasNextPage, endCursor } = data.product.variants.pageInfo);
  }
  return variants;
}
