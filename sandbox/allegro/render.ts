import type { Attachment, Command, MessageRecord, Offer, Order, Thread } from './store.ts';

/** Store records → the wire shapes of the spec's response schemas (checked in tests with `validateResponses`). */

const MARKETPLACES = { base: { id: 'allegro-pl' }, additional: [] };

function publication(offer: Offer): Record<string, unknown> {
  return {
    status: offer.status,
    ...(offer.startedAt ? { startingAt: offer.startedAt } : {}),
    ...(offer.status === 'ENDED' ? { endedBy: offer.endedBy ?? 'USER' } : {}),
    republish: false,
    marketplaces: MARKETPLACES,
  };
}

/** `SaleProductOfferResponseV1` (GET/PATCH /sale/product-offers/{offerId}). */
export function renderProductOffer(offer: Offer): Record<string, unknown> {
  return {
    id: offer.id,
    name: offer.name,
    category: { id: offer.categoryId },
    sellingMode: { format: 'BUY_NOW', price: offer.price },
    stock: { available: offer.available, unit: offer.unit },
    ...(offer.externalId !== undefined ? { external: { id: offer.externalId } } : {}),
    publication: publication(offer),
    images: offer.images,
    language: 'pl-PL',
    createdAt: offer.createdAt,
    updatedAt: offer.updatedAt,
  };
}

/** `OfferListingDto` (GET /sale/offers). */
export function renderOfferListing(offer: Offer): Record<string, unknown> {
  return {
    id: offer.id,
    name: offer.name,
    category: { id: offer.categoryId },
    ...(offer.images[0] ? { primaryImage: { url: offer.images[0] } } : {}),
    sellingMode: { format: 'BUY_NOW', price: offer.price },
    saleInfo: { biddersCount: 0 },
    stock: { available: offer.available, sold: offer.sold },
    stats: { watchersCount: 0, visitsCount: 0 },
    publication: {
      status: offer.status,
      ...(offer.startedAt ? { startedAt: offer.startedAt } : {}),
      ...(offer.endedAt ? { endedAt: offer.endedAt } : {}),
      marketplaces: MARKETPLACES,
    },
    external: offer.externalId !== undefined ? { id: offer.externalId } : null,
    isFulfillment: false,
  };
}

export function renderGeneralReport(cmd: Command): Record<string, unknown> {
  const success = cmd.tasks.filter((t) => t.status === 'SUCCESS').length;
  const failed = cmd.tasks.filter((t) => t.status === 'FAIL').length;
  return {
    id: cmd.id,
    createdAt: cmd.createdAt,
    completedAt: cmd.completedAt ?? null,
    taskCount: { total: cmd.tasks.length, success, failed },
  };
}

export function renderTasks(cmd: Command, offset: number, limit: number): Record<string, unknown> {
  return {
    tasks: cmd.tasks.slice(offset, offset + limit).map((t) => ({
      offer: { id: t.offerId },
      ...(t.message !== undefined ? { message: t.message } : {}),
      status: t.status,
      scheduledAt: t.scheduledAt,
      finishedAt: t.finishedAt ?? null,
      field: t.field,
      errors: t.errors,
    })),
  };
}

function money(amount: number, currency: string) {
  return { amount: amount.toFixed(2), currency };
}

export function orderTotal(order: Order): { amount: string; currency: string } {
  const currency = order.lines[0]?.price.currency ?? 'PLN';
  const total = order.lines.reduce((sum, l) => sum + Number(l.price.amount) * l.quantity, 0);
  return money(total, currency);
}

/** `CheckoutForm` (GET /order/checkout-forms/{id}). */
export function renderCheckoutForm(order: Order): Record<string, unknown> {
  const total = orderTotal(order);
  const payment =
    order.paymentId !== undefined
      ? {
          id: order.paymentId,
          type: 'ONLINE',
          provider: 'P24',
          ...(order.paidAt ? { finishedAt: order.paidAt, paidAmount: total } : {}),
        }
      : undefined;
  return {
    id: order.id,
    ...(order.messageToSeller ? { messageToSeller: order.messageToSeller } : {}),
    buyer: {
      ...order.buyer,
      preferences: { language: 'pl-PL' },
    },
    ...(payment ? { payment } : {}),
    status: order.status,
    fulfillment: { status: order.fulfillmentStatus, shipmentSummary: { lineItemsSent: 'NONE' } },
    lineItems: order.lines.map((l) => ({
      id: l.id,
      offer: {
        id: l.offerId,
        name: l.offerName,
        ...(l.externalId !== undefined ? { external: { id: l.externalId } } : {}),
      },
      quantity: l.quantity,
      originalPrice: l.price,
      price: l.price,
      boughtAt: l.boughtAt,
    })),
    surcharges: [],
    marketplace: { id: 'allegro-pl' },
    summary: { totalToPay: total },
    updatedAt: order.updatedAt,
    revision: order.revision,
  };
}

/** `OrderEventData`: the order as an event carries it (a snapshot at the event's time). */
export function renderOrderEventData(order: Order, sellerId: string): Record<string, unknown> {
  return {
    seller: { id: sellerId },
    buyer: { id: order.buyer.id, email: order.buyer.email, login: order.buyer.login, guest: order.buyer.guest },
    lineItems: order.lines.map((l) => ({
      id: l.id,
      offer: { id: l.offerId, name: l.offerName, ...(l.externalId !== undefined ? { external: { id: l.externalId } } : {}) },
      quantity: l.quantity,
      originalPrice: l.price,
      price: l.price,
      boughtAt: l.boughtAt,
    })),
    checkoutForm: { id: order.id, revision: order.revision },
    marketplace: { id: 'allegro-pl' },
  };
}

export function renderThread(thread: Thread): Record<string, unknown> {
  const last = thread.messages[thread.messages.length - 1];
  return {
    id: thread.id,
    read: thread.read,
    lastMessageDateTime: last?.createdAt ?? null,
    interlocutor: thread.interlocutor,
  };
}

export function renderMessage(m: MessageRecord, attachments: Map<string, Attachment>, origin: string) {
  return {
    id: m.id,
    status: 'DELIVERED',
    type: 'MESSAGE_CENTER',
    createdAt: m.createdAt,
    thread: { id: m.threadId },
    author: { login: m.authorLogin, isInterlocutor: m.fromBuyer },
    text: m.text,
    subject: null,
    relatesTo: {
      offer: m.offerId !== undefined ? { id: m.offerId } : null,
      // MessageOffer is nullable in the spec, MessageOrder is not: an absent order is left out.
      ...(m.orderId !== undefined ? { order: { id: m.orderId } } : {}),
    },
    hasAdditionalAttachments: false,
    attachments: m.attachmentIds.map((id) => {
      const a = attachments.get(id);
      return {
        fileName: a?.filename ?? id,
        ...(a?.mimeType ? { mimeType: a.mimeType } : {}),
        url: `${origin}/messaging/message-attachments/${id}`,
        status: 'SAFE',
      };
    }),
  };
}
