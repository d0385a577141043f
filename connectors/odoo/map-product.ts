import { productSnapshot, type ProductSnapshot, type VariantSnapshot } from '../../core/sdk/index.ts';
import type { OdooConfig } from './config.ts';
import { floatToDecimal, grossAndNet } from './money.ts';
import { fromOdooDatetime, m2oId } from './odoo-values.ts';
import type { Pricing } from './pricelist.ts';
import type { PtavRow, TemplateRow, VariantRow } from './read-products.ts';

/**
 * Odoo → snapshot. Ids: the product's externalId is the `product.template` id, a variant's externalId is the
 * `product.product` id (what stock, pricelists and sale lines point at). SKU = `default_code`, EAN = `barcode`.
 * Price: the pricelist's price when `pricelistId` is set, else `lst_price` (sales price + attribute extras),
 * split into gross/net by `pricesIncludeTax`/`taxRate`. Stock: `free_qty` (on hand − reserved) in the configured
 * warehouse/location, rounded down, never below 0; absent for products Odoo does not track.
 */
export interface MapInput {
  config: OdooConfig;
  /** Server major version: storability is `type = 'product'` before 18, `is_storable` from 18. */
  major: number;
  pricing: Pricing | undefined;
  /** Odoo datetime of "now", for pricelist date windows. */
  at: string;
}

export function isStorable(t: TemplateRow, major: number): boolean {
  return major >= 18 ? t.is_storable === true : t.type === 'product';
}

export function availableOf(freeQty: number): number {
  return Math.max(0, Math.floor(freeQty + 1e-9));
}

const isoOf = (odoo: string) => fromOdooDatetime(odoo).toISOString();

function status(active: boolean, saleOk: boolean): 'active' | 'draft' | 'archived' {
  if (!active) return 'archived';
  return saleOk ? 'active' : 'draft';
}

export function mapVariant(t: TemplateRow, v: VariantRow, ptavs: Map<number, PtavRow>, input: MapInput): VariantSnapshot {
  const { config, pricing, at } = input;
  const locale = config.language.slice(0, 2);
  const raw = pricing
    ? pricing.priceOf({ id: v.id, tmplId: t.id, categId: m2oId(t.categ_id), lstPrice: v.lst_price, standardPrice: v.standard_price ?? 0 }, at)
    : v.lst_price;
  const attributes: Record<string, string> = {};
  for (const id of v.product_template_attribute_value_ids) {
    const p = ptavs.get(id);
    if (p && p.attribute_id !== false) attributes[p.attribute_id[1]] = p.name;
  }
  return {
    externalId: String(v.id),
    sku: v.default_code,
    ean: v.barcode,
    ...(v.display_name ? { title: { [locale]: v.display_name } } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
    price: { ...grossAndNet(floatToDecimal(raw), config.pricesIncludeTax, config.taxRate), currency: pricing?.currency ?? config.currency! },
    ...(isStorable(t, input.major) ? { stock: { available: availableOf(v.free_qty) } } : {}),
    status: status(t.active && v.active, t.sale_ok),
  };
}

export function mapProduct(t: TemplateRow, variants: VariantRow[], ptavs: Map<number, PtavRow>, input: MapInput): ProductSnapshot {
  const locale = input.config.language.slice(0, 2);
  return productSnapshot.parse({
    externalId: String(t.id),
    title: { [locale]: t.name },
    ...(t.description_sale ? { description: { [locale]: t.description_sale } } : {}),
    category: t.categ_id === false ? null : t.categ_id[1],
    status: status(t.active, t.sale_ok),
    variants: variants.map((v) => mapVariant(t, v, ptavs, input)),
    updatedAt: isoOf(t.write_date),
  });
}
