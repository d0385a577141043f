import type { ConnectorContext } from './context.ts';
import type { FailureKind } from './errors.ts';
import type {
  ConversationSnapshot,
  DesiredPrice,
  DesiredProduct,
  ImageRef,
  MessageSnapshot,
  OrderSnapshot,
  OutgoingMessage,
  ProductSnapshot,
} from './model.ts';

/**
 * Capabilities a connector offers. Each is optional; the engine only calls what is declared, and `plan` shows
 * "not supported" for the rest. Every method receives the connection's context first.
 *
 * Thrown errors: a method that throws fails the whole call; the engine classifies the error (see errors.ts) and
 * retries, pauses the connection (auth) or parks the job (business). For batch writes, return a per-item
 * {@link ItemResult} instead of throwing when only some items failed, so the others are not retried.
 */

/** The outcome of one item of a batch write, in input order. */
export type ItemResult =
  | {
      ok: true;
      externalId: string;
      /** channel ids of variants, by SKU, when the write created them */
      variantIds?: Record<string, string>;
      /** After a write of the `media` group: the images the hub now has on the channel (content hash, channel id), kept in the binding and handed back as `channelImages`. */
      images?: ImageRef[];
    }
  | { ok: false; kind: FailureKind; message: string; retryAfterMs?: number };

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; undefined on the last page. */
  next?: string;
}

export interface CatalogRead<C> {
  /**
   * Pages through every product on the channel. Called by sweeps and by initial linking (auto-match by SKU/EAN).
   * Must be a stable walk: the engine never treats absence from a listing as deletion.
   */
  list(ctx: ConnectorContext<C>, cursor: string | undefined): Promise<Page<ProductSnapshot>>;
  /**
   * The current state of one product. Called to hydrate a hint and to confirm a deletion.
   * Return null only when the channel confirms the product does not exist (404); throw on any other failure.
   */
  get(ctx: ConnectorContext<C>, externalId: string): Promise<ProductSnapshot | null>;
  /**
   * Optional: the current state of several products in fewer calls than one `get` each. Called when an inbound batch
   * hints at more than one product (up to 50 ids at a time). Answer one entry per id, in order: the snapshot, or null
   * where the channel confirms the product does not exist; throw on any other failure (the engine then reads them
   * one by one with `get`).
   * @example PrestaShop: `products?filter[id]=[4|9|12]`, then their combinations and stock in one request each.
   */
  getMany?(ctx: ConnectorContext<C>, externalIds: string[]): Promise<Array<ProductSnapshot | null>>;
}

export interface CatalogWrite<C> {
  /** Largest batch `upsert` accepts; the engine never sends more. */
  maxBatch: number;
  /**
   * Creates or updates products so the channel shows the desired state. Called by the outbound worker only for
   * products whose desired state differs from what was last pushed. Write only the groups in `item.groups`.
   * Return one result per item, in order; a created product returns its new id and its variants' ids.
   */
  upsert(ctx: ConnectorContext<C>, items: DesiredProduct[]): Promise<ItemResult[]>;
}

export interface PriceUpdate {
  sku: string;
  /** The channel's variant id (linked). */
  externalId: string;
  productExternalId: string | undefined;
  price: DesiredPrice;
}

export interface PricesWrite<C> {
  maxBatch: number;
  /** Sets prices (and compare-at) of linked variants. Called when the desired price differs from the last pushed. */
  set(ctx: ConnectorContext<C>, items: PriceUpdate[]): Promise<ItemResult[]>;
}

export interface StockUpdate {
  sku: string;
  externalId: string;
  productExternalId: string | undefined;
  /** Quantity to offer, already through the connection's stock policy; never negative. */
  available: number;
  /**
   * The quantity the hub last saw or pushed on the channel, for compare-and-set where the channel offers it
   * (Shopify `changeFromQuantity`). A mismatch means someone else changed it: throw a RetryableError so the engine
   * re-reads and recomputes.
   */
  expected: number | undefined;
}

