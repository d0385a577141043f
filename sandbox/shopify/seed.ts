import { z } from 'zod';
import type { ShopContext } from './context.ts';
import { createOrder, orderInputSchema } from './orders.ts';
import type { ProductRec } from './store.ts';

/**
 * The seed document tests and the demo load through `POST /__sandbox/seed` (or the factory's `seed` option).
 * Seeding never fires webhooks. Products without `options` get Shopify's default `Title` option with one
 * `Default Title` variant.
 */
const money = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string such as "19.99"');

export const seedVariantSchema = z.object({
  id: z.number().int().positive().optional(),
  sku: z.string().nullable().optional(),
  barcode: z.string().nullable().optional(),
  price: money.default('0.00'),
  compareAtPrice: money.nullable().optional(),
  inventoryPolicy: z.enum(['DENY', 'CONTINUE']).default('DENY'),
  /** Option values in the product's option order; default ['Default Title']. */
  options: z.array(z.string()).optional(),
  tracked: z.boolean().default(true),
  /** `available` at the first location. */
  available: z.number().int().optional(),
  /** `available` per location name (stocks the variant there). */
  inventory: z.record(z.string(), z.number().int()).optional(),
});

export const seedProductSchema = z.object({
  id: z.number().int().positive().optional(),
  title: z.string().min(1),
  handle: z.string().optional(),
  descriptionHtml: z.string().default(''),
  vendor: z.string().default(''),
  productType: z.string().default(''),
  status: z.enum(['ACTIVE', 'ARCHIVED', 'DRAFT', 'UNLISTED']).default('ACTIVE'),
  tags: z.array(z.string()).default([]),
  options: z.array(z.object({ name: z.string().min(1), values: z.array(z.string()).min(1) })).max(3).optional(),
  variants: z.array(seedVariantSchema).min(1).default(() => [seedVariantSchema.parse({})]),
  /** ISO time; lets tests place products before/after an `updated_at:>` watermark. */
  updatedAt: z.string().datetime().optional(),
});

export const shopifySeedSchema = z.object({
  locations: z.array(z.object({ id: z.number().int().positive().optional(), name: z.string().min(1) })).default([{ name: 'Main warehouse' }]),
  products: z.array(seedProductSchema).default([]),
  orders: z.array(orderInputSchema).default([]),
});
export type ShopifySeed = z.input<typeof shopifySeedSchema>;

export function loadSeed(ctx: ShopContext, raw: unknown): void {
  const seed = shopifySeedSchema.parse(raw);
  const s = ctx.store;
  for (const l of seed.locations) {
    if (![...s.locations.values()].some((x) => x.name === l.name)) s.addLocation(l.name, l.id ?? s.id());
  }
  const locationByName = new Map([...s.locations.values()].map((l) => [l.name, l.id]));
  const firstLocation = [...s.locations.keys()][0];
  for (const sp of seed.products) {
    const t = sp.updatedAt ? Date.parse(sp.updatedAt) : s.stamp();
    const optionDefs = sp.options ?? [{ name: 'Title', values: ['Default Title'] }];
    const p: ProductRec = {
      id: sp.id ?? s.id(),
      title: sp.title,
      handle: sp.handle ?? s.uniqueHandle(sp.title),
      descriptionHtml: sp.descriptionHtml,
      vendor: sp.vendor,
      productType: sp.productType,
      status: sp.status,
      tags: sp.tags,
      options: optionDefs.map((o, i) => ({ id: s.id(), name: o.name, position: i + 1, values: o.values.map((name) => ({ id: s.id(), name })) })),
      variantIds: [],
      createdAt: t,
      updatedAt: t,
      publishedAt: sp.status === 'ACTIVE' ? t : null,
    };
    s.products.set(p.id, p);
    for (const sv of sp.variants) {
      const optionValues = sv.options ?? optionDefs.map((o) => o.values[0]!);
      if (optionValues.length !== optionDefs.length) throw new Error(`seed: variant ${sv.sku ?? ''} of "${sp.title}" must give one value per option`);
      const stockAt = new Map<number, number>();
      if (sv.available !== undefined && firstLocation !== undefined) stockAt.set(firstLocation, sv.available);
      for (const [name, qty] of Object.entries(sv.inventory ?? {})) {
        const loc = locationByName.get(name);
        if (loc === undefined) throw new Error(`seed: unknown location "${name}"`);
        stockAt.set(loc, qty);
      }
      if (stockAt.size === 0 && firstLocation !== undefined) stockAt.set(firstLocation, 0);
      const v = s.addVariant(
        p,
        {
          optionValues,
          sku: sv.sku ?? null,
          barcode: sv.barcode ?? null,
          price: Number(sv.price).toFixed(2),
          compareAtPrice: sv.compareAtPrice ? Number(sv.compareAtPrice).toFixed(2) : null,
          inventoryPolicy: sv.inventoryPolicy,
          createdAt: t,
          updatedAt: t,
        },
        [...stockAt.keys()],
        sv.id ?? s.id(),
      );
      s.inventoryItems.get(v.inventoryItemId)!.tracked = sv.tracked;
      for (const [loc, qty] of stockAt) s.level(v.inventoryItemId, loc)!.quantities.available = qty;
    }
  }
  for (const o of seed.orders) createOrder(ctx, o, false);
}
