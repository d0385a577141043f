import { z } from 'zod';
import { BusinessError } from '../../core/sdk/index.ts';
import type { OdooClient } from './client.ts';
import { datetime, m2oId, many2one, parseRows } from './odoo-values.ts';

/**
 * Pricelist prices computed as Odoo computes them (product/models/product_pricelist_item.py): Odoo offers no public
 * method for it (`_get_product_price` is private, and private methods cannot be called remotely). For quantity 1
 * at a given time, the candidate rules are the pricelist's items targeting the variant, its template, its category
 * (or a parent category) or all products, with `min_quantity` ≤ 1 and a date window holding that time; the first
 * in Odoo's rule order (`applied_on, min_quantity desc, categ_id desc, id desc`) wins; none → the sales price.
 * Limits: no currency conversion between a pricelist and the company currency, no `price_round`/margins.
 */
const itemRow = z.object({
  id: z.number().int(),
  pricelist_id: many2one,
  applied_on: z.enum(['3_global', '2_product_category', '1_product', '0_product_variant']),
  product_tmpl_id: many2one,
  product_id: many2one,
  categ_id: many2one,
  min_quantity: z.number(),
  compute_price: z.enum(['fixed', 'percentage', 'formula']),
  fixed_price: z.number(),
  percent_price: z.number(),
  base: z.enum(['list_price', 'standard_price', 'pricelist']),
  base_pricelist_id: many2one,
  price_discount: z.number(),
  price_surcharge: z.number(),
  date_start: z.union([datetime, z.literal(false)]),
  date_end: z.union([datetime, z.literal(false)]),
});
type Item = z.infer<typeof itemRow>;

export const ITEM_FIELDS = Object.keys(itemRow.shape).filter((f) => f !== 'id');

export interface PricedVariant {
  id: number;
  tmplId: number;
  categId: number | undefined;
  /** Sales price with the variant's attribute extras (`lst_price`). */
  lstPrice: number;
  standardPrice: number;
}

export interface Pricing {
  pricelistId: number;
  currency: string;
  /** Whether rules need the variants' cost (`base = standard_price`). */
  needsCost: boolean;
  priceOf(variant: PricedVariant, at: string): number;
}

export async function loadPricing(client: OdooClient, pricelistId: number, context: Record<string, unknown>): Promise<Pricing> {
  const lists = parseRows(
    z.object({ id: z.number().int(), currency_id: many2one }),
    await client.callKw('product.pricelist', 'search_read', [], { domain: [['id', '=', pricelistId]], fields: ['currency_id'], context }),
    'product.pricelist',
  );
  const currency = lists[0]?.currency_id === false ? undefined : lists[0]?.currency_id[1];
  if (!lists[0] || !currency || !/^[A-Z]{3}$/.test(currency)) {
    throw new BusinessError(`Odoo pricelist ${pricelistId} (pricelistId) does not exist, is archived or has no currency`);
  }

  // Items of this pricelist and of every pricelist it is based on.
  const items = new Map<number, Item[]>();
  let pending = [pricelistId];
  while (pending.length) {
    const rows = parseRows(
      itemRow,
      await client.callKw('product.pricelist.item', 'search_read', [], { domain: [['pricelist_id', 'in', pending]], fields: ITEM_FIELDS, context }),
      'product.pricelist.item',
    );
    for (const id of pending) items.set(id, []);
    for (const r of rows) items.get(m2oId(r.pricelist_id)!)?.push(r);
    pending = [...new Set(rows.filter((r) => r.base === 'pricelist').map((r) => m2oId(r.base_pricelist_id)).filter((x): x is number => x !== undefined && !items.has(x)))];
  }

  const all = [...items.values()].flat();
  const parents = new Map<number, number | undefined>();
  if (all.some((i) => i.applied_on === '2_product_category')) {
    const cats = parseRows(
      z.object({ id: z.number().int(), parent_id: many2one }),
      await client.callKw('product.category', 'search_read', [], { domain: [], fields: ['parent_id'], context }),
      'product.category',
    );
    for (const c of cats) parents.set(c.id, m2oId(c.parent_id));
  }
  const chain = (categ: number | undefined): number[] => {
    const out: number[] = [];
    for (let c = categ; c !== undefined && !out.includes(c); c = parents.get(c)) out.push(c);
    return out;
  };

  const rule = (listId: number, v: PricedVariant, at: string): Item | undefined => {
    const categs = chain(v.categId);
    const candidates = (items.get(listId) ?? []).filter((it) => {
      if (it.min_quantity > 1) return false;
      if (it.date_start !== false && it.date_start > at) return false;
      if (it.date_end !== false && it.date_end < at) return false;
      switch (it.applied_on) {
        case '0_product_variant':
          return m2oId(it.product_id) === v.id;
        case '1_product':
          return m2oId(it.product_tmpl_id) === v.tmplId;
        case '2_product_category':
          return categs.includes(m2oId(it.categ_id) ?? -1);
        default:
          return true;
      }
    });
    candidates.sort(
      (a, b) =>
        a.applied_on.localeCompare(b.applied_on) ||
        b.min_quantity - a.min_quantity ||
        (m2oId(b.categ_id) ?? 0) - (m2oId(a.categ_id) ?? 0) ||
        b.id - a.id,
    );
    return candidates[0];
  };

  const price = (listId: number, v: PricedVariant, at: string, depth: number): number => {
    const it = rule(listId, v, at);
    if (!it) return v.lstPrice;
    const base = (): number => {
      if (it.base === 'standard_price') return v.standardPrice;
      const other = m2oId(it.base_pricelist_id);
      if (it.base === 'pricelist' && other !== undefined && depth < 10) return price(other, v, at, depth + 1);
      return v.lstPrice;
    };
    switch (it.compute_price) {
      case 'fixed':
        return it.fixed_price;
      case 'percentage':
        return base() * (1 - it.percent_price / 100);
      default:
        return base() * (1 - it.price_discount / 100) + it.price_surcharge;
    }
  };

  return {
    pricelistId,
    currency,
    needsCost: all.some((i) => i.base === 'standard_price'),
    priceOf: (v, at) => price(pricelistId, v, at, 0),
  };
}
