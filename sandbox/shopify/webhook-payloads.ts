import { gid, iso, type LevelRec, type OrderRec, type ProductRec, type ShopStore } from './store.ts';

/**
 * Webhook bodies in Shopify's REST shape (snake_case, numeric ids, prices as strings, tags as one comma-separated
 * string, `admin_graphql_api_id` holding the GID), as in shared/specs/samples/shopify/ and the webhook reference.
 * REST timestamps carry an offset (`2025-04-22T14:30:00-05:00`); the simulated shop runs on UTC.
 */
export const restTime = (ms: number): string => iso(ms).replace(/Z$/, '+00:00');

export function productPayload(s: ShopStore, p: ProductRec): Record<string, unknown> {
  const variants = s.productVariants(p);
  return {
    admin_graphql_api_id: gid('Product', p.id),
    body_html: p.descriptionHtml,
    created_at: restTime(p.createdAt),
    handle: p.handle,
    id: p.id,
    product_type: p.productType,
    published_at: p.publishedAt === null ? null : restTime(p.publishedAt),
    template_suffix: null,
    title: p.title,
    updated_at: restTime(p.updatedAt),
    vendor: p.vendor,
    status: p.status.toLowerCase(),
    published_scope: 'global',
    tags: p.tags.join(', '),
    variants: variants.map((v, i) => ({
      admin_graphql_api_id: gid('ProductVariant', v.id),
      barcode: v.barcode,
      compare_at_price: v.compareAtPrice,
      created_at: restTime(v.createdAt),
      id: v.id,
      inventory_policy: v.inventoryPolicy.toLowerCase(),
      position: i + 1,
      price: v.price,
      product_id: p.id,
      sku: v.sku,
      taxable: v.taxable,
      title: s.variantTitle(v),
      updated_at: restTime(v.updatedAt),
      option1: v.optionValues[0] ?? null,
      option2: v.optionValues[1] ?? null,
      option3: v.optionValues[2] ?? null,
      image_id: null,
      inventory_item_id: v.inventoryItemId,
      inventory_quantity: s.variantAvailable(v),
      old_inventory_quantity: s.variantAvailable(v),
    })),
    options: p.options.map((o) => ({
      name: o.name,
      id: o.id,
      product_id: p.id,
      position: o.position,
      values: o.values.map((v) => v.name),
    })),
    images: [],
    image: null,
    media: [],
    variant_gids: variants.map((v) => ({ admin_graphql_api_id: gid('ProductVariant', v.id), updated_at: iso(v.updatedAt) })),
    has_variants_that_requires_components: false,
    category: null,
  };
}

export function productDeletePayload(productId: number): Record<string, unknown> {
  return { id: productId };
}

export function inventoryLevelPayload(level: LevelRec): Record<string, unknown> {
  return {
    inventory_item_id: level.inventoryItemId,
    location_id: level.locationId,
    available: level.quantities.available,
    updated_at: restTime(level.updatedAt),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${level.id}?inventory_item_id=${level.inventoryItemId}`,
  };
}

export function orderPayload(s: ShopStore, o: OrderRec): Record<string, unknown> {
  const lineTotal = (price: string, q: number) => (Number(price) * q).toFixed(2);
  const total = o.lineItems.reduce((n, li) => n + Number(li.price) * li.quantity, 0).toFixed(2);
  return {
    id: o.id,
    admin_graphql_api_id: gid('Order', o.id),
    name: o.name,
    number: o.number - 1000,
    order_number: o.number,
    email: o.email,
    contact_email: o.email,
    note: o.note,
    tags: o.tags.join(', '),
    currency: o.currency,
    presentment_currency: o.currency,
    financial_status: o.financialStatus.toLowerCase(),
    fulfillment_status: null,
    cancelled_at: o.cancelledAt === null ? null : restTime(o.cancelledAt),
    cancel_reason: o.cancelledAt === null ? null : 'other',
    confirmed: true,
    test: false,
    source_name: 'web',
    created_at: restTime(o.createdAt),
    updated_at: restTime(o.updatedAt),
    processed_at: restTime(o.processedAt),
    subtotal_price: total,
    total_price: total,
    total_line_items_price: total,
    total_discounts: '0.00',
    total_tax: '0.00',
    taxes_included: false,
    location_id: o.locationId,
    line_items: o.lineItems.map((li) => ({
      id: li.id,
      admin_graphql_api_id: gid('LineItem', li.id),
      variant_id: li.variantId,
      product_id: li.productId,
      product_exists: li.productId !== null && s.products.has(li.productId),
      sku: li.sku,
      title: li.title,
      variant_title: li.variantTitle,
      name: li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title,
      vendor: li.vendor,
      quantity: li.quantity,
      current_quantity: o.cancelledAt === null ? li.quantity : 0,
      fulfillable_quantity: o.cancelledAt === null ? li.quantity : 0,
      fulfillment_status: null,
      price: li.price,
      total_discount: '0.00',
      requires_shipping: true,
      taxable: true,
      gift_card: false,
      price_set: moneySet(li.price, o.currency),
      line_total: lineTotal(li.price, li.quantity),
    })),
    total_price_set: moneySet(total, o.currency),
    subtotal_price_set: moneySet(total, o.currency),
  };
}

function moneySet(amount: string, currency: string) {
  const m = { amount, currency_code: currency };
  return { shop_money: m, presentment_money: m };
}
