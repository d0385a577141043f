import { z } from 'zod';
import type { Entity } from './model.ts';
import { textOf } from './model.ts';
import type { Store } from './store.ts';
import { normalise } from './store.ts';
import type { ResourceDef } from './resources.ts';

/**
 * A storefront sale, as the shop's checkout would record it (admin endpoint `POST /__sandbox/sale`): an order
 * with its `order_rows`, one `order_details` row per line, and the stock of each line's combination (or simple
 * product) decremented, the product row re-derived. Orders are what a connector polls by `date_upd`.
 */
export const saleSchema = z.object({
  id_customer: z.number().int().nonnegative().default(0),
  id_order_state: z.number().int().positive().default(2),
  lines: z
    .array(z.object({ id_product: z.number().int().positive(), id_product_attribute: z.number().int().nonnegative().default(0), quantity: z.number().int().positive() }))
    .min(1),
});
export type Sale = z.input<typeof saleSchema>;

export function recordSale(store: Store, defs: Map<string, ResourceDef>, input: unknown): { id_order: number; reference: string } {
  const sale = saleSchema.parse(input);
  const now = store.now();
  const orderDef = defs.get('orders')!;
  const detailDef = defs.get('order_details')!;
  const rows: Array<Record<string, string>> = [];
  let total = 0;
  const orderId = store.allocateId('orders');
  for (const line of sale.lines) {
    const product = store.get('products', line.id_product);
    if (!product) throw new Error(`sale: product ${line.id_product} does not exist`);
    const combo = line.id_product_attribute ? store.get('combinations', line.id_product_attribute) : undefined;
    if (line.id_product_attribute && !combo) throw new Error(`sale: combination ${line.id_product_attribute} does not exist`);
    const unit = Number(textOf(product.fields.price) || 0) + Number(textOf(combo?.fields.price) || 0);
    total += unit * line.quantity;
    const detailId = store.allocateId('order_details');
    const name = textOf(product.fields.name);
    const reference = textOf(combo?.fields.reference) || textOf(product.fields.reference);
    rows.push({
      id: String(detailId), product_id: String(line.id_product), product_attribute_id: String(line.id_product_attribute),
      product_quantity: String(line.quantity), product_name: name, product_reference: reference,
      product_ean13: textOf(combo?.fields.ean13) || textOf(product.fields.ean13), product_isbn: '', product_upc: '',
      product_price: unit.toFixed(6), id_customization: '0', unit_price_tax_incl: unit.toFixed(6), unit_price_tax_excl: unit.toFixed(6),
    });
    const detail: Entity = store.blank(detailDef, detailId);
    Object.assign(detail.fields, {
      id_order: String(orderId), product_id: String(line.id_product), product_attribute_id: String(line.id_product_attribute),
      product_name: name, product_quantity: String(line.quantity), product_price: unit.toFixed(6), product_reference: reference,
      unit_price_tax_incl: unit.toFixed(6), unit_price_tax_excl: unit.toFixed(6), id_shop: '1', id_warehouse: '0',
    });
    detail.fields = normalise(detailDef, detail.fields);
    store.put('order_details', detail);
    store.moveStock(line.id_product, line.id_product_attribute, -line.quantity);
  }
  const reference = `SIM${String(orderId).padStart(6, '0')}`;
  const order = store.blank(orderDef, orderId);
  Object.assign(order.fields, {
    id_customer: String(sale.id_customer), id_lang: store.languageIds()[0], id_currency: '1', id_carrier: '1', id_shop: '1',
    id_shop_group: '1', current_state: String(sale.id_order_state), module: 'ps_checkpayment', payment: 'Payment by check',
    total_paid: total.toFixed(6), total_paid_tax_incl: total.toFixed(6), total_paid_tax_excl: total.toFixed(6),
    total_paid_real: '0', total_products: total.toFixed(6), total_products_wt: total.toFixed(6), conversion_rate: '1',
    reference, valid: '1', date_add: now, date_upd: now, invoice_date: '0000-00-00 00:00:00', delivery_date: '0000-00-00 00:00:00',
  });
  order.fields = normalise(orderDef, order.fields);
  order.associations.order_rows = rows;
  store.put('orders', order);
  return { id_order: orderId, reference };
}
