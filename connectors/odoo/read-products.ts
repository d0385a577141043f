import { z } from 'zod';
import type { ConnectorContext, ProductSnapshot } from '../../core/sdk/index.ts';
import type { OdooClient } from './client.ts';
import type { OdooConfig } from './config.ts';
import { mapProduct } from './map-product.ts';
import { datetime, ids, m2oId, many2one, optText, parseRows, readContext, toOdooDatetime } from './odoo-values.ts';
import { loadPricing } from './pricelist.ts';

const templateRow = z.object({
  id: z.number().int(),
  name: z.string(),
  description_sale: optText,
  categ_id: many2one,
  active: z.boolean(),
  sale_ok: z.boolean(),
  type: z.string(),
  is_storable: z.boolean().optional(),
  write_date: datetime,
});
export type TemplateRow = z.infer<typeof templateRow>;

const variantRow = z.object({
  id: z.number().int(),
  product_tmpl_id: many2one,
  display_name: z.string().optional(),
  default_code: optText,
  barcode: optText,
  lst_price: z.number(),
  standard_price: z.number().optional(),
  free_qty: z.number(),
  active: z.boolean(),
  product_template_attribute_value_ids: ids,
  write_date: datetime,
});
export type VariantRow = z.infer<typeof variantRow>;

const ptavRow = z.object({ id: z.number().int(), attribute_id: many2one, name: z.string() });
export type PtavRow = z.infer<typeof ptavRow>;

export const templateFields = (major: number): string[] =>
  ['name', 'description_sale', 'categ_id', 'active', 'sale_ok', 'type', ...(major >= 18 ? ['is_storable'] : []), 'write_date'];

export const variantFields = (withCost: boolean): string[] => [
  'product_tmpl_id', 'display_name', 'default_code', 'barcode', 'lst_price', ...(withCost ? ['standard_price'] : []), 'free_qty', 'active',
  'product_template_attribute_value_ids', 'write_date',
];

/**
 * Reads templates matching `domain` with their variants (free quantity in the configured warehouse/location),
 * attribute values and prices, and maps them. `archived: true` includes archived records (for `get`).
 */
export async function readProducts(
  ctx: ConnectorContext<OdooConfig>,
  client: OdooClient,
  domain: unknown[],
  options: { limit?: number; archived?: boolean } = {},
): Promise<{ products: ProductSnapshot[]; templateIds: number[] }> {
  const archived = options.archived ? { active_test: false } : {};
  const context = readContext(ctx.config, archived);
  const templates = parseRows(
    templateRow,
    await client.callKw('product.template', 'search_read', [], {
      domain,
      fields: templateFields(client.major),
      order: 'id asc',
      ...(options.limit ? { limit: options.limit } : {}),
      context,
    }),
    'product.template',
  );
  if (templates.length === 0) return { products: [], templateIds: [] };

  const pricing = ctx.config.pricelistId !== undefined ? await loadPricing(client, ctx.config.pricelistId, context) : undefined;
  const variants = parseRows(
    variantRow,
    await client.callKw('product.product', 'search_read', [], {
      domain: [['product_tmpl_id', 'in', templates.map((t) => t.id)]],
      fields: variantFields(pricing?.needsCost ?? false),
      order: 'id asc',
      context,
    }),
    'product.product',
  );
  const ptavIds = [...new Set(variants.flatMap((v) => v.product_template_attribute_value_ids))];
  const ptavs = new Map<number, PtavRow>();
  if (ptavIds.length) {
    const rows = parseRows(
      ptavRow,
      await client.callKw('product.template.attribute.value', 'search_read', [], { domain: [['id', 'in', ptavIds]], fields: ['attribute_id', 'name'], context }),
      'product.template.attribute.value',
    );
    for (const r of rows) ptavs.set(r.id, r);
  }

  const input = { config: ctx.config, major: client.major, pricing, at: toOdooDatetime(ctx.now()) };
  const products: ProductSnapshot[] = [];
  for (const t of templates) {
    const own = variants.filter((v) => m2oId(v.product_tmpl_id) === t.id);
    if (own.length === 0) {
      // A template whose variants are all archived has nothing sellable; say so rather than drop it silently.
      ctx.log.warn({ templateId: t.id, name: t.name }, 'odoo product.template has no active variant; not listed');
      continue;
    }
    products.push(mapProduct(t, own, ptavs, input));
  }
  return { products, templateIds: templates.map((t) => t.id) };
}
