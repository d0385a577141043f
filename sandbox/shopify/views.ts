import { paginate, type ConnectionArgs } from './connection.ts';
import { notImplemented, ShopifyFieldError } from './errors.ts';
import { mediaImageView, productFileRecs } from './media.ts';
import {
  ALL_QUANTITY_NAMES,
  gid,
  iso,
  parseGid,
  type AdjustmentGroupRec,
  type InventoryItemRec,
  type LevelRec,
  type LineItemRec,
  type LocationRec,
  type OrderRec,
  type ProductRec,
  type ShopStore,
  type VariantRec,
} from './store.ts';

/**
 * GraphQL view objects over the store records. Each view holds the fields the simulator implements, as values or
 * as functions of the field arguments (graphql-js calls them); a field a view does not hold is answered with a
 * NOT_IMPLEMENTED_BY_SIMULATOR error by the default resolver, never with a made-up value. `__typename` lets the
 * `Node` interface resolve.
 */
export type View = Record<string, unknown>;

type Args = Record<string, unknown>;

export class Views {
  constructor(
    private readonly store: ShopStore,
    private readonly currency: string,
  ) {}

  money(amount: string) {
    const m = { __typename: 'MoneyV2', amount, currencyCode: this.currency };
    return { __typename: 'MoneyBag', shopMoney: m, presentmentMoney: m };
  }

  count(n: number) {
    return { __typename: 'Count', count: n, precision: 'EXACT' };
  }

  product(p: ProductRec): View {
    const s = this.store;
    const variants = () => s.productVariants(p);
    return {
      __typename: 'Product',
      id: gid('Product', p.id),
      legacyResourceId: String(p.id),
      title: p.title,
      handle: p.handle,
      descriptionHtml: p.descriptionHtml,
      description: p.descriptionHtml.replace(/<[^>]*>/g, ''),
      vendor: p.vendor,
      productType: p.productType,
      status: p.status,
      tags: p.tags,
      createdAt: iso(p.createdAt),
      updatedAt: iso(p.updatedAt),
      publishedAt: p.publishedAt === null ? null : iso(p.publishedAt),
      templateSuffix: null,
      onlineStoreUrl: null,
      isGiftCard: false,
      hasOnlyDefaultVariant: p.options.length === 1 && p.options[0]!.name === 'Title' && variants().length === 1,
      hasOutOfStockVariants: variants().some((v) => s.variantAvailable(v) <= 0),
      tracksInventory: variants().some((v) => s.inventoryItems.get(v.inventoryItemId)?.tracked),
      totalInventory: variants().reduce((n, v) => n + s.variantAvailable(v), 0),
      variantsCount: this.count(variants().length),
      options: (args: Args) =>
        p.options.slice(0, typeof args.first === 'number' ? args.first : undefined).map((o) => ({
          __typename: 'ProductOption',
          id: gid('ProductOption', o.id),
          name: o.name,
          position: o.position,
          values: o.values.map((v) => v.name),
          optionValues: o.values.map((v) => ({
            __typename: 'ProductOptionValue',
            id: gid('ProductOptionValue', v.id),
            name: v.name,
            hasVariants: variants().some((x) => x.optionValues[o.position - 1] === v.name),
          })),
        })),
      media: (args: ConnectionArgs & { sortKey?: string; query?: string | null }) => {
        if (args.query) throw notImplemented('Product.media', 'query');
        if (args.sortKey && args.sortKey !== 'POSITION') throw notImplemented('Product.media', `sortKey ${args.sortKey}`);
        const files = productFileRecs(s, p.id);
        return paginate(files, args, (f) => files.indexOf(f), (f) => mediaImageView(f));
      },
      mediaCount: this.count(productFileRecs(s, p.id).length),
      featuredMedia: (() => {
        const first = productFileRecs(s, p.id)[0];
        return first ? mediaImageView(first) : null;
      })(),
      variants: (args: ConnectionArgs & { sortKey?: string }) =>
        paginate(variants(), args, (v) => (args.sortKey === 'ID' ? v.id : p.variantIds.indexOf(v.id)), (v) => this.variant(v)),
    };
  }

