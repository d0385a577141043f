import { getValue, type Env, type Row } from './store.ts';
import { datetimeToMs } from './clock.ts';

/**
 * Pricelist rules as `product.pricelist.item` applies them (addons/product/models/product_pricelist_item.py):
 * candidate items are those of the pricelist whose target matches the product (variant, template, category chain
 * or global), whose `min_quantity` ≤ qty and whose `date_start`/`date_end` window holds the date; the first in
 * the model order (`applied_on, min_quantity desc, categ_id desc, id desc`) wins. No item → the sales price.
 * Used for sale order lines created without `price_unit`. Odoo offers no public method for this computation
 * (`_get_product_price` is private), so neither does the simulator.
 */
export function salesPrice(env: Env, productId: number): number {
  const p = env.db.row('product.product', productId);
  return p ? (getValue(env, 'product.product', p, 'lst_price') as number) : 0;
}

function categoryChain(env: Env, categId: unknown): number[] {
  const out: number[] = [];
  let cur = categId;
  while (typeof cur === 'number' && !out.includes(cur)) {
    out.push(cur);
    cur = env.db.row('product.category', cur)?.parent_id;
  }
  return out;
}

export function applicableItem(env: Env, pricelistId: number, productId: number, qty: number, date: string): Row | undefined {
  const product = env.db.row('product.product', productId);
  if (!product) return undefined;
  const tmpl = env.db.row('product.template', product.product_tmpl_id as number);
  const categs = categoryChain(env, tmpl?.categ_id);
  const at = datetimeToMs(date);
  const items = env.db.rows('product.pricelist.item').filter((it) => {
    if (it.pricelist_id !== pricelistId || it.active === false) return false;
    if ((it.min_quantity as number) > qty) return false;
    if (it.date_start && datetimeToMs(it.date_start as string) > at) return false;
    if (it.date_end && datetimeToMs(it.date_end as string) < at) return false;
    switch (it.applied_on) {
      case '0_product_variant': return it.product_id === productId;
      case '1_product': return it.product_tmpl_id === product.product_tmpl_id;
      case '2_product_category': return categs.includes(it.categ_id as number);
      default: return true;
    }
  });
  items.sort(
    (a, b) =>
      String(a.applied_on).localeCompare(String(b.applied_on)) ||
      (b.min_quantity as number) - (a.min_quantity as number) ||
      ((b.categ_id as number) || 0) - ((a.categ_id as number) || 0) ||
      b.id - a.id,
  );
  return items[0];
}

export function pricelistPrice(env: Env, pricelistId: number, productId: number, qty: number, date: string, depth = 0): number {
  const item = applicableItem(env, pricelistId, productId, qty, date);
  const list = salesPrice(env, productId);
  if (!item) return list;
  const product = env.db.row('product.product', productId)!;
  const base = (): number => {
    if (item.base === 'standard_price') return getValue(env, 'product.product', product, 'standard_price') as number;
    if (item.base === 'pricelist' && typeof item.base_pricelist_id === 'number' && depth < 10) {
      return pricelistPrice(env, item.base_pricelist_id, productId, qty, date, depth + 1);
    }
    return list;
  };
  const round2 = (n: number) => Math.round(n * 100) / 100;
  switch (item.compute_price) {
    case 'fixed':
      return item.fixed_price as number;
    case 'percentage':
      return round2(base() * (1 - (item.percent_price as number) / 100));
    default: // formula
      return round2(base() * (1 - (item.price_discount as number) / 100) + (item.price_surcharge as number));
  }
}
