import { z } from 'zod';
import { availableSnapshot, fireMovedLevels, type ShopContext } from './context.ts';
import { parseGid, type LineItemRec, type OrderRec, type VariantRec } from './store.ts';

/**
 * Orders arrive on Shopify from checkouts, not from the Admin API connectors use, so the simulator creates them
 * through its admin endpoint. Creating one moves each line's quantity from `available` to `committed` at the
 * fulfilling location (on_hand is unchanged until fulfilment), then fires orders/create and
 * inventory_levels/update. A line whose SKU matches no variant is kept as a custom line item without a variant.
 */
export const orderInputSchema = z.object({
  email: z.string().nullable().default(null),
  note: z.string().nullable().default(null),
  tags: z.array(z.string()).default([]),
  financialStatus: z.enum(['PAID', 'PENDING']).default('PAID'),
  /** A Location GID or numeric id; default: the first location stocking each variant. */
  locationId: z.union([z.string(), z.number()]).optional(),
  lineItems: z
    .array(
      z.object({
        sku: z.string().optional(),
        variantId: z.union([z.string(), z.number()]).optional(),
        quantity: z.number().int().positive(),
        price: z.string().regex(/^\d+(\.\d+)?$/).optional(),
        title: z.string().optional(),
      }),
    )
    .min(1),
});
export type OrderInput = z.input<typeof orderInputSchema>;

function findVariant(ctx: ShopContext, li: { sku?: string; variantId?: string | number }): VariantRec | undefined {
  if (li.variantId !== undefined) {
    const id = typeof li.variantId === 'number' ? li.variantId : parseGid(li.variantId, 'ProductVariant') ?? Number(li.variantId);
    return ctx.store.variants.get(id);
  }
  return li.sku ? ctx.store.variantBySku(li.sku) : undefined;
}

export function createOrder(ctx: ShopContext, raw: OrderInput, fire = true): OrderRec {
  const input = orderInputSchema.parse(raw);
  const s = ctx.store;
  const wantedLocation = input.locationId === undefined ? undefined : typeof input.locationId === 'number' ? input.locationId : parseGid(input.locationId, 'Location') ?? Number(input.locationId);
  if (wantedLocation !== undefined && !s.locations.has(wantedLocation)) throw new Error(`location ${String(input.locationId)} does not exist`);
  const before = availableSnapshot(s);
  const t = s.stamp();
  const lineItems: LineItemRec[] = input.lineItems.map((li) => {
    const v = findVariant(ctx, li);
    const p = v ? s.products.get(v.productId) : undefined;
    return {
      id: s.id(),
      variantId: v?.id ?? null,
      productId: p?.id ?? null,
      sku: v?.sku ?? li.sku ?? null,
      title: p?.title ?? li.title ?? li.sku ?? 'Custom item',
      variantTitle: v && s.variantTitle(v) !== 'Default Title' ? s.variantTitle(v) : null,
      vendor: p?.vendor ?? null,
      quantity: li.quantity,
      price: Number(li.price ?? v?.price ?? '0').toFixed(2),
    };
  });
  const number = s.orderNumber();
  const firstLocation = [...s.locations.keys()][0] ?? 0;
  const order: OrderRec = {
    id: s.id(),
    number,
    name: `#${number}`,
    email: input.email,
    note: input.note,
    tags: input.tags,
    currency: ctx.shop.currency,
    financialStatus: input.financialStatus,
    lineItems,
    locationId: wantedLocation ?? firstLocation,
    cancelledAt: null,
    createdAt: t,
    updatedAt: t,
    processedAt: t,
  };
  for (const li of lineItems) {
    const v = li.variantId === null ? undefined : s.variants.get(li.variantId);
    if (!v || !s.inventoryItems.get(v.inventoryItemId)?.tracked) continue;
    const level = wantedLocation !== undefined ? s.activate(v.inventoryItemId, wantedLocation) : (s.itemLevels(v.inventoryItemId)[0] ?? (firstLocation ? s.activate(v.inventoryItemId, firstLocation) : undefined));
    if (!level) continue;
    s.adjust(level, 'available', -li.quantity);
    s.adjust(level, 'committed', li.quantity);
  }
  s.orders.set(order.id, order);
  if (fire) {
    ctx.events.orderCreated(order);
    fireMovedLevels(ctx, before);
  }
  return order;
}

/** Cancels with restock: committed goes back to available, then orders/updated and inventory_levels/update. */
export function cancelOrder(ctx: ShopContext, order: OrderRec): void {
  if (order.cancelledAt !== null) return;
  const s = ctx.store;
  const before = availableSnapshot(s);
  for (const li of order.lineItems) {
    const v = li.variantId === null ? undefined : s.variants.get(li.variantId);
    const level = v ? (s.level(v.inventoryItemId, order.locationId) ?? s.itemLevels(v.inventoryItemId)[0]) : undefined;
    if (!level) continue;
    s.adjust(level, 'committed', -li.quantity);
    s.adjust(level, 'available', li.quantity);
  }
  order.cancelledAt = s.stamp();
  order.updatedAt = order.cancelledAt;
  ctx.events.orderUpdated(order);
  fireMovedLevels(ctx, before);
}
