import { productSnapshot, type ProductSnapshot, type VariantSnapshot } from '../../core/sdk/index.ts';
import type { AttributeValue } from './attributes.ts';
import type { PrestashopConfig } from './config.ts';
import { fromMicros, round, toMicros, withTax } from './decimal.ts';
import { toLocales, variantId } from './ids.ts';
import type { PsCombination, PsProduct, PsStock } from './schemas.ts';
import { snapshotImages } from './images.ts';
import { fromShopTime } from './shop-time.ts';

/** The tax rate configured for a tax rules group, if any (reverse of `taxRuleGroups`). */
export function taxRateOf(config: PrestashopConfig, taxRulesGroupId: string): string | undefined {
  return Object.entries(config.taxRuleGroups).find(([, id]) => String(id) === taxRulesGroupId)?.[0];
}

/** The stock row of one (product, combination) pair, preferring the configured shop's row in a multistore. */
export function stockRowOf(rows: PsStock[], config: PrestashopConfig, productId: number, combinationId: number): PsStock | undefined {
  const matching = rows.filter((r) => r.id_product === productId && r.id_product_attribute === combinationId);
  return matching.find((r) => r.id_shop === String(config.shopId)) ?? matching[0];
}

/**
 * A PrestaShop product → ProductSnapshot. Combinations are the variants (`<product>-<combination>`); a product
 * without any is one variant `<product>-0` carrying the product's reference/EAN. A variant's net price is the
 * product's tax-excluded `price` plus the combination's price impact; gross is derived only when the product's
 * tax rules group is mapped in `taxRuleGroups` (rounded to 2 decimals). Stock comes from `stock_availables`
 * (never `product.quantity`, which is not the stock: recorded surprise 9). Images: their shop ids and public URLs.
 */
export function mapProduct(
  config: PrestashopConfig,
  p: PsProduct,
  combinations: PsCombination[],
  stock: PsStock[],
  attributes: Map<number, AttributeValue>,
): ProductSnapshot {
  const rate = taxRateOf(config, p.id_tax_rules_group);
  const status = p.active === '1' ? 'active' : 'draft';
  const price = (impact: string): VariantSnapshot['price'] => {
    const net = toMicros(p.price) + toMicros(impact);
    return { net: fromMicros(net), ...(rate ? { gross: round(withTax(fromMicros(net), rate), 2) } : {}), currency: config.currency };
  };
  const stockOf = (combinationId: number): VariantSnapshot['stock'] => {
    const row = stockRowOf(stock, config, p.id, combinationId);
    return row ? { available: row.quantity } : undefined;
  };
  const variants: VariantSnapshot[] = combinations.length
    ? combinations.map((c) => {
        const attrs: Record<string, string> = {};
        for (const v of c.associations.product_option_values ?? []) {
          const a = attributes.get(Number(v.id));
          if (a) attrs[a.group] = a.value;
        }
        const s = stockOf(c.id);
        return {
          externalId: variantId(p.id, c.id),
          sku: c.reference || null,
          ean: c.ean13 || null,
          attributes: attrs,
          price: price(c.price),
          ...(s ? { stock: s } : {}),
          status,
        };
      })
    : [
        (() => {
          const s = stockOf(0);
          return { externalId: variantId(p.id, 0), sku: p.reference || null, ean: p.ean13 || null, price: price('0'), ...(s ? { stock: s } : {}), status };
        })(),
      ];
  const categoryName = Object.entries(config.categories).find(([, id]) => String(id) === p.id_category_default)?.[0];
  const updatedAt = fromShopTime(p.date_upd, config.timezone);
  return productSnapshot.parse({
    externalId: String(p.id),
    title: toLocales(config, p.name),
    description: toLocales(config, p.description),
    category: categoryName ?? (p.id_category_default !== '0' ? p.id_category_default : null),
    status,
    images: snapshotImages(config, p.associations.images ?? [], p.id_default_image || undefined),
    variants,
    ...(updatedAt ? { updatedAt } : {}),
  });
}
