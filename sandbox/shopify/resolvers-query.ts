import type { GraphQLResolveInfo } from 'graphql';
import { paginate, type ConnectionArgs } from './connection.ts';
import type { Resolver, ShopContext } from './context.ts';
import { matchSearch, parseSearch, type FieldReader, type SearchWarning } from './search-query.ts';
import { gid, parseGid, type InventoryItemRec, type OrderRec, type ProductRec, type VariantRec } from './store.ts';
import type { View } from './views.ts';

/** Root Query fields the simulator implements. Anything else on QueryRoot answers NOT_IMPLEMENTED_BY_SIMULATOR. */

type Q = ConnectionArgs & { query?: string | null; sortKey?: string };

function search<T>(ctx: ShopContext, info: GraphQLResolveInfo, text: string | null | undefined, fields: Record<string, FieldReader<T>>, records: Iterable<T>): T[] {
  const parsed = parseSearch(text);
  const warnings: SearchWarning[] = [];
  const out = [...records].filter((r) => matchSearch(parsed, fields, r, warnings));
  if (text) ctx.searchReports.push({ path: [info.path.key], query: text, warnings });
  return out;
}

const productFields = (ctx: ShopContext): Record<string, FieldReader<ProductRec>> => ({
  default: { kind: 'text', get: (p) => [p.title, ...ctx.store.productVariants(p).map((v) => v.sku)] },
  title: { kind: 'text', get: (p) => p.title },
  handle: { kind: 'text', get: (p) => p.handle, exact: true },
  sku: { kind: 'text', get: (p) => ctx.store.productVariants(p).map((v) => v.sku), exact: true },
  barcode: { kind: 'text', get: (p) => ctx.store.productVariants(p).map((v) => v.barcode), exact: true },
  status: { kind: 'text', get: (p) => p.status, exact: true },
  vendor: { kind: 'text', get: (p) => p.vendor, exact: true },
  product_type: { kind: 'text', get: (p) => p.productType, exact: true },
  tag: { kind: 'text', get: (p) => p.tags, exact: true },
  id: { kind: 'number', get: (p) => p.id },
  updated_at: { kind: 'time', get: (p) => p.updatedAt },
  created_at: { kind: 'time', get: (p) => p.createdAt },
});

const variantFields = (ctx: ShopContext): Record<string, FieldReader<VariantRec>> => ({
  default: { kind: 'text', get: (v) => [v.sku, ctx.store.products.get(v.productId)?.title] },
  sku: { kind: 'text', get: (v) => v.sku, exact: true },
  barcode: { kind: 'text', get: (v) => v.barcode, exact: true },
  title: { kind: 'text', get: (v) => ctx.store.variantTitle(v) },
  product_id: { kind: 'number', get: (v) => v.productId },
  id: { kind: 'number', get: (v) => v.id },
  updated_at: { kind: 'time', get: (v) => v.updatedAt },
  created_at: { kind: 'time', get: (v) => v.createdAt },
});

const itemFields = (ctx: ShopContext): Record<string, FieldReader<InventoryItemRec>> => ({
  default: { kind: 'text', get: (i) => ctx.store.variants.get(i.variantId)?.sku, exact: true },
  sku: { kind: 'text', get: (i) => ctx.store.variants.get(i.variantId)?.sku, exact: true },
  id: { kind: 'number', get: (i) => i.id },
  updated_at: { kind: 'time', get: (i) => i.updatedAt },
  created_at: { kind: 'time', get: (i) => i.createdAt },
});

