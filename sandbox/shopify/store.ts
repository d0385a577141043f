import type { FileRec } from './media.ts';
/**
 * The simulated shop's state: plain records keyed by numeric id (Shopify's legacy ids; GraphQL ids are
 * `gid://shopify/<Type>/<id>`). Mutating helpers live here so that resolvers and admin routes change state the
 * same way; webhooks are fired by the callers, which know which topic a change means.
 */
export type QuantityName =
  | 'available'
  | 'committed'
  | 'reserved'
  | 'damaged'
  | 'quality_control'
  | 'safety_stock'
  | 'incoming';

/** Quantity names a level stores; `on_hand` is derived (available + committed + reserved + damaged + QC + safety). */
export const STORED_QUANTITY_NAMES: QuantityName[] = [
  'available',
  'committed',
  'reserved',
  'damaged',
  'quality_control',
  'safety_stock',
  'incoming',
];
export const ALL_QUANTITY_NAMES = [...STORED_QUANTITY_NAMES, 'on_hand'];

export interface LocationRec {
  id: number;
  name: string;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface OptionRec {
  id: number;
  name: string;
  position: number;
  values: Array<{ id: number; name: string }>;
}

export interface ProductRec {
  id: number;
  title: string;
  handle: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';
  tags: string[];
  options: OptionRec[];
  variantIds: number[];
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
}

export interface VariantRec {
  id: number;
  productId: number;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  taxable: boolean;
  /** Option values in the product's option order. */
  optionValues: string[];
  inventoryItemId: number;
  createdAt: number;
  updatedAt: number;
}

export interface InventoryItemRec {
  id: number;
  variantId: number;
  tracked: boolean;
  requiresShipping: boolean;
  cost: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface LevelRec {
  id: number;
  inventoryItemId: number;
  locationId: number;
  quantities: Record<QuantityName, number>;
  createdAt: number;
  updatedAt: number;
}

export interface LineItemRec {
  id: number;
  variantId: number | null;
  productId: number | null;
  sku: string | null;
  title: string;
  variantTitle: string | null;
  vendor: string | null;
  quantity: number;
  price: string;
}

export interface OrderRec {
  id: number;
  number: number;
  name: string;
  email: string | null;
  note: string | null;
  tags: string[];
  currency: string;
  financialStatus: 'PAID' | 'PENDING';
  lineItems: LineItemRec[];
  locationId: number;
  cancelledAt: number | null;
  createdAt: number;
  updatedAt: number;
  processedAt: number;
}

export interface AdjustmentGroupRec {
  id: number;
  reason: string;
  referenceDocumentUri: string | null;
  createdAt: number;
  changes: Array<{ name: string; delta: number; quantityAfterChange: number; inventoryItemId: number; locationId: number; ledgerDocumentUri: string | null }>;
}

export class ShopStore {
  locations = new Map<number, LocationRec>();
  products = new Map<number, ProductRec>();
  variants = new Map<number, VariantRec>();
  inventoryItems = new Map<number, InventoryItemRec>();
  levels = new Map<number, LevelRec>();
  orders = new Map<number, OrderRec>();
  adjustmentGroups = new Map<number, AdjustmentGroupRec>();
  /** Files (media) and, per product, the ids of its files in order (media.ts). */
  files = new Map<number, FileRec>();
  productFiles = new Map<number, number[]>();
  /** Downloads of new files still running (Shopify processes media asynchronously). */
  pendingDownloads = new Set<Promise<void>>();
  private nextId = 1_000_001;
  private nextOrderNumber = 1001;

  constructor(readonly now: () => number) {}

  id(): number {
    return this.nextId++;
  }

  orderNumber(): number {
    return this.nextOrderNumber++;
  }

  clear(): void {
    for (const m of [this.locations, this.products, this.variants, this.inventoryItems, this.levels, this.orders, this.adjustmentGroups]) m.clear();
    this.files.clear();
    this.productFiles.clear();
    this.nextId = 1_000_001;
    this.nextOrderNumber = 1001;
  }

  /** Shopify timestamps have second precision; keeping them so makes `updated_at:>` filters behave like the real ones. */
  stamp(): number {
    return Math.floor(this.now() / 1000) * 1000;
  }

  addLocation(name: string, id = this.id()): LocationRec {
    const t = this.stamp();
    const loc = { id, name, isActive: true, createdAt: t, updatedAt: t };
    this.locations.set(id, loc);
    return loc;
  }

  productVariants(p: ProductRec): VariantRec[] {
    return p.variantIds.map((id) => this.variants.get(id)).filter((v): v is VariantRec => v !== undefined);
  }

  variantBySku(sku: string): VariantRec | undefined {
    for (const v of this.variants.values()) if (v.sku === sku) return v;
    return undefined;
  }

