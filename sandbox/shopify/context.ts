import type { GraphQLResolveInfo } from 'graphql';
import type { SearchWarning } from './search-query.ts';
import type { ShopStore, LevelRec, ProductRec, OrderRec } from './store.ts';
import type { Views } from './views.ts';
import type { ShopWebhooks } from './webhook-delivery.ts';
import { inventoryLevelPayload, orderPayload, productDeletePayload, productPayload } from './webhook-payloads.ts';
import type { UserError } from './errors.ts';

/** What every resolver gets: the shop, its views, webhook firing and per-request search warnings. */
export interface ShopContext {
  store: ShopStore;
  views: Views;
  events: ShopEvents;
  idempotency: IdempotencyCache;
  shop: { name: string; domain: string; currency: string; email: string };
  /** Filled by search-backed connections; reported in `extensions.search` like Shopify does. */
  searchReports: Array<{ path: Array<string | number>; query: string; warnings: SearchWarning[] }>;
}

export type Resolver = (args: Record<string, unknown>, ctx: ShopContext, info: GraphQLResolveInfo) => unknown;

/** Results of idempotent mutations by key: a retry with the same key and input replays the first answer. */
export type IdempotencyCache = Map<string, { fingerprint: string; groupId: number | null; userErrors: UserError[] }>;

/** Fires the webhook each kind of state change means. */
export class ShopEvents {
  constructor(
    private readonly store: ShopStore,
    private readonly hooks: ShopWebhooks,
  ) {}

  productCreated(p: ProductRec): void {
    this.hooks.fire('products/create', productPayload(this.store, p));
  }

  productUpdated(p: ProductRec): void {
    this.hooks.fire('products/update', productPayload(this.store, p));
  }

  productDeleted(productId: number): void {
    this.hooks.fire('products/delete', productDeletePayload(productId));
  }

  levelUpdated(level: LevelRec): void {
    this.hooks.fire('inventory_levels/update', inventoryLevelPayload(level));
  }

  orderCreated(o: OrderRec): void {
    this.hooks.fire('orders/create', orderPayload(this.store, o));
  }

  orderUpdated(o: OrderRec): void {
    this.hooks.fire('orders/updated', orderPayload(this.store, o));
  }
}

/** Snapshot of every level's `available`, to fire `inventory_levels/update` only for levels a change moved. */
export function availableSnapshot(store: ShopStore): Map<number, number> {
  return new Map([...store.levels.values()].map((l) => [l.id, l.quantities.available]));
}

export function fireMovedLevels(ctx: ShopContext, before: Map<number, number>): void {
  for (const l of ctx.store.levels.values()) {
    if (before.get(l.id) !== l.quantities.available) ctx.events.levelUpdated(l);
  }
}
