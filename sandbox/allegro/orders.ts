import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { renderOrderEventData } from './render.ts';
import { AllegroStore, type CheckoutStatus, type Order } from './store.ts';

/**
 * Simulated buyers. A purchase creates a checkout form and walks it through Allegro's lifecycle, journaling an
 * order event at each step: BOUGHT (stock is taken from the offer now, and stock 0 ends it), FILLED_IN (delivery
 * and payment chosen), READY_FOR_PROCESSING (paid). Cancellations journal BUYER_CANCELLED or AUTO_CANCELLED.
 */

export const purchaseSchema = z.object({
  /** The checkout form's id (a UUID); generated when absent. */
  checkoutFormId: z.string().min(1).optional(),
  lines: z
    .array(z.object({ offerId: z.string(), quantity: z.number().int().positive().default(1) }))
    .min(1),
  buyer: z
    .object({
      id: z.string().optional(),
      login: z.string().default('buyer-jan'),
      email: z.string().default('buyer-jan@allegromail.pl'),
      firstName: z.string().default('Jan'),
      lastName: z.string().default('Kowalski'),
      guest: z.boolean().default(false),
    })
    .default({ login: 'buyer-jan', email: 'buyer-jan@allegromail.pl', firstName: 'Jan', lastName: 'Kowalski', guest: false }),
  /** How far the checkout goes now; `POST /__sandbox/orders/{id}/advance` continues later. */
  until: z.enum(['BOUGHT', 'FILLED_IN', 'READY_FOR_PROCESSING']).default('READY_FOR_PROCESSING'),
  messageToSeller: z.string().optional(),
});
export type PurchaseInput = z.input<typeof purchaseSchema>;

export class PurchaseError extends Error {}

const NEXT: Partial<Record<CheckoutStatus, CheckoutStatus>> = { BOUGHT: 'FILLED_IN', FILLED_IN: 'READY_FOR_PROCESSING' };

function journal(store: AllegroStore, order: Order, type: string): string {
  order.revision = AllegroStore.newRevision();
  order.updatedAt = store.nowIso();
  const id = store.newOrderEventId();
  store.orderEvents.push({ id, type, occurredAt: order.updatedAt, order: renderOrderEventData(order, store.seller.id) });
  return id;
}

export function advanceOrder(store: AllegroStore, order: Order): string {
  const next = NEXT[order.status];
  if (!next) throw new PurchaseError(`order ${order.id} is ${order.status}; it cannot advance`);
  order.status = next;
  if (next === 'FILLED_IN') order.paymentId = randomUUID();
  if (next === 'READY_FOR_PROCESSING') order.paidAt = store.nowIso();
  return journal(store, order, next);
}

export function purchase(store: AllegroStore, raw: unknown): { checkoutFormId: string; eventIds: string[] } {
  const input = purchaseSchema.parse(raw);
  if (input.checkoutFormId && store.orders.has(input.checkoutFormId)) {
    throw new PurchaseError(`checkout form ${input.checkoutFormId} already exists`);
  }
  const wanted = new Map<string, number>();
  for (const l of input.lines) wanted.set(l.offerId, (wanted.get(l.offerId) ?? 0) + l.quantity);
  for (const [offerId, qty] of wanted) {
    const offer = store.offers.get(offerId);
    if (!offer) throw new PurchaseError(`offer ${offerId} does not exist`);
    if (offer.status !== 'ACTIVE') throw new PurchaseError(`offer ${offerId} is ${offer.status}; only ACTIVE offers sell`);
    if (offer.available < qty) throw new PurchaseError(`offer ${offerId} has ${offer.available} available, ${qty} wanted`);
  }
  const now = store.nowIso();
  const order: Order = {
    id: input.checkoutFormId ?? randomUUID(),
    status: 'BOUGHT',
    buyer: { ...input.buyer, id: input.buyer.id ?? String(10_000_000 + store.orders.size + 1) },
    lines: [...wanted].map(([offerId, quantity]) => {
      const offer = store.offers.get(offerId)!;
      return {
        id: randomUUID(),
        offerId,
        offerName: offer.name,
        ...(offer.externalId !== undefined ? { externalId: offer.externalId } : {}),
        quantity,
        price: { ...offer.price },
        boughtAt: now,
      };
    }),
    fulfillmentStatus: 'NEW',
    revision: AllegroStore.newRevision(),
    updatedAt: now,
    ...(input.messageToSeller ? { messageToSeller: input.messageToSeller } : {}),
  };
  for (const line of order.lines) {
    const offer = store.offers.get(line.offerId)!;
    offer.sold += line.quantity;
    store.applyChange(offer, { available: offer.available - line.quantity });
  }
  store.orders.set(order.id, order);
  const eventIds = [journal(store, order, 'BOUGHT')];
  while (order.status !== input.until) eventIds.push(advanceOrder(store, order));
  return { checkoutFormId: order.id, eventIds };
}

export function cancelOrder(store: AllegroStore, order: Order, type: 'BUYER_CANCELLED' | 'AUTO_CANCELLED'): string {
  if (order.status === 'CANCELLED') throw new PurchaseError(`order ${order.id} is already cancelled`);
  order.status = 'CANCELLED';
  // Stock is not returned to the offer: the seller (here: the hub) decides what to do with it.
  return journal(store, order, type);
}
