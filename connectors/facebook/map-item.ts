import type { DesiredProduct, DesiredVariant, LocalizedText, PriceUpdate, PromotionUpdate, StockUpdate } from '../../core/sdk/index.ts';
import type { FacebookConfig } from './config.ts';
import { metaPrice, metaWindow } from './money.ts';

/**
 * Desired state → `items_batch` requests. Every write is an `UPDATE`: with `allow_upsert` (Meta's default, sent
 * explicitly) it creates a missing item and otherwise changes only the fields sent, so a price or stock write
 * never touches content. `CREATE` would not be idempotent in spirit (it warns on an existing id) and is not used.
 * The retailer id (`data.id`) is the variant's SKU; variants of one product share `item_group_id`.
 */
export interface BatchRequest {
  method: 'UPDATE';
  data: { id: string } & Record<string, unknown>;
}

export type Built = { ok: true; requests: BatchRequest[] } | { ok: false; message: string };

const VARIANT_FIELDS: Record<string, string> = { color: 'color', colour: 'color', size: 'size', gender: 'gender', material: 'material', pattern: 'pattern' };

export function pickText(text: LocalizedText | undefined, locale: string): string | undefined {
  if (!text) return undefined;
  const value = text[locale] ?? Object.values(text)[0];
  return value === undefined || value === '' ? undefined : value;
}

/** The product's id on this channel: its variant group, or the single variant's retailer id. */
export function productExternalId(p: DesiredProduct): string {
  if (p.externalId) return p.externalId;
  return p.variants.length === 1 ? retailerIdOf(p.variants[0]!) : p.internalId;
}

export function retailerIdOf(v: DesiredVariant): string {
  return v.externalId ?? v.sku;
}

export function productLink(config: FacebookConfig, sku: string, internalId: string): string {
  return config.productUrlTemplate.replaceAll('{sku}', encodeURIComponent(sku)).replaceAll('{internalId}', encodeURIComponent(internalId));
}

function availability(quantity: number): string {
  return quantity > 0 ? 'in stock' : 'out of stock';
}

/** Price fields: the regular price, and a sale price with no window when the hub shows a compare-at price. */
function priceFields(price: { gross: string; currency: string; compareAt: string | null }): Record<string, string> | string {
  const regular = metaPrice(price.compareAt ?? price.gross, price.currency);
  if (!regular) return `price ${JSON.stringify(price.compareAt ?? price.gross)} ${price.currency} cannot be sent to Meta`;
  if (price.compareAt === null) return { price: regular };
  const sale = metaPrice(price.gross, price.currency);
  if (!sale) return `price ${JSON.stringify(price.gross)} ${price.currency} cannot be sent to Meta`;
  return { price: regular, sale_price: sale, sale_price_effective_date: '' };
}

export function productRequests(config: FacebookConfig, p: DesiredProduct): Built {
  if (p.variants.length === 0) return { ok: false, message: 'product has no variants to list' };
  const groups = new Set(p.groups);
  const grouped = p.variants.length > 1;
  const productTitle = pickText(p.title, config.locale);
  const requests: BatchRequest[] = [];
  for (const v of p.variants) {
    const data: BatchRequest['data'] = { id: retailerIdOf(v) };
    if (groups.has('content')) {
      const variantTitle = pickText(v.title, config.locale);
      const title = grouped && variantTitle && productTitle ? `${productTitle} – ${variantTitle}` : (variantTitle ?? productTitle);
      if (title !== undefined) data.title = title;
      const description = pickText(p.description, config.locale);
      if (description !== undefined) data.description = description;
      if (p.brand) data.brand = p.brand;
      data.condition = config.condition;
      data.link = productLink(config, v.sku, p.internalId);
      if (grouped) data.item_group_id = productExternalId(p);
      if (v.ean) data.gtin = v.ean;
      for (const [name, value] of Object.entries(v.attributes)) {
        const field = VARIANT_FIELDS[name.toLowerCase()];
        if (field) data[field] = value;
      }
    }
    if (groups.has('category') && p.category) data.product_type = p.category;
    if (groups.has('media')) {
      const image = v.images[0]?.url ?? p.images[0]?.url;
      if (image) data.image_link = image;
    }
    if (groups.has('price') && v.price) {
      const fields = priceFields(v.price);
      if (typeof fields === 'string') return { ok: false, message: `${v.sku}: ${fields}` };
      Object.assign(data, fields);
    }
    if (groups.has('stock') && v.stock !== undefined) {
      data.quantity_to_sell_on_facebook = Math.max(0, v.stock);
      data.availability = availability(v.stock);
    }
    if (groups.has('status')) data.visibility = v.status === 'active' && p.status === 'active' ? 'published' : 'staging';
    requests.push({ method: 'UPDATE', data });
  }
  return { ok: true, requests };
}

export function priceRequest(u: PriceUpdate): Built {
  const fields = priceFields(u.price);
  if (typeof fields === 'string') return { ok: false, message: `${u.sku}: ${fields}` };
  return { ok: true, requests: [{ method: 'UPDATE', data: { id: u.externalId, ...fields } }] };
}

export function stockRequest(u: StockUpdate): Built {
  const quantity = Math.max(0, Math.trunc(u.available));
  return { ok: true, requests: [{ method: 'UPDATE', data: { id: u.externalId, quantity_to_sell_on_facebook: quantity, availability: availability(quantity) } }] };
}

/**
 * A promotion is pushed ahead of time: Meta shows `sale_price` only inside `sale_price_effective_date` and
 * switches by itself. An empty window (end not after start) clears the sale with empty strings (docs §2).
 */
export function promotionRequest(u: PromotionUpdate): Built {
  const regular = metaPrice(u.regular.gross, u.regular.currency);
  if (!regular) return { ok: false, message: `${u.sku}: regular price ${JSON.stringify(u.regular.gross)} ${u.regular.currency} cannot be sent to Meta` };
  if (u.endsAt.getTime() <= u.startsAt.getTime()) {
    return { ok: true, requests: [{ method: 'UPDATE', data: { id: u.externalId, price: regular, sale_price: '', sale_price_effective_date: '' } }] };
  }
  const sale = metaPrice(u.price.gross, u.price.currency);
  if (!sale) return { ok: false, message: `${u.sku}: promotional price ${JSON.stringify(u.price.gross)} ${u.price.currency} cannot be sent to Meta` };
  return {
    ok: true,
    requests: [{ method: 'UPDATE', data: { id: u.externalId, price: regular, sale_price: sale, sale_price_effective_date: metaWindow(u.startsAt, u.endsAt) } }],
  };
}