export interface StockRead<C> {
  /** Current sellable quantity of linked variants. Called by sweeps and to hydrate stock hints. */
  get(ctx: ConnectorContext<C>, items: Array<{ sku: string; externalId: string; productExternalId?: string }>): Promise<Array<{ externalId: string; available: number | null }>>;
  /**
   * For channels whose stock events name another object than the variant (Shopify's inventory_levels/update names
   * an inventory item): the variant and product each id belongs to, null when the channel does not know it.
   * Called when a `stock` hint names an id the hub has no binding for; without it such a hint is dropped.
   *
   * @example
   * // hint { kind: 'stock', externalId: 'gid://shopify/InventoryItem/7' }
   * resolve(ctx, ['gid://shopify/InventoryItem/7'])
   * // → [{ variantExternalId: 'gid://shopify/ProductVariant/5', productExternalId: 'gid://shopify/Product/3' }]
   */
  resolve?(ctx: ConnectorContext<C>, externalIds: string[]): Promise<Array<{ variantExternalId: string; productExternalId: string } | null>>;
}

export interface StockWrite<C> {
  maxBatch: number;
  /** Sets absolute quantities (never deltas), so retries and reordering are harmless. */
  set(ctx: ConnectorContext<C>, items: StockUpdate[]): Promise<ItemResult[]>;
}

export interface PromotionUpdate {
  sku: string;
  externalId: string;
  productExternalId: string | undefined;
  /** The promotional price and the regular one, after price rules. */
  price: DesiredPrice;
  regular: DesiredPrice;
  startsAt: Date;
  endsAt: Date;
  promotionKey: string;
}

export interface PromotionsWrite<C> {
  maxBatch: number;
  /** How this channel represents a promotion, for `plan` ("specific_price from/to", "not supported: would need X"). */
  describe(): { native: string; scheduledByChannel: boolean; limitations?: string };
  /** Applies (or, with an empty window, removes) promotional prices. */
  apply(ctx: ConnectorContext<C>, items: PromotionUpdate[]): Promise<ItemResult[]>;
}

export interface OrdersRead<C> {
  /**
   * Orders created or changed since `checkpoint` (undefined on the first run). Called by the poll schedule.
   * Capture the new watermark before reading and overlap the previous one: duplicates are harmless (the ledger
   * is idempotent), gaps are not. Return the checkpoint to resume from.
   */
  changes(ctx: ConnectorContext<C>, checkpoint: unknown): Promise<{ orders: OrderSnapshot[]; checkpoint: unknown }>;
  /** One order's current state, to hydrate an order hint. Null when the channel confirms it does not exist. */
  get(ctx: ConnectorContext<C>, externalId: string): Promise<OrderSnapshot | null>;
}

export interface OrdersWrite<C> {
  /**
   * Records an order from another channel (an ERP's sale order). Must be idempotent on `order.reference`
   * (look it up on the channel before creating), because a worker can die between the create and our binding.
   */
  record(ctx: ConnectorContext<C>, order: OrderSnapshot & { reference: string; channel: string }): Promise<{ externalId: string }>;
}

export interface InquiriesRead<C> {
  /** Conversations with new messages since `checkpoint`, for channels without message webhooks. */
  changes(ctx: ConnectorContext<C>, checkpoint: unknown): Promise<{ conversations: ConversationSnapshot[]; checkpoint: unknown }>;
}

export interface SendPolicy {
  allowed: boolean;
  /** Why not, in words an agent understands ("the customer last wrote 26 hours ago; WhatsApp allows only templates"). */
  reason?: string;
  /** What the agent may do instead. */
  options?: Array<{ kind: 'template' | 'tag'; name: string; language?: string; parameters?: number }>;
}

export interface InquiriesSend<C> {
  /** Whether a reply can be sent now, and why not. Called by the inbox before showing the composer and before sending. */
  policy(ctx: ConnectorContext<C>, conversation: OutgoingMessage['conversation'], now: Date): Promise<SendPolicy>;
  /**
   * Sends a reply. Return the channel's message id. Throw BusinessError with the channel's reason when it refuses
   * (window closed meanwhile), so the message shows as failed with that reason and can be retried.
   */
  send(ctx: ConnectorContext<C>, message: OutgoingMessage): Promise<{ externalId: string; status: NonNullable<MessageSnapshot['deliveryStatus']> }>;
}

export interface Capabilities<C> {
  catalog?: { read?: CatalogRead<C>; write?: CatalogWrite<C> };
  prices?: { write: PricesWrite<C> };
  promotions?: { write: PromotionsWrite<C> };
  stock?: { read?: StockRead<C>; write?: StockWrite<C> };
  orders?: { read?: OrdersRead<C>; write?: OrdersWrite<C> };
  inquiries?: { read?: InquiriesRead<C>; send?: InquiriesSend<C> };
}
