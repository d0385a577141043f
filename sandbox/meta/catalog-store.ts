import { randomBytes } from 'node:crypto';
import { checkItemRequest, parseEffectiveDate, parsePrice, type BatchMethod } from './catalog-validate.ts';
import type { SeedProduct } from './seed.ts';
import type { UsageWindow } from './usage-window.ts';

/**
 * Catalogues, their items and their `items_batch` jobs. Batches are asynchronous like the real ones: a batch is
 * `in_progress` until the simulator's clock passes its ready time, and only then are its valid items applied.
 * Processing is driven by reads (status polls, product listings), so tests move the clock instead of sleeping.
 */
export interface CatalogItem {
  /** Meta's own product id (what Graph returns as `id`). */
  fbId: string;
  retailerId: string;
  fields: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface BatchError {
  line: number;
  id?: string;
  message: string;
}

export interface Batch {
  handle: string;
  catalogId: string;
  createdAt: number;
  readyAt: number;
  status: 'in_progress' | 'finished';
  ops: Array<{ line: number; method: BatchMethod; retailerId: string; data: Record<string, unknown> }>;
  errors: BatchError[];
  warnings: BatchError[];
  invalidIds: string[];
}

export interface Catalog {
  id: string;
  name: string;
  items: Map<string, CatalogItem>;
  batches: Map<string, Batch>;
}

export class CatalogStore {
  readonly catalogs = new Map<string, Catalog>();
  /** Catalog Batch business-use-case call windows, per catalogue. */
  readonly batchUsage = new Map<string, UsageWindow>();
  private nextFbId = 7_000_000_000_000_000;

  constructor(
    private readonly now: () => number,
    private readonly processingMs: () => number,
  ) {}

  reset(): void {
    this.catalogs.clear();
    this.batchUsage.clear();
  }

  upsertCatalog(id: string, name: string): Catalog {
    const existing = this.catalogs.get(id);
    if (existing) {
      existing.name = name;
      return existing;
    }
    const cat: Catalog = { id, name, items: new Map(), batches: new Map() };
    this.catalogs.set(id, cat);
    return cat;
  }

  seedProduct(cat: Catalog, p: SeedProduct): void {
    const { id, ...fields } = p;
    this.apply(cat, 'UPDATE', id, fields);
  }

  /** Validates every request now (so the response can carry `validation_status`) and queues the batch. */
  submit(cat: Catalog, requests: unknown[], allowUpsert: boolean): Batch {
    const t = this.now();
    const batch: Batch = {
      handle: randomBytes(18).toString('base64url'),
      catalogId: cat.id,
      createdAt: t,
      readyAt: t + this.processingMs(),
      status: 'in_progress',
      ops: [],
      errors: [],
      warnings: [],
      invalidIds: [],
    };
    // Items written earlier in the same batch count as existing (with their new fields) for later lines.
    const pending = new Map<string, Record<string, unknown> | null>();
    const existing = (id: string) => {
      const p = pending.get(id);
      if (p === null) return undefined;
      return p ?? cat.items.get(id)?.fields;
    };
    requests.forEach((req, line) => {
      const check = checkItemRequest(req, existing, allowUpsert);
      const id = check.retailerId;
      for (const w of check.warnings) batch.warnings.push({ line, ...(id ? { id } : {}), message: w });
      if (check.errors.length > 0 || !check.method || !id) {
        for (const e of check.errors) batch.errors.push({ line, ...(id ? { id } : {}), message: e });
        if (id) batch.invalidIds.push(id);
        return;
      }
      if (check.method === 'DELETE') pending.set(id, null);
      else pending.set(id, { ...(existing(id) ?? {}), ...check.data });
      batch.ops.push({ line, method: check.method, retailerId: id, data: check.data });
    });
    cat.batches.set(batch.handle, batch);
    return batch;
  }

  /** Applies every batch whose processing time has come. */
  processDue(cat: Catalog): void {
    const t = this.now();
    const due = [...cat.batches.values()].filter((b) => b.status === 'in_progress' && b.readyAt <= t);
    due.sort((a, b) => a.createdAt - b.createdAt);
    for (const b of due) {
      for (const op of b.ops) {
        const { id: _id, ...fields } = op.data;
        this.apply(cat, op.method, op.retailerId, fields);
      }
      b.status = 'finished';
    }
  }

  private apply(cat: Catalog, method: BatchMethod, retailerId: string, fields: Record<string, unknown>): void {
    const t = this.now();
    if (method === 'DELETE') {
      cat.items.delete(retailerId);
      return;
    }
    const existing = cat.items.get(retailerId);
    const merged: Record<string, unknown> = { ...(existing?.fields ?? {}), ...fields };
    // Empty strings clear the sale (docs §2); store the absence, not the empty string.
    for (const f of ['sale_price', 'sale_price_effective_date']) if (merged[f] === '') delete merged[f];
    if (typeof merged.quantity_to_sell_on_facebook === 'string') {
      merged.quantity_to_sell_on_facebook = Number(merged.quantity_to_sell_on_facebook);
    }
    if (existing) {
      existing.fields = merged;
      existing.updatedAt = t;
    } else {
      cat.items.set(retailerId, { fbId: String(this.nextFbId++), retailerId, fields: merged, createdAt: t, updatedAt: t });
    }
  }
}

/** Whether the item's sale price is what shoppers see right now (the catalogue "switches itself"). */
export function saleActive(fields: Record<string, unknown>, now: number): boolean {
  const sale = parsePrice(fields.sale_price);
  const price = parsePrice(fields.price);
  if (!sale || (price && sale.amount >= price.amount)) return false;
  if (fields.sale_price_effective_date === undefined) return true;
  const window = parseEffectiveDate(fields.sale_price_effective_date);
  return Boolean(window && window.start <= now && now < window.end);
}

/**
 * The item as Graph's ProductItem node reads it (Graph field names, not feed names). `sale_price` is present only
 * while the sale is in effect; the configured window stays visible in `sale_price_start_date`/`_end_date`.
 */
export function productNode(item: CatalogItem, now: number): Record<string, unknown> {
  const f = item.fields;
  const price = parsePrice(f.price);
  const window = parseEffectiveDate(f.sale_price_effective_date);
  const node: Record<string, unknown> = {
    id: item.fbId,
    retailer_id: item.retailerId,
    name: f.title,
    description: f.description,
    availability: f.availability,
    condition: f.condition,
    price: f.price,
    currency: price?.currency,
    url: f.link,
    image_url: f.image_link,
    brand: f.brand,
    retailer_product_group_id: f.item_group_id,
    quantity_to_sell_on_facebook: f.quantity_to_sell_on_facebook,
    inventory: f.quantity_to_sell_on_facebook ?? f.inventory,
  };
  if (saleActive(f, now)) node.sale_price = f.sale_price;
  if (window) {
    node.sale_price_start_date = new Date(window.start).toISOString();
    node.sale_price_end_date = new Date(window.end).toISOString();
  }
  for (const k of Object.keys(node)) if (node[k] === undefined) delete node[k];
  return node;
}
