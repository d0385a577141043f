import { type OrderSnapshot, orderSnapshot, type OrdersRead } from '../../core/sdk/index.ts';
import { type AllegroContext, call, query } from './client.ts';
import type { AllegroConfig } from './config.ts';
import { statusOf } from './errors.ts';
import { type CheckoutForm, checkoutForm, orderEvents } from './schemas.ts';

/**
 * `orders.read`. Allegro journals every step of a purchase (`GET /order/events?from=<last event id>`); the
 * checkpoint is the last event id read. Each event only says "checkout form X changed": the form itself
 * (`GET /order/checkout-forms/{id}`) is read for its current state and lines (level-triggered).
 *
 * Status: only `READY_FOR_PROCESSING` is final (paid) — `BOUGHT`/`FILLED_IN` data can still change, so they are
 * `pending` and move no stock; a form `CANCELLED` (BUYER_CANCELLED / AUTO_CANCELLED events) or with fulfilment
 * status `CANCELLED` is `cancelled`; fulfilment `SENT`/`PICKED_UP` is `fulfilled`. Lines carry the offer's
 * `external.id` as SKU and the offer id as variant id. On the first run the journal is read from its start.
 */

interface Checkpoint {
  lastEventId: string;
}

function status(form: CheckoutForm): OrderSnapshot['status'] {
  const fulfillment = form.fulfillment?.status ?? undefined;
  if (form.status === 'CANCELLED' || fulfillment === 'CANCELLED') return 'cancelled';
  if (form.status !== 'READY_FOR_PROCESSING') return 'pending';
  if (fulfillment === 'SENT' || fulfillment === 'PICKED_UP') return 'fulfilled';
  return 'paid';
}

export function mapOrder(form: CheckoutForm): OrderSnapshot {
  const b = form.buyer;
  const name = [b.firstName, b.lastName].filter(Boolean).join(' ');
  const total = form.summary?.totalToPay;
  const placedAt = form.lineItems.map((l) => l.boughtAt).filter((x): x is string => !!x).sort()[0];
  return orderSnapshot.parse({
    externalId: form.id,
    status: status(form),
    ...(total ? { total: total.amount, currency: total.currency } : {}),
    ...(placedAt ? { placedAt } : {}),
    ...(form.updatedAt ? { updatedAt: form.updatedAt } : {}),
    customer: {
      ...(b.login ? { externalId: b.login } : b.id ? { externalId: b.id } : {}),
      ...(name ? { name } : {}),
      ...(b.email ? { email: b.email } : {}),
      ...(b.phoneNumber ? { phone: b.phoneNumber } : {}),
    },
    lines: form.lineItems.map((l) => ({
      externalId: l.id,
      sku: l.offer.external?.id || null,
      variantExternalId: l.offer.id,
      ...(l.offer.name ? { title: l.offer.name } : {}),
      quantity: l.quantity,
      unitPrice: l.price.amount,
    })),
  });
}

async function fetchForm(ctx: AllegroContext, id: string): Promise<OrderSnapshot | null> {
  try {
    const { data } = await call(ctx, 'GET', `order/checkout-forms/${encodeURIComponent(id)}`, { schema: checkoutForm });
    return mapOrder(data);
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

export const readOrders: OrdersRead<AllegroConfig> = {
  async changes(ctx, checkpoint) {
    let from = (checkpoint as Checkpoint | undefined)?.lastEventId;
    const limit = ctx.config.orderEventsPageSize;
    const formIds = new Set<string>();
    for (let page = 0; page < ctx.config.maxPagesPerPoll; page++) {
      const { data } = await call(ctx, 'GET', 'order/events', { searchParams: query({ from, limit }), schema: orderEvents });
      for (const e of data.events) formIds.add(e.order.checkoutForm.id);
      if (data.events.length > 0) from = data.events[data.events.length - 1]!.id;
      if (data.events.length < limit) break;
    }
    const orders: OrderSnapshot[] = [];
    for (const id of formIds) {
      const order = await fetchForm(ctx, id);
      if (order) orders.push(order);
      else ctx.log.warn({ checkoutFormId: id }, 'allegro order event names a checkout form that does not exist');
    }
    return { orders, checkpoint: from !== undefined ? ({ lastEventId: from } satisfies Checkpoint) : checkpoint ?? null };
  },

  get: (ctx, externalId) => fetchForm(ctx, externalId),
};
