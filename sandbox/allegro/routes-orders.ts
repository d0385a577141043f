import { Hono } from 'hono';
import { errorsResponse, notFound, validationError } from './errors.ts';
import { type ApiEnv, vnd } from './pipeline.ts';
import { renderCheckoutForm } from './render.ts';
import type { AllegroStore, Order } from './store.ts';

/**
 * Orders: the event journal `GET /order/events?from=<id>&type=…&limit=…` (events strictly after `from`, oldest
 * first), `GET /order/event-stats` (the latest event id: the cursor to start from), and checkout forms.
 */

const EVENT_TYPES = [
  'BOUGHT',
  'FILLED_IN',
  'READY_FOR_PROCESSING',
  'BUYER_CANCELLED',
  'FULFILLMENT_STATUS_CHANGED',
  'BUYER_MODIFIED',
  'AUTO_CANCELLED',
];

export function orderRoutes(store: AllegroStore): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/order/events', (c) => {
    const q = c.get('query');
    const types = q.type as string[] | undefined;
    const bad = types?.find((t) => !EVENT_TYPES.includes(t));
    if (bad) return errorsResponse(c, 422, [validationError('type', `unknown event type ${bad}`)]);
    const from = q.from as string | undefined;
    if (from !== undefined && !/^\d+$/.test(from)) {
      return errorsResponse(c, 422, [validationError('from', 'must be an event id')]);
    }
    const limit = (q.limit as number | undefined) ?? 100;
    // Event ids are increasing numbers: "after the cursor" is a numeric comparison, even for ids we never issued.
    const after = from !== undefined ? BigInt(from) : -1n;
    const events = store.orderEvents
      .filter((e) => BigInt(e.id) > after && (!types || types.includes(e.type)))
      .slice(0, limit);
    return vnd(c, { events });
  });

  app.get('/order/event-stats', (c) => {
    const last = store.orderEvents[store.orderEvents.length - 1];
    return vnd(c, last ? { latestEvent: { id: last.id, occurredAt: last.occurredAt } } : {});
  });

  app.get('/order/checkout-forms', (c) => {
    const q = c.get('query');
    let orders = [...store.orders.values()];
    const eq = (key: string, get: (o: Order) => string | undefined) => {
      const want = q[key] as string | undefined;
      if (want !== undefined) orders = orders.filter((o) => get(o) === want);
    };
    eq('status', (o) => o.status);
    eq('fulfillment.status', (o) => o.fulfillmentStatus);
    eq('buyer.login', (o) => o.buyer.login);
    eq('payment.id', (o) => o.paymentId);
    eq('marketplace.id', () => 'allegro-pl');
    const range = (key: string, get: (o: Order) => string, cmp: (a: number, b: number) => boolean) => {
      const bound = q[key] as string | undefined;
      if (bound !== undefined) orders = orders.filter((o) => cmp(Date.parse(get(o)), Date.parse(bound)));
    };
    range('updatedAt.gte', (o) => o.updatedAt, (a, b) => a >= b);
    range('updatedAt.lte', (o) => o.updatedAt, (a, b) => a <= b);
    range('lineItems.boughtAt.gte', (o) => o.lines[0]!.boughtAt, (a, b) => a >= b);
    range('lineItems.boughtAt.lte', (o) => o.lines[0]!.boughtAt, (a, b) => a <= b);
    const sort = (q.sort as string | undefined) ?? '-lineItems.boughtAt';
    const desc = sort.startsWith('-');
    const key = (o: Order) => Date.parse(sort.includes('updatedAt') ? o.updatedAt : o.lines[0]!.boughtAt);
    orders.sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)));
    const offset = (q.offset as number | undefined) ?? 0;
    const limit = (q.limit as number | undefined) ?? 100;
    const page = orders.slice(offset, offset + limit).map(renderCheckoutForm);
    return vnd(c, { checkoutForms: page, count: page.length, totalCount: orders.length });
  });

  app.get('/order/checkout-forms/:id', (c) => {
    const order = store.orders.get(c.req.param('id'));
    if (!order) return errorsResponse(c, 404, [notFound(`Checkout form ${c.req.param('id')}`)]);
    return vnd(c, renderCheckoutForm(order));
  });

  return app;
}
