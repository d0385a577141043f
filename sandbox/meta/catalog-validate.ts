/**
 * Validation of one `items_batch` request (`{ method, data }`), item by item, as Meta reports it: a bad item does
 * not fail the call, it is listed in the batch's `errors` with its line and retailer id. Field names and formats
 * come from docs §2 (feed-spec names; price strings "<decimal> <ISO-4217>"; `data.id` is the retailer id;
 * `retailer_id` inside `data` is rejected; `quantity_to_sell_on_facebook` replaces `inventory`).
 */
export const AVAILABILITY = ['in stock', 'out of stock', 'preorder', 'available for order', 'discontinued'] as const;
export const CONDITION = ['new', 'refurbished', 'used'] as const;
/** Fields a new item must have (Meta's required catalogue fields). */
export const REQUIRED_ON_CREATE = ['title', 'description', 'availability', 'condition', 'price', 'link', 'image_link'] as const;
const KNOWN_FIELDS = new Set([
  'id', 'title', 'description', 'availability', 'condition', 'price', 'sale_price', 'sale_price_effective_date',
  'link', 'image_link', 'additional_image_link', 'brand', 'item_group_id', 'quantity_to_sell_on_facebook', 'inventory',
  'additional_variant_attribute', 'color', 'size', 'gender', 'material', 'pattern', 'age_group', 'gtin', 'mpn',
  'google_product_category', 'fb_product_category', 'product_type', 'shipping', 'shipping_weight', 'custom_label_0',
  'custom_label_1', 'custom_label_2', 'custom_label_3', 'custom_label_4', 'rich_text_description', 'visibility',
  'status', 'video', 'internal_label', 'short_description', 'url', 'image',
]);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export interface Money {
  amount: number;
  currency: string;
}

/** Parses "12.99 PLN"; undefined when the string is not in that format or the currency is not ISO 4217. */
export function parsePrice(value: unknown): Money | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d{1,2})?) ([A-Z]{3})$/.exec(value.trim());
  if (!m || !CURRENCIES.has(m[2]!)) return undefined;
  return { amount: Number(m[1]), currency: m[2]! };
}

