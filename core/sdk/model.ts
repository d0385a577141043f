import { z } from 'zod';
import { FIELD_GROUPS } from '../../mappings/ownership.ts';

/**
 * What connectors exchange with the engine: channel state mapped to the canonical shape (snapshots, inbound) and
 * the state a channel should show (desired, outbound). Everything is keyed by the merchant's SKU at variant level,
 * with EAN/GTIN as the secondary match key. Money is a decimal string, never a float.
 */

export { FIELD_GROUPS };
export type { FieldGroup } from '../../mappings/ownership.ts';

/** A decimal amount as text: "19.99", "-5", "0.0100". */
export const decimal = z.string().regex(/^-?\d{1,12}(\.\d{1,6})?$/, { message: 'must be a decimal number as text, e.g. "19.99"' });
export const currency = z.string().regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code' });

/** Text per locale: `{ "pl": "Koszulka", "en": "T-shirt" }`. */
export const localizedText = z.record(z.string().min(2), z.string());
export type LocalizedText = z.infer<typeof localizedText>;

export const imageRef = z.object({
  url: z.string().min(1),
  /** SHA-256 of the image bytes when known: an unchanged image is never uploaded again. */
  sha256: z.string().optional(),
  /** The channel's own id for this image, when it has one. */
  externalId: z.string().optional(),
  position: z.number().int().nonnegative().optional(),
});
export type ImageRef = z.infer<typeof imageRef>;

export const entityStatus = z.enum(['active', 'draft', 'archived']);

/** A price as a channel shows it. */
export const channelPrice = z.object({
  /** Tax-inclusive amount, when the channel shows one. */
  gross: decimal.optional(),
  /** Tax-exclusive amount, when the channel shows one. */
  net: decimal.optional(),
  currency,
  /** The regular price shown struck through next to a sale price, if any. */
  compareAt: decimal.nullable().optional(),
});

/** One variant (the sellable unit, keyed by SKU) as a channel shows it. */
export const variantSnapshot = z.object({
  externalId: z.string().min(1),
  sku: z.string().nullable(),
  ean: z.string().nullable().optional(),
  title: localizedText.optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  price: channelPrice.optional(),
  /** Quantity the channel offers for sale; `byLocation` when the channel keeps stock per location. */
  stock: z.object({ available: z.number().int(), byLocation: z.record(z.string(), z.number().int()).optional() }).optional(),
  status: entityStatus.optional(),
  images: z.array(imageRef).optional(),
});
export type VariantSnapshot = z.infer<typeof variantSnapshot>;

/** A product with its variants as a channel shows it: what `catalog.read` returns. */
export const productSnapshot = z.object({
  externalId: z.string().min(1),
  title: localizedText.optional(),
  description: localizedText.optional(),
  brand: z.string().nullable().optional(),
  category: z.string().nullable().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  images: z.array(imageRef).optional(),
  status: entityStatus.optional(),
  /** At least one variant: a product without options is one variant. */
  variants: z.array(variantSnapshot).min(1),
  /** The channel's last-modified time, when it has one (ISO 8601). */
  updatedAt: z.string().optional(),
});
export type ProductSnapshot = z.infer<typeof productSnapshot>;

/** The price a channel should show, after the connection's price rules. */
export interface DesiredPrice {
  /** Tax-inclusive amount in `currency`. */
  gross: string;
  /** Tax-exclusive amount in `currency`. */
  net: string;
  /** 0.23 for 23 %. */
  taxRate: string;
  currency: string;
  /** Regular price to show struck through while a promotion runs; null when none. */
  compareAt: string | null;
}

export interface DesiredVariant {
  sku: string;
  ean: string | null;
  /** The channel's id for this variant when it is already linked. */
  externalId: string | undefined;
  title: LocalizedText;
  attributes: Record<string, string>;
  price: DesiredPrice | undefined;
  /** Quantity to offer, already through the connection's stock policy (buffer, percentage, cap…). */
  stock: number | undefined;
  status: z.infer<typeof entityStatus>;
  images: ImageRef[];
}

/** The state a channel should show for one product. Only the groups in `groups` are to be written. */
export interface DesiredProduct {
  /** The hub's id, stable across channels. */
  internalId: string;
  /** The channel's id when already linked. */
  externalId: string | undefined;
  groups: ReadonlyArray<z.infer<typeof fieldGroup>>;
  title: LocalizedText;
  description: LocalizedText;
  brand: string | null;
  category: string | null;
  attributes: Record<string, string>;
  images: ImageRef[];
  /**
   * The images the hub itself put on this channel for this product (from the binding: content hash and channel id).
   * Upload only images whose hash is not here; delete only images listed here that are no longer desired.
   */
  channelImages?: ImageRef[];
  status: z.infer<typeof entityStatus>;
  variants: DesiredVariant[];
}
export const fieldGroup = z.enum(FIELD_GROUPS);

