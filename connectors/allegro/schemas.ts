import { z } from 'zod';

/**
 * The parts of Allegro's answers this connector reads (spec schemas in brackets). Objects are loose: Allegro adds
 * fields over time, and only what is read is checked.
 */

const money = z.looseObject({ amount: z.string(), currency: z.string() });
const external = z.looseObject({ id: z.string() }).nullish();

/** One offer of `GET /sale/offers` [OfferListingDto]. */
export const offerListing = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  category: z.looseObject({ id: z.string() }).nullish(),
  primaryImage: z.looseObject({ url: z.string().nullish() }).nullish(),
  sellingMode: z.looseObject({ price: money.nullish() }).nullish(),
  stock: z.looseObject({ available: z.number().int(), sold: z.number().int().nullish() }).nullish(),
  publication: z.looseObject({ status: z.string(), endedAt: z.string().nullish(), startedAt: z.string().nullish() }).nullish(),
  external,
});
export type OfferListing = z.infer<typeof offerListing>;

export const offerList = z.looseObject({
  offers: z.array(offerListing),
  count: z.number().int().nullish(),
  totalCount: z.number().int().nullish(),
});

/** `GET/PATCH /sale/product-offers/{offerId}` [SaleProductOfferResponseV1]. */
export const productOffer = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  category: z.looseObject({ id: z.string() }).nullish(),
  sellingMode: z.looseObject({ price: money.nullish() }).nullish(),
  stock: z.looseObject({ available: z.number().int() }).nullish(),
  publication: z.looseObject({ status: z.string(), endedBy: z.string().nullish() }).nullish(),
  external,
  images: z.array(z.union([z.string(), z.looseObject({ url: z.string() })])).nullish(),
  updatedAt: z.string().nullish(),
});
export type ProductOffer = z.infer<typeof productOffer>;

/** `GET /sale/<command>/{id}` [GeneralReport]. */
export const generalReport = z.looseObject({
  id: z.string(),
  completedAt: z.string().nullish(),
  taskCount: z.looseObject({ total: z.number().int(), success: z.number().int(), failed: z.number().int() }),
});

const apiError = z.looseObject({
  code: z.string().nullish(),
  message: z.string().nullish(),
  userMessage: z.string().nullish(),
  path: z.string().nullish(),
});

/** `GET /sale/<command>/{id}/tasks` [TaskReport]. */
export const taskReport = z.looseObject({
  tasks: z.array(
    z.looseObject({
      offer: z.looseObject({ id: z.string() }),
      status: z.string(),
      message: z.string().nullish(),
      errors: z.array(apiError).nullish(),
    }),
  ),
});
export type CommandTask = z.infer<typeof taskReport>['tasks'][number];

/** `GET /order/events` [OrderEventsList]. */
export const orderEvents = z.looseObject({
  events: z.array(
    z.looseObject({
      id: z.string().min(1),
      type: z.string(),
      occurredAt: z.string(),
      order: z.looseObject({ checkoutForm: z.looseObject({ id: z.string().min(1) }) }),
    }),
  ),
});

/** `GET /order/checkout-forms/{id}` [CheckoutForm]. */
export const checkoutForm = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  buyer: z.looseObject({
    id: z.string().nullish(),
    login: z.string().nullish(),
    email: z.string().nullish(),
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    phoneNumber: z.string().nullish(),
  }),
  fulfillment: z.looseObject({ status: z.string().nullish() }).nullish(),
  lineItems: z.array(
    z.looseObject({
      id: z.string().min(1),
      offer: z.looseObject({ id: z.string(), name: z.string().nullish(), external }),
      quantity: z.number().int().nonnegative(),
      price: money,
      boughtAt: z.string().nullish(),
    }),
  ),
  summary: z.looseObject({ totalToPay: money.nullish() }).nullish(),
  updatedAt: z.string().nullish(),
});
export type CheckoutForm = z.infer<typeof checkoutForm>;

/** `GET /messaging/threads` [ThreadsList]. */
export const threadList = z.looseObject({
  threads: z.array(
    z.looseObject({
      id: z.string().min(1),
      read: z.boolean().nullish(),
      lastMessageDateTime: z.string().nullish(),
      interlocutor: z.looseObject({ login: z.string().min(1) }).nullish(),
    }),
  ),
});
export type Thread = z.infer<typeof threadList>['threads'][number];

/** One message [Message]. */
export const message = z.looseObject({
  id: z.string().min(1),
  type: z.string().nullish(),
  status: z.string().nullish(),
  createdAt: z.string(),
  author: z.looseObject({ login: z.string().nullish(), isInterlocutor: z.boolean() }),
  text: z.string().nullish(),
  subject: z.string().nullish(),
  relatesTo: z
    .looseObject({
      offer: z.looseObject({ id: z.string() }).nullish(),
      order: z.looseObject({ id: z.string() }).nullish(),
    })
    .nullish(),
  attachments: z
    .array(z.looseObject({ fileName: z.string(), mimeType: z.string().nullish(), url: z.string().nullish(), status: z.string().nullish() }))
    .nullish(),
});
export type Message = z.infer<typeof message>;

export const messageList = z.looseObject({ messages: z.array(message) });