/** Parses "<ISO start>/<ISO end>" into epoch ms; undefined when malformed or not increasing. */
export function parseEffectiveDate(value: unknown): { start: number; end: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value.split('/');
  if (parts.length !== 2) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
  if (!iso.test(parts[0]!) || !iso.test(parts[1]!)) return undefined;
  const start = Date.parse(parts[0]!);
  const end = Date.parse(parts[1]!);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return undefined;
  return { start, end };
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export type BatchMethod = 'CREATE' | 'UPDATE' | 'DELETE';

export interface ItemCheck {
  method?: BatchMethod;
  retailerId?: string;
  data: Record<string, unknown>;
  errors: string[];
  warnings: string[];
}

/**
 * Checks one request. `exists` tells whether the retailer id is already in the catalogue: an UPDATE of a missing
 * item becomes a create (allow_upsert, default true) and must then carry every required field.
 */
export function checkItemRequest(
  req: unknown,
  existing: (id: string) => Record<string, unknown> | undefined,
  allowUpsert: boolean,
): ItemCheck {
  const exists = (id: string) => existing(id) !== undefined;
  const out: ItemCheck = { data: {}, errors: [], warnings: [] };
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    out.errors.push('Each request must be an object with method and data');
    return out;
  }
  const { method, data } = req as { method?: unknown; data?: unknown };
  if (method !== 'CREATE' && method !== 'UPDATE' && method !== 'DELETE') {
    out.errors.push(`Invalid method ${JSON.stringify(method)}: must be one of CREATE, UPDATE, DELETE`);
    return out;
  }
  out.method = method;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    out.errors.push('data must be an object');
    return out;
  }
  const d = data as Record<string, unknown>;
  out.data = d;
  if ('retailer_id' in d) out.errors.push('retailer_id is not a valid field in items_batch data: send the retailer id as id');
  if (typeof d.id !== 'string' && typeof d.id !== 'number') {
    out.errors.push('Required field id is missing');
    return out;
  }
  const id = String(d.id);
  if (id.length === 0 || id.length > 100) out.errors.push('id must be 1-100 characters');
  out.retailerId = id;
  if (method === 'DELETE') return out;

  const creating = method === 'CREATE' || !exists(id);
  if (method === 'UPDATE' && !exists(id) && !allowUpsert) {
    out.errors.push(`Item with id ${id} does not exist and allow_upsert is false`);
    return out;
  }
  if (method === 'CREATE' && exists(id)) out.warnings.push(`Item with id ${id} already exists; it was updated`);
  if (creating) {
    for (const f of REQUIRED_ON_CREATE) {
      if (d[f] === undefined || d[f] === '') out.errors.push(`Required field ${f} is missing`);
    }
  }
  for (const key of Object.keys(d)) {
    if (!KNOWN_FIELDS.has(key) && key !== 'retailer_id') out.warnings.push(`Unknown field ${key} was ignored`);
  }
  if (d.title !== undefined && (typeof d.title !== 'string' || d.title.length > 200)) {
    out.errors.push('title must be a string of at most 200 characters');
  }
  if (d.description !== undefined && (typeof d.description !== 'string' || d.description.length > 9999)) {
    out.errors.push('description must be a string of at most 9999 characters');
  }
  if (d.availability !== undefined && !AVAILABILITY.includes(d.availability as never)) {
    out.errors.push(`Invalid availability ${JSON.stringify(d.availability)}: must be one of ${AVAILABILITY.join(', ')}`);
  }
  if (d.condition !== undefined && !CONDITION.includes(d.condition as never)) {
    out.errors.push(`Invalid condition ${JSON.stringify(d.condition)}: must be one of ${CONDITION.join(', ')}`);
  }
  // A sale price is checked against the price it will sit next to: the one sent now, else the stored one.
  let price: Money | undefined = parsePrice(existing(id)?.price);
  if (d.price !== undefined) {
    price = parsePrice(d.price);
    if (!price) {
      out.errors.push(`Invalid price ${JSON.stringify(d.price)}: expected a string "<amount> <ISO 4217 currency>", e.g. "12.99 PLN"`);
    }
  }
  // An empty string clears the sale (docs §2), so it is valid for both sale fields.
  if (d.sale_price !== undefined && d.sale_price !== '') {
    const sale = parsePrice(d.sale_price);
    if (!sale) {
      out.errors.push(`Invalid sale_price ${JSON.stringify(d.sale_price)}: expected a string "<amount> <ISO 4217 currency>", e.g. "9.99 PLN"`);
    } else if (price && sale.currency !== price.currency) {
      out.errors.push(`sale_price currency ${sale.currency} differs from price currency ${price.currency}`);
    } else if (price && sale.amount >= price.amount) {
      out.warnings.push('sale_price is not lower than price; the sale will not be shown');
    }
  }
  if (d.sale_price_effective_date !== undefined && d.sale_price_effective_date !== '' && !parseEffectiveDate(d.sale_price_effective_date)) {
    out.errors.push(
      `Invalid sale_price_effective_date ${JSON.stringify(d.sale_price_effective_date)}: expected "<ISO-8601 start>/<ISO-8601 end>" with end after start`,
    );
  }
  for (const f of ['link', 'image_link'] as const) {
    if (d[f] !== undefined && !isHttpUrl(d[f])) out.errors.push(`Invalid ${f} ${JSON.stringify(d[f])}: must be an absolute http(s) URL`);
  }
  if (d.quantity_to_sell_on_facebook !== undefined) {
    const q = d.quantity_to_sell_on_facebook;
    const n = typeof q === 'string' && /^\d+$/.test(q) ? Number(q) : q;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      out.errors.push('quantity_to_sell_on_facebook must be a non-negative integer');
    }
  }
  if (d.inventory !== undefined) out.warnings.push('inventory is deprecated: use quantity_to_sell_on_facebook');
  return out;
}