/** An order as a channel reports it: what drives the stock ledger and gives inquiries context. */
export const orderSnapshot = z.object({
  externalId: z.string().min(1),
  number: z.string().optional(),
  /**
   * `pending`: placed but not final (e.g. Allegro before READY_FOR_PROCESSING) — no stock moves yet.
   * `open`/`paid`/`fulfilled`: final; each line moves stock once. `cancelled`/`refunded`: compensating entries.
   */
  status: z.enum(['pending', 'open', 'paid', 'fulfilled', 'cancelled', 'refunded']),
  currency: currency.optional(),
  total: decimal.optional(),
  placedAt: z.string().optional(),
  updatedAt: z.string().optional(),
  customer: z
    .object({
      externalId: z.string().optional(),
      name: z.string().optional(),
      email: z.string().optional(),
      phone: z.string().optional(),
    })
    .optional(),
  lines: z.array(
    z.object({
      externalId: z.string().min(1),
      sku: z.string().nullable(),
      ean: z.string().nullable().optional(),
      /** The channel's variant id, used to resolve the SKU through bindings when the line carries none. */
      variantExternalId: z.string().optional(),
      title: z.string().optional(),
      quantity: z.number().int().nonnegative(),
      /** Units of this line refunded or returned so far (restocked). */
      refundedQuantity: z.number().int().nonnegative().optional(),
      unitPrice: decimal.optional(),
    }),
  ),
});
export type OrderSnapshot = z.infer<typeof orderSnapshot>;

export const attachment = z.object({
  kind: z.enum(['image', 'video', 'audio', 'file', 'location', 'contact', 'other']),
  url: z.string().optional(),
  name: z.string().optional(),
  mimeType: z.string().optional(),
  /** Anything else the channel sent (a location's coordinates, a shared contact). */
  data: z.record(z.string(), z.unknown()).optional(),
});

export const messageSnapshot = z.object({
  externalId: z.string().min(1),
  direction: z.enum(['in', 'out']),
  /** Plain text. Unknown message types are kept with `type` set and a description here, never dropped. */
  text: z.string(),
  type: z.string().default('text'),
  attachments: z.array(attachment).default([]),
  sentAt: z.string(),
  author: z.string().optional(),
  /** For our own messages coming back (echoes): the delivery state the channel reports. */
  deliveryStatus: z.enum(['sent', 'delivered', 'read', 'failed']).optional(),
  failureReason: z.string().optional(),
  /** Set when the message was sent by the hub itself and comes back as an echo. */
  isEcho: z.boolean().optional(),
});
export type MessageSnapshot = z.infer<typeof messageSnapshot>;

/** A customer conversation with the messages the channel delivered or listed. */
export const conversationSnapshot = z.object({
  externalThreadId: z.string().min(1),
  subject: z.string().optional(),
  customer: z.object({
    /** The channel's stable id for the person (WhatsApp business-scoped user id, Messenger PSID, Allegro login…). */
    externalId: z.string().min(1),
    name: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    /** True when the channel vouches for the e-mail/phone (used to link identities across channels). */
    verified: z.boolean().optional(),
  }),
  orderExternalId: z.string().optional(),
  productExternalId: z.string().optional(),
  messages: z.array(messageSnapshot),
});
export type ConversationSnapshot = z.infer<typeof conversationSnapshot>;

/** A message an agent sends from the inbox. */
export interface OutgoingMessage {
  conversation: { externalThreadId: string; customerExternalId: string; lastCustomerMessageAt: Date | undefined };
  /** The hub's id; channels that accept a client reference get it, so a retried send is not sent twice. */
  messageId: string;
  text: string;
  attachments: Array<{ url: string; name?: string; mimeType?: string }>;
  /** A pre-approved template (WhatsApp) with its parameters, when sending outside the free-form window. */
  template?: { name: string; language: string; parameters: string[] };
  /** A channel tag allowed for late replies (Messenger HUMAN_AGENT). */
  tag?: string;
}

/**
 * "Entity X may have changed on this channel": what webhooks and polls produce. The engine re-reads the current
 * state (level-triggered), so a hint carries no state, except for messages and delivery receipts, which channels
 * deliver once and never let us read back.
 *
 * A stock hint may say what quantity the channel reported with the event (`observed`). It is never applied: it
 * only lets the engine recognise the hub's own write coming back (the channel shows exactly what the hub last wrote
 * or saw on that variant) and skip reading the product again.
 */
export type Hint =
  | { kind: 'product'; externalId: string; deleted?: boolean }
  | { kind: 'variant'; externalId: string; productExternalId?: string }
  | { kind: 'stock'; externalId: string; productExternalId?: string; observed?: number }
  | { kind: 'order'; externalId: string }
  | { kind: 'conversation'; externalThreadId: string; snapshot?: ConversationSnapshot }
  | { kind: 'delivery'; messageExternalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; reason?: string; at?: string };
