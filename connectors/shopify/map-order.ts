import { orderSnapshot, type OrderSnapshot } from '../../core/sdk/index.ts';
import { parseOrExplain, type LineNode, type OrderNode } from './schemas.ts';

/**
 * Shopify order → OrderSnapshot.status. Shopify commits stock the moment an order exists, paid or not, so no
 * Shopify order is `pending` for the hub:
 * - cancelled (cancelledAt set) → cancelled; REFUNDED → refunded;
 * - FULFILLED → fulfilled; PAID / PARTIALLY_REFUNDED → paid;
 * - anything else (PENDING, AUTHORIZED, PARTIALLY_PAID, VOIDED/EXPIRED without a cancellation) → open.
 */
export function orderStatus(o: Pick<OrderNode, 'cancelledAt' | 'displayFinancialStatus' | 'displayFulfillmentStatus'>): OrderSnapshot['status'] {
  if (o.cancelledAt) return 'cancelled';
  if (o.displayFinancialStatus === 'REFUNDED') return 'refunded';
  if (o.displayFulfillmentStatus === 'FULFILLED') return 'fulfilled';
  if (o.displayFinancialStatus === 'PAID' || o.displayFinancialStatus === 'PARTIALLY_REFUNDED') return 'paid';
  return 'open';
}

/**
 * Lines carry SKU and variant id. `refundedQuantity` is quantity − currentQuantity (units refunded or removed,
 * which Shopify restocks); it is left out for cancelled orders, whose status already reverses every line.
 */
export function mapOrder(o: OrderNode, lines: LineNode[]): OrderSnapshot {
  const status = orderStatus(o);
  const snapshot: OrderSnapshot = {
    externalId: o.id,
    number: o.name,
    status,
    currency: o.currencyCode,
    total: o.totalPriceSet.shopMoney.amount,
    placedAt: o.processedAt,
    updatedAt: o.updatedAt,
    ...(o.email ? { customer: { email: o.email } } : {}),
    lines: lines.map((l) => ({
      externalId: l.id,
      sku: l.sku || null,
      ...(l.variant ? { variantExternalId: l.variant.id } : {}),
      title: l.title,
      quantity: l.quantity,
      ...(status !== 'cancelled' && l.quantity > l.currentQuantity ? { refundedQuantity: l.quantity - l.currentQuantity } : {}),
      unitPrice: l.originalUnitPriceSet.shopMoney.amount,
    })),
  };
  return parseOrExplain(orderSnapshot, snapshot, `order ${o.id}`);
}