const orderFields = (): Record<string, FieldReader<OrderRec>> => ({
  default: { kind: 'text', get: (o) => [o.name, o.email] },
  name: { kind: 'text', get: (o) => [o.name, o.name.replace(/^#/, '')], exact: true },
  email: { kind: 'text', get: (o) => o.email, exact: true },
  sku: { kind: 'text', get: (o) => o.lineItems.map((li) => li.sku), exact: true },
  tag: { kind: 'text', get: (o) => o.tags, exact: true },
  status: { kind: 'text', get: (o) => (o.cancelledAt === null ? 'open' : 'cancelled'), exact: true },
  financial_status: { kind: 'text', get: (o) => o.financialStatus.toLowerCase(), exact: true },
  id: { kind: 'number', get: (o) => o.id },
  updated_at: { kind: 'time', get: (o) => o.updatedAt },
  created_at: { kind: 'time', get: (o) => o.createdAt },
  processed_at: { kind: 'time', get: (o) => o.processedAt },
});

function productSortValue(sortKey: string | undefined, p: ProductRec): string | number {
  switch (sortKey) {
    case 'TITLE':
      return p.title.toLowerCase();
    case 'UPDATED_AT':
      return p.updatedAt;
    case 'CREATED_AT':
      return p.createdAt;
    case 'VENDOR':
      return p.vendor.toLowerCase();
    case 'PRODUCT_TYPE':
      return p.productType.toLowerCase();
    default:
      return p.id;
  }
}

function nodeById(ctx: ShopContext, id: unknown): View | null {
  const { store: s, views } = ctx;
  const m = typeof id === 'string' ? id.match(/^gid:\/\/shopify\/(\w+)\/(\d+)/) : null;
  if (!m) return null;
  const n = Number(m[2]);
  switch (m[1]) {
    case 'Product': {
      const p = s.products.get(n);
      return p ? views.product(p) : null;
    }
    case 'ProductVariant': {
      const v = s.variants.get(n);
      return v ? views.variant(v) : null;
    }
    case 'InventoryItem': {
      const i = s.inventoryItems.get(n);
      return i ? views.inventoryItem(i) : null;
    }
    case 'InventoryLevel': {
      const l = s.levels.get(n);
      return l ? views.level(l) : null;
    }
    case 'Location': {
      const l = s.locations.get(n);
      return l ? views.location(l) : null;
    }
    case 'Order': {
      const o = s.orders.get(n);
      return o ? views.order(o) : null;
    }
    default:
      return null;
  }
}

export const queryResolvers: Record<string, Resolver> = {
  shop: (_a, ctx) => ({
    __typename: 'Shop',
    id: gid('Shop', 1),
    name: ctx.shop.name,
    myshopifyDomain: ctx.shop.domain,
    email: ctx.shop.email,
    contactEmail: ctx.shop.email,
    currencyCode: ctx.shop.currency,
    ianaTimezone: 'Etc/UTC',
    timezoneOffset: '+0000',
    timezoneOffsetMinutes: 0,
    taxesIncluded: false,
  }),
  products: (a, ctx, info) => {
    const args = a as Q;
    const found = search(ctx, info, args.query, productFields(ctx), ctx.store.products.values());
    return paginate(found, args, (p) => productSortValue(args.sortKey, p), (p) => ctx.views.product(p));
  },
  product: (a, ctx) => {
    const id = parseGid(a.id, 'Product');
    const p = id === undefined ? undefined : ctx.store.products.get(id);
    return p ? ctx.views.product(p) : null;
  },
  productByIdentifier: (a, ctx) => {
    const ident = a.identifier as { id?: string; handle?: string };
    const id = parseGid(ident.id, 'Product');
    const p = id !== undefined ? ctx.store.products.get(id) : ident.handle ? ctx.store.productByHandle(ident.handle) : undefined;
    return p ? ctx.views.product(p) : null;
  },
  productVariants: (a, ctx, info) => {
    const args = a as Q;
    const found = search(ctx, info, args.query, variantFields(ctx), ctx.store.variants.values());
    const sort = (v: VariantRec) => (args.sortKey === 'SKU' ? (v.sku ?? '') : args.sortKey === 'TITLE' ? ctx.store.variantTitle(v) : v.id);
    return paginate(found, args, sort, (v) => ctx.views.variant(v));
  },
  productVariant: (a, ctx) => {
    const id = parseGid(a.id, 'ProductVariant');
    const v = id === undefined ? undefined : ctx.store.variants.get(id);
    return v ? ctx.views.variant(v) : null;
  },
  inventoryItem: (a, ctx) => {
    const id = parseGid(a.id, 'InventoryItem');
    const i = id === undefined ? undefined : ctx.store.inventoryItems.get(id);
    return i ? ctx.views.inventoryItem(i) : null;
  },
  inventoryItems: (a, ctx, info) => {
    const args = a as Q;
    const found = search(ctx, info, args.query, itemFields(ctx), ctx.store.inventoryItems.values());
    return paginate(found, args, (i) => i.id, (i) => ctx.views.inventoryItem(i));
  },
  inventoryLevel: (a, ctx) => {
    const id = parseGid(a.id, 'InventoryLevel');
    const l = id === undefined ? undefined : ctx.store.levels.get(id);
    return l ? ctx.views.level(l) : null;
  },
  location: (a, ctx) => {
    // Without an id Shopify answers the shop's primary location: here, the first one.
    const id = a.id === undefined || a.id === null ? [...ctx.store.locations.keys()][0] : parseGid(a.id, 'Location');
    const l = id === undefined ? undefined : ctx.store.locations.get(id);
    return l ? ctx.views.location(l) : null;
  },
  locations: (a, ctx, info) => {
    const args = a as Q & { includeInactive?: boolean };
    const all = [...ctx.store.locations.values()].filter((l) => l.isActive || args.includeInactive);
    const found = search(ctx, info, args.query, { default: { kind: 'text', get: (l) => l.name }, name: { kind: 'text', get: (l) => l.name }, id: { kind: 'number', get: (l) => l.id } }, all);
    return paginate(found, args, (l) => (args.sortKey === 'ID' ? l.id : l.name.toLowerCase()), (l) => ctx.views.location(l));
  },
  order: (a, ctx) => {
    const id = parseGid(a.id, 'Order');
    const o = id === undefined ? undefined : ctx.store.orders.get(id);
    return o ? ctx.views.order(o) : null;
  },
  orders: (a, ctx, info) => {
    const args = a as Q;
    const found = search(ctx, info, args.query, orderFields(), ctx.store.orders.values());
    const sort = (o: OrderRec): string | number => {
      switch (args.sortKey) {
        case 'CREATED_AT':
          return o.createdAt;
        case 'UPDATED_AT':
          return o.updatedAt;
        case 'ID':
          return o.id;
        case 'ORDER_NUMBER':
          return o.number;
        default:
          return o.processedAt;
      }
    };
    return paginate(found, args, sort, (o) => ctx.views.order(o));
  },
  node: (a, ctx) => nodeById(ctx, a.id),
  nodes: (a, ctx) => (a.ids as string[]).map((id) => nodeById(ctx, id)),
  productOperation: (a, ctx) => {
    // productSet(synchronous: false) runs at once here; polling its operation answers COMPLETE.
    const m = typeof a.id === 'string' ? a.id.match(/^gid:\/\/shopify\/ProductSetOperation\/(\d+)-(\d+)$/) : null;
    if (!m) return null;
    const p = ctx.store.products.get(Number(m[2]));
    return { __typename: 'ProductSetOperation', id: a.id, status: 'COMPLETE', product: p ? ctx.views.product(p) : null, userErrors: [] };
  },
};

