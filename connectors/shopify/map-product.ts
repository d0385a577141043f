import { productSnapshot, type ProductSnapshot, type VariantSnapshot } from '../../core/sdk/index.ts';
import type { ShopifyConfig } from './config.ts';
import { snapshotImages } from './media.ts';
import { parseOrExplain, type ProductNode, type VariantNode } from './schemas.ts';

/** Shopify's product status → the hub's. UNLISTED products are live (just hidden from search), so active. */
const STATUS = { ACTIVE: 'active', UNLISTED: 'active', DRAFT: 'draft', ARCHIVED: 'archived' } as const;

/** The option Shopify gives a product without options; it is not an attribute of the variant. */
export const DEFAULT_OPTION = { name: 'Title', value: 'Default Title' };

export function mapVariant(v: VariantNode, config: ShopifyConfig, currency: string): VariantSnapshot {
  const attributes = Object.fromEntries(
    v.selectedOptions.filter((o) => !(o.name === DEFAULT_OPTION.name && o.value === DEFAULT_OPTION.value)).map((o) => [o.name, o.value]),
  );
  return {
    externalId: v.id,
    sku: v.sku || null,
    ean: v.barcode || null,
    title: { [config.locale]: v.title },
    attributes,
    // Shopify shows one amount; whether it includes tax is the shop's setting, mirrored by pricesIncludeTax.
    price: { ...(config.pricesIncludeTax ? { gross: v.price } : { net: v.price }), currency, compareAt: v.compareAtPrice },
  };
}

/**
 * A Shopify product (with every variant already fetched) as the hub's ProductSnapshot, without stock: that is
 * another query (`available` at the managed location), added by read-catalog.ts.
 */
export function mapProduct(p: ProductNode, variants: VariantNode[], config: ShopifyConfig, currency: string): ProductSnapshot {
  const snapshot: ProductSnapshot = {
    externalId: p.id,
    title: { [config.locale]: p.title },
    description: { [config.locale]: p.descriptionHtml },
    brand: p.vendor || null,
    category: p.productType || null,
    status: STATUS[p.status],
    images: snapshotImages(p.media?.nodes),
    variants: variants.map((v) => mapVariant(v, config, currency)),
    updatedAt: p.updatedAt,
  };
  return parseOrExplain(productSnapshot, snapshot, `product ${p.id}`);
}
