import { z } from 'zod';

/**
 * What the webservice's JSON lists look like (recorded 006, 016, 019, 023, 025, 073, 133). Types are loose:
 * `id` is a number, most scalars are strings, lists may hold `null`/`false` for empty virtual fields, and a
 * single-object answer drops "0"/empty keys (surprise 1). So every scalar is read as text, a missing one is ""
 * (or "0" for ids and quantities), and multilingual fields accept both shapes (surprise 8).
 */
const loose = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();
/** Text; missing/null/false → "". */
export const text = loose.transform((v) => (v === undefined || v === null || v === false ? '' : String(v)));
/** An id or count; missing/empty → "0". */
export const num = loose.transform((v) => (v === undefined || v === null || v === false || v === '' ? '0' : String(v)));
/** A whole number; missing → 0; anything else non-numeric is an error naming the field. */
export const int = num.pipe(z.string().regex(/^-?\d+$/, { message: 'must be a whole number' })).transform(Number);

/** `"Mug"` (one language rendered) or `[{"id":"1","value":"Mug"}, …]`; normalised to `{ "<lang id>": text }` or `{ "*": text }`. */
export const multilingual = z
  .union([z.string(), z.array(z.object({ id: z.union([z.string(), z.number()]), value: z.string().nullable() })), z.null(), z.boolean()])
  .optional()
  .transform((v): Record<string, string> => {
    if (typeof v === 'string') return { '*': v };
    if (Array.isArray(v)) return Object.fromEntries(v.map((x) => [String(x.id), x.value ?? '']));
    return {};
  });

const assocItems = z.array(z.record(z.string(), z.union([z.string(), z.number()]).transform(String))).optional().default([]);

export const productSchema = z.object({
  id: int,
  reference: text,
  ean13: text,
  price: num,
  active: num,
  id_category_default: num,
  id_tax_rules_group: num,
  product_type: text,
  date_upd: text,
  /** The cover image's id ("" or "0" without images). */
  id_default_image: text,
  name: multilingual,
  description: multilingual,
  associations: z
    .object({ combinations: assocItems, categories: assocItems, images: assocItems })
    .partial()
    .optional()
    .default({}),
});
export type PsProduct = z.output<typeof productSchema>;

export const combinationSchema = z.object({
  id: int,
  id_product: int,
  reference: text,
  ean13: text,
  price: num,
  associations: z.object({ product_option_values: assocItems }).partial().optional().default({}),
});
export type PsCombination = z.output<typeof combinationSchema>;

export const optionValueSchema = z.object({ id: int, id_attribute_group: int, name: multilingual });
export const optionSchema = z.object({ id: int, name: multilingual, public_name: multilingual });

export const stockSchema = z.object({ id: int, id_product: int, id_product_attribute: int, id_shop: num, quantity: int });
export type PsStock = z.output<typeof stockSchema>;

export const dateRowSchema = z.object({ id: int, date_upd: text });

export const orderSchema = z.object({
  id: int,
  reference: text,
  id_customer: num,
  id_currency: num,
  current_state: int,
  total_paid_tax_incl: num,
  date_add: text,
  date_upd: text,
});
export type PsOrder = z.output<typeof orderSchema>;

export const orderDetailSchema = z.object({
  id: int,
  id_order: int,
  product_id: num,
  product_attribute_id: num,
  product_name: text,
  product_reference: text,
  product_ean13: text,
  product_quantity: int,
  product_quantity_refunded: int,
  product_quantity_return: int,
  unit_price_tax_incl: num,
});
export type PsOrderDetail = z.output<typeof orderDetailSchema>;

export const threadSchema = z.object({
  id: int,
  id_customer: num,
  id_order: num,
  id_product: num,
  email: text,
  status: text,
  date_upd: text,
});
export type PsThread = z.output<typeof threadSchema>;

export const messageSchema = z.object({
  id: int,
  id_customer_thread: int,
  id_employee: num,
  message: text,
  file_name: text,
  private: num,
  date_add: text,
});
export type PsMessage = z.output<typeof messageSchema>;

export const specificPriceSchema = z.object({
  id: int,
  id_product: num,
  id_product_attribute: num,
  id_shop: num,
  id_cart: num,
  id_currency: num,
  id_country: num,
  id_group: num,
  id_customer: num,
  id_specific_price_rule: num,
  from_quantity: num,
  price: text,
  reduction: num,
  reduction_type: text,
  from: text,
  to: text,
});
export type PsSpecificPrice = z.output<typeof specificPriceSchema>;
