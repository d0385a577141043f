import { orderSnapshot, type ConnectorContext, type OrderSnapshot, type OrdersRead } from '../../core/sdk/index.ts';
import { list } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { decimal6 } from './decimal.ts';
import { variantId } from './ids.ts';
import { orderDetailSchema, orderSchema, type PsOrder, type PsOrderDetail } from './schemas.ts';
import { fromShopTime, toShopTime } from './shop-time.ts';
import { changedSince } from './watermark.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/** `current_state` → hub status through `orderStates` (PrestaShop defaults in config.ts); unlisted states are `open`. */
export function orderStatus(config: PrestashopConfig, state: number): OrderSnapshot['status'] {
  for (const status of ['cancelled', 'refunded', 'fulfilled', 'paid', 'pending'] as const) {
    if (config.orderStates[status].includes(state)) return status;
  }
  return 'open';
}

function mapOrder(config: PrestashopConfig, o: PsOrder, details: PsOrderDetail[]): OrderSnapshot {
  const placedAt = fromShopTime(o.date_add, config.timezone);
  const updatedAt = fromShopTime(o.date_upd, config.timezone);
  return orderSnapshot.parse({
    externalId: String(o.id),
    ...(o.reference ? { number: o.reference } : {}),
    status: orderStatus(config, o.current_state),
    currency: config.currencies[o.id_currency] ?? config.currency,
    total: decimal6(o.total_paid_tax_incl),
    ...(placedAt ? { placedAt } : {}),
    ...(updatedAt ? { updatedAt } : {}),
    ...(o.id_customer !== '0' ? { customer: { externalId: o.id_customer } } : {}),
    lines: details.map((d) => ({
      externalId: String(d.id),
      sku: d.product_reference || null,
      ean: d.product_ean13 || null,
      variantExternalId: variantId(d.product_id, d.product_attribute_id),
      title: d.product_name,
      quantity: d.product_quantity,
      // A partial refund counts in product_quantity_refunded, a merchandise return in product_quantity_return.
      refundedQuantity: Math.min(d.product_quantity, Math.max(d.product_quantity_refunded, d.product_quantity_return)),
      unitPrice: decimal6(d.unit_price_tax_incl),
    })),
  });
}

/** Orders with their order_details (lines carry the SKU as `product_reference`), two batched reads. */
async function hydrate(ctx: Ctx, ids: number[]): Promise<OrderSnapshot[]> {
  if (!ids.length) return [];
  const filter = `[${[...new Set(ids)].join('|')}]`;
  const [orders, details] = await Promise.all([
    list(ctx, 'orders', orderSchema, { display: 'full', 'filter[id]': filter, sort: '[id_ASC]' }),
    list(ctx, 'order_details', orderDetailSchema, { display: 'full', 'filter[id_order]': filter, sort: '[id_ASC]' }),
  ]);
  return orders.map((o) => mapOrder(ctx.config, o, details.filter((d) => d.id_order === o.id)));
}

/**
 * Orders by `date_upd` watermark (see watermark.ts). The first run starts 24 hours back; later runs start at
 * the saved watermark minus `overlapSeconds`. `get` answers null when the shop has no such order.
 */
export const ordersRead: OrdersRead<PrestashopConfig> = {
  async changes(ctx, checkpoint) {
    const initial = toShopTime(new Date(ctx.now().getTime() - 24 * 3600_000), ctx.config.timezone);
    const { ids, next } = await changedSince(ctx, 'orders', checkpoint, initial);
    return { orders: await hydrate(ctx, ids), checkpoint: next };
  },
  async get(ctx, externalId) {
    if (!/^\d+$/.test(externalId)) return null;
    return (await hydrate(ctx, [Number(externalId)]))[0] ?? null;
  },
};