  variant(v: VariantRec): View {
    const s = this.store;
    const p = s.products.get(v.productId)!;
    const title = s.variantTitle(v);
    return {
      __typename: 'ProductVariant',
      id: gid('ProductVariant', v.id),
      legacyResourceId: String(v.id),
      title,
      displayName: `${p.title} - ${title}`,
      sku: v.sku,
      barcode: v.barcode,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      position: p.variantIds.indexOf(v.id) + 1,
      inventoryPolicy: v.inventoryPolicy,
      inventoryQuantity: s.variantAvailable(v),
      availableForSale: p.status === 'ACTIVE' && (v.inventoryPolicy === 'CONTINUE' || s.variantAvailable(v) > 0),
      taxable: v.taxable,
      createdAt: iso(v.createdAt),
      updatedAt: iso(v.updatedAt),
      product: () => this.product(p),
      inventoryItem: () => this.inventoryItem(s.inventoryItems.get(v.inventoryItemId)!),
      selectedOptions: p.options.map((o, i) => ({
        __typename: 'SelectedOption',
        name: o.name,
        value: v.optionValues[i] ?? '',
        optionValue: () => {
          const val = o.values.find((x) => x.name === v.optionValues[i]);
          return { __typename: 'ProductOptionValue', id: gid('ProductOptionValue', val?.id ?? 0), name: v.optionValues[i] ?? '', hasVariants: true };
        },
      })),
    };
  }

  inventoryItem(item: InventoryItemRec): View {
    const s = this.store;
    const v = s.variants.get(item.variantId);
    const levels = () => s.itemLevels(item.id);
    return {
      __typename: 'InventoryItem',
      id: gid('InventoryItem', item.id),
      legacyResourceId: String(item.id),
      sku: v?.sku ?? null,
      tracked: item.tracked,
      requiresShipping: item.requiresShipping,
      unitCost: item.cost === null ? null : { __typename: 'MoneyV2', amount: item.cost, currencyCode: this.currency },
      createdAt: iso(item.createdAt),
      updatedAt: iso(item.updatedAt),
      duplicateSkuCount: v?.sku ? [...s.variants.values()].filter((x) => x.sku === v.sku && x.id !== v.id).length : 0,
      locationsCount: this.count(levels().length),
      variant: () => (v ? this.variant(v) : null),
      inventoryLevel: (args: Args) => {
        const locationId = parseGid(args.locationId, 'Location');
        const level = locationId === undefined ? undefined : s.level(item.id, locationId);
        return level ? this.level(level) : null;
      },
      inventoryLevels: (args: ConnectionArgs) => paginate(levels(), args, (l) => l.id, (l) => this.level(l)),
    };
  }

  level(level: LevelRec): View {
    const s = this.store;
    return {
      __typename: 'InventoryLevel',
      id: `gid://shopify/InventoryLevel/${level.id}?inventory_item_id=${level.inventoryItemId}`,
      isActive: true,
      canDeactivate: true,
      deactivationAlert: null,
      createdAt: iso(level.createdAt),
      updatedAt: iso(level.updatedAt),
      item: () => this.inventoryItem(s.inventoryItems.get(level.inventoryItemId)!),
      location: () => this.location(s.locations.get(level.locationId)!),
      quantities: (args: Args) => {
        const names = (args.names as string[]) ?? [];
        const bad = names.find((n) => !ALL_QUANTITY_NAMES.includes(n));
        if (bad !== undefined) {
          throw new ShopifyFieldError(`The quantity name '${bad}' is not valid. Valid names: ${ALL_QUANTITY_NAMES.join(', ')}.`, { code: 'BAD_REQUEST' });
        }
        return names.map((name) => ({
          __typename: 'InventoryQuantity',
          id: `gid://shopify/InventoryQuantity/${level.id}?inventory_item_id=${level.inventoryItemId}&name=${name}`,
          name,
          quantity: s.quantity(level, name),
          updatedAt: iso(level.updatedAt),
        }));
      },
    };
  }

  location(loc: LocationRec): View {
    const s = this.store;
    const levels = () => [...s.levels.values()].filter((l) => l.locationId === loc.id);
    return {
      __typename: 'Location',
      id: gid('Location', loc.id),
      legacyResourceId: String(loc.id),
      name: loc.name,
      isActive: loc.isActive,
      activatable: !loc.isActive,
      deactivatable: loc.isActive,
      deletable: !loc.isActive,
      fulfillsOnlineOrders: true,
      shipsInventory: true,
      hasActiveInventory: levels().length > 0,
      isFulfillmentService: false,
      deactivatedAt: null,
      createdAt: iso(loc.createdAt),
      updatedAt: iso(loc.updatedAt),
      inventoryLevel: (args: Args) => {
        const itemId = parseGid(args.inventoryItemId, 'InventoryItem');
        const level = itemId === undefined ? undefined : s.level(itemId, loc.id);
        return level ? this.level(level) : null;
      },
      inventoryLevels: (args: ConnectionArgs) => paginate(levels(), args, (l) => l.id, (l) => this.level(l)),
    };
  }

