import { z } from 'zod';
import { defineConnector, type ItemResult, type ProductSnapshot } from '../../core/sdk/index.ts';

/**
 * An in-process channel for measuring the engine alone: no HTTP, no rate limit, writes land in a Map. Every
 * connection names its store (`config.store`); the benchmark reads and changes the stores directly.
 */
export interface MemVariant {
  id: string;
  sku: string;
  gross: string;
  stock: number;
}
export interface MemProduct {
  id: string;
  title: string;
  variants: MemVariant[];
}
export interface MemStore {
  products: Map<string, MemProduct>;
  variants: Map<string, MemVariant>;
  writes: { catalog: number; stock: number; prices: number; calls: number };
}

export const memStores = new Map<string, MemStore>();
export function memStore(name: string): MemStore {
  let s = memStores.get(name);
  if (!s) memStores.set(name, (s = { products: new Map(), variants: new Map(), writes: { catalog: 0, stock: 0, prices: 0, calls: 0 } }));
  return s;
}

const snapshot = (p: MemProduct): ProductSnapshot => ({
  externalId: p.id,
  title: { en: p.title },
  variants: p.variants.map((v) => ({ externalId: v.id, sku: v.sku, price: { gross: v.gross, currency: 'PLN' }, stock: { available: v.stock } })),
});

let seq = 0;

export default defineConnector({
  name: 'memchannel',
  version: '1.0.0',
  config: z.strictObject({ store: z.string() }),
  capabilities: {
    catalog: {
      read: {
        async list(ctx, cursor) {
          const all = [...memStore(ctx.config.store).products.values()];
          const from = cursor ? Number(cursor) : 0;
          const page = all.slice(from, from + 250);
          return { items: page.map(snapshot), ...(from + 250 < all.length ? { next: String(from + 250) } : {}) };
        },
        async get(ctx, id) {
          const p = memStore(ctx.config.store).products.get(id);
          return p ? snapshot(p) : null;
        },
      },
      write: {
        maxBatch: 100,
        async upsert(ctx, items) {
          const s = memStore(ctx.config.store);
          s.writes.calls++;
          return items.map((d): ItemResult => {
            s.writes.catalog++;
            const title = d.title.en ?? Object.values(d.title)[0] ?? '';
            if (d.externalId && s.products.has(d.externalId)) {
              s.products.get(d.externalId)!.title = title;
              return { ok: true, externalId: d.externalId };
            }
            const id = `p${++seq}`;
            const variants = d.variants.map((v) => ({ id: `v${++seq}`, sku: v.sku, gross: v.price?.gross ?? '0', stock: v.stock ?? 0 }));
            s.products.set(id, { id, title, variants });
            for (const v of variants) s.variants.set(v.id, v);
            return { ok: true, externalId: id, variantIds: Object.fromEntries(variants.map((v) => [v.sku, v.id])) };
          });
        },
      },
    },
    prices: {
      write: {
        maxBatch: 1000,
        async set(ctx, items) {
          const s = memStore(ctx.config.store);
          s.writes.calls++;
          return items.map((i): ItemResult => {
            const v = s.variants.get(i.externalId);
            if (!v) return { ok: false, kind: 'business', message: `no variant ${i.externalId}` };
            v.gross = i.price.gross;
            s.writes.prices++;
            return { ok: true, externalId: i.externalId };
          });
        },
      },
    },
    stock: {
      write: {
        maxBatch: 1000,
        async set(ctx, items) {
          const s = memStore(ctx.config.store);
          s.writes.calls++;
          return items.map((i): ItemResult => {
            const v = s.variants.get(i.externalId);
            if (!v) return { ok: false, kind: 'business', message: `no variant ${i.externalId}` };
            v.stock = i.available;
            s.writes.stock++;
            return { ok: true, externalId: i.externalId };
          });
        },
      },
    },
  },
});

/** Fills a store with `products` products of `variants` variants each (SKU `P{n}-{k}`). */
export function seedMemStore(name: string, products: number, variants: number, stock = 10): MemStore {
  const s = memStore(name);
  for (let p = 0; p < products; p++) {
    const id = `erp-${p}`;
    const vs = Array.from({ length: variants }, (_, k) => ({ id: `erp-${p}-${k}`, sku: `P${p}-${k}`, gross: '100.00', stock }));
    s.products.set(id, { id, title: `Product ${p}`, variants: vs });
    for (const v of vs) s.variants.set(v.id, v);
  }
  return s;
}