  variantTitle(v: VariantRec): string {
    return v.optionValues.length ? v.optionValues.join(' / ') : 'Default Title';
  }

  /** Creates a variant with its inventory item (and a level at each `stockAt` location). */
  addVariant(p: ProductRec, data: Partial<VariantRec> & { optionValues: string[] }, stockAt: number[], id = this.id()): VariantRec {
    const t = this.stamp();
    const item: InventoryItemRec = { id: this.id(), variantId: id, tracked: true, requiresShipping: true, cost: null, createdAt: t, updatedAt: t };
    const v: VariantRec = {
      id,
      productId: p.id,
      sku: null,
      barcode: null,
      price: '0.00',
      compareAtPrice: null,
      inventoryPolicy: 'DENY',
      taxable: true,
      createdAt: t,
      updatedAt: t,
      ...data,
      inventoryItemId: item.id,
    };
    this.inventoryItems.set(item.id, item);
    this.variants.set(v.id, v);
    p.variantIds.push(v.id);
    for (const locationId of stockAt) this.activate(item.id, locationId);
    return v;
  }

  deleteVariant(v: VariantRec): void {
    const p = this.products.get(v.productId);
    if (p) p.variantIds = p.variantIds.filter((id) => id !== v.id);
    for (const l of [...this.levels.values()]) if (l.inventoryItemId === v.inventoryItemId) this.levels.delete(l.id);
    this.inventoryItems.delete(v.inventoryItemId);
    this.variants.delete(v.id);
  }

  deleteProduct(p: ProductRec): void {
    for (const v of this.productVariants(p)) this.deleteVariant(v);
    this.products.delete(p.id);
    this.productFiles.delete(p.id);
  }

  level(inventoryItemId: number, locationId: number): LevelRec | undefined {
    for (const l of this.levels.values()) if (l.inventoryItemId === inventoryItemId && l.locationId === locationId) return l;
    return undefined;
  }

  itemLevels(inventoryItemId: number): LevelRec[] {
    return [...this.levels.values()].filter((l) => l.inventoryItemId === inventoryItemId);
  }

  /** Stocks an item at a location (Shopify's `inventoryActivate`); idempotent. */
  activate(inventoryItemId: number, locationId: number): LevelRec {
    const existing = this.level(inventoryItemId, locationId);
    if (existing) return existing;
    const t = this.stamp();
    const quantities = Object.fromEntries(STORED_QUANTITY_NAMES.map((n) => [n, 0])) as Record<QuantityName, number>;
    const level: LevelRec = { id: this.id(), inventoryItemId, locationId, quantities, createdAt: t, updatedAt: t };
    this.levels.set(level.id, level);
    return level;
  }

  quantity(level: LevelRec, name: string): number {
    if (name === 'on_hand') {
      const q = level.quantities;
      return q.available + q.committed + q.reserved + q.damaged + q.quality_control + q.safety_stock;
    }
    return level.quantities[name as QuantityName] ?? 0;
  }

  /**
   * Moves a level's named quantity by `delta`. Changing `on_hand` changes `available` by the same amount (Shopify:
   * on_hand is the sum of the states, and new on-hand stock arrives as available).
   */
  adjust(level: LevelRec, name: string, delta: number): void {
    const key: QuantityName = name === 'on_hand' ? 'available' : (name as QuantityName);
    level.quantities[key] += delta;
    level.updatedAt = this.stamp();
    const item = this.inventoryItems.get(level.inventoryItemId);
    if (item) item.updatedAt = level.updatedAt;
  }

  /** Total `available` across locations: ProductVariant.inventoryQuantity. */
  variantAvailable(v: VariantRec): number {
    return this.itemLevels(v.inventoryItemId).reduce((sum, l) => sum + l.quantities.available, 0);
  }

  uniqueHandle(base: string, exceptProductId?: number): string {
    const slug = base.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'product';
    let handle = slug;
    for (let i = 1; this.productByHandle(handle, exceptProductId); i++) handle = `${slug}-${i}`;
    return handle;
  }

  productByHandle(handle: string, exceptProductId?: number): ProductRec | undefined {
    for (const p of this.products.values()) if (p.handle === handle && p.id !== exceptProductId) return p;
    return undefined;
  }
}

export const gid = (type: string, id: number): string => `gid://shopify/${type}/${id}`;

/** `gid://shopify/Product/123` → 123 when the type matches, else undefined. */
export function parseGid(value: unknown, type: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = value.match(/^gid:\/\/shopify\/(\w+)\/(\d+)(?:\?.*)?$/);
  if (!m || m[1] !== type) return undefined;
  return Number(m[2]);
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