  order(o: OrderRec): View {
    const total = o.lineItems.reduce((n, li) => n + Number(li.price) * li.quantity, 0).toFixed(2);
    const quantity = o.lineItems.reduce((n, li) => n + li.quantity, 0);
    return {
      __typename: 'Order',
      id: gid('Order', o.id),
      legacyResourceId: String(o.id),
      name: o.name,
      number: o.number,
      email: o.email,
      note: o.note,
      tags: o.tags,
      test: false,
      closed: false,
      closedAt: null,
      confirmed: true,
      cancelledAt: o.cancelledAt === null ? null : iso(o.cancelledAt),
      cancelReason: o.cancelledAt === null ? null : 'OTHER',
      createdAt: iso(o.createdAt),
      updatedAt: iso(o.updatedAt),
      processedAt: iso(o.processedAt),
      currencyCode: o.currency,
      presentmentCurrencyCode: o.currency,
      displayFinancialStatus: o.financialStatus,
      displayFulfillmentStatus: 'UNFULFILLED',
      sourceName: 'web',
      subtotalLineItemsQuantity: quantity,
      currentSubtotalLineItemsQuantity: o.cancelledAt === null ? quantity : 0,
      totalPriceSet: this.money(total),
      subtotalPriceSet: this.money(total),
      currentTotalPriceSet: this.money(o.cancelledAt === null ? total : '0.00'),
      retailLocation: null,
      customer: null,
      lineItems: (args: ConnectionArgs) => paginate(o.lineItems, args, (li) => li.id, (li) => this.lineItem(li, o)),
    };
  }

  lineItem(li: LineItemRec, o: OrderRec): View {
    const s = this.store;
    const current = o.cancelledAt === null ? li.quantity : 0;
    return {
      __typename: 'LineItem',
      id: gid('LineItem', li.id),
      name: li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title,
      title: li.title,
      variantTitle: li.variantTitle,
      vendor: li.vendor,
      sku: li.sku,
      quantity: li.quantity,
      currentQuantity: current,
      unfulfilledQuantity: current,
      refundableQuantity: current,
      requiresShipping: true,
      taxable: true,
      isGiftCard: false,
      originalUnitPriceSet: this.money(li.price),
      discountedUnitPriceSet: this.money(li.price),
      originalTotalSet: this.money((Number(li.price) * li.quantity).toFixed(2)),
      variant: () => {
        const v = li.variantId === null ? undefined : s.variants.get(li.variantId);
        return v ? this.variant(v) : null;
      },
      product: () => {
        const p = li.productId === null ? undefined : s.products.get(li.productId);
        return p ? this.product(p) : null;
      },
    };
  }

  adjustmentGroup(g: AdjustmentGroupRec): View {
    const s = this.store;
    return {
      __typename: 'InventoryAdjustmentGroup',
      id: gid('InventoryAdjustmentGroup', g.id),
      createdAt: iso(g.createdAt),
      reason: g.reason,
      referenceDocumentUri: g.referenceDocumentUri,
      app: null,
      staffMember: null,
      changes: (args: Args) => {
        const items = (args.inventoryItemIds as string[] | undefined)?.map((x) => parseGid(x, 'InventoryItem'));
        const locs = (args.locationIds as string[] | undefined)?.map((x) => parseGid(x, 'Location'));
        const names = args.quantityNames as string[] | undefined;
        return g.changes
          .filter((c) => (!items || items.includes(c.inventoryItemId)) && (!locs || locs.includes(c.locationId)) && (!names || names.includes(c.name)))
          .map((c) => ({
            __typename: 'InventoryChange',
            name: c.name,
            delta: c.delta,
            quantityAfterChange: c.quantityAfterChange,
            ledgerDocumentUri: c.ledgerDocumentUri,
            item: () => {
              const item = s.inventoryItems.get(c.inventoryItemId);
              return item ? this.inventoryItem(item) : null;
            },
            location: () => {
              const loc = s.locations.get(c.locationId);
              return loc ? this.location(loc) : null;
            },
          }));
      },
    };
  }
}
