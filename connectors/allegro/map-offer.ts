import { type ProductSnapshot, productSnapshot } from '../../core/sdk/index.ts';
import type { OfferListing, ProductOffer } from './schemas.ts';

/**
 * An Allegro offer as a hub product. Allegro has no products with variants on the seller side: each offer sells
 * one thing, so each offer is **one product with one variant**, both with the offer id as `externalId`, and the
 * variant's SKU is the offer's `external.id` ("sygnatura"; null when the seller left it empty). The price is the
 * buy-now price (gross, as Allegro shows it) and the stock the offer's `stock.available`.
 */

const STATUS: Record<string, 'active' | 'draft' | 'archived'> = {
  ACTIVE: 'active',
  ACTIVATING: 'active',
  INACTIVE: 'draft',
  ENDED: 'archived',
};

/** Offer titles are written in the offer's language; Allegro's base marketplace is Polish. */
const LOCALE = 'pl';

function snapshot(o: {
  id: string;
  name: string;
  categoryId: string | undefined;
  price: { amount: string; currency: string } | null | undefined;
  available: number | undefined;
  status: string | undefined;
  sku: string | null;
  images: string[];
  updatedAt?: string | null | undefined;
}): ProductSnapshot {
  const status = o.status ? STATUS[o.status] : undefined;
  const images = o.images.map((url, position) => ({ url, position }));
  return productSnapshot.parse({
    externalId: o.id,
    title: { [LOCALE]: o.name },
    category: o.categoryId ?? null,
    ...(status ? { status } : {}),
    images,
    ...(o.updatedAt ? { updatedAt: o.updatedAt } : {}),
    variants: [
      {
        externalId: o.id,
        sku: o.sku,
        title: { [LOCALE]: o.name },
        ...(o.price ? { price: { gross: o.price.amount, currency: o.price.currency } } : {}),
        ...(o.available !== undefined ? { stock: { available: o.available } } : {}),
        ...(status ? { status } : {}),
        images,
      },
    ],
  });
}

export function fromListing(o: OfferListing): ProductSnapshot {
  return snapshot({
    id: o.id,
    name: o.name,
    categoryId: o.category?.id,
    price: o.sellingMode?.price,
    available: o.stock?.available,
    status: o.publication?.status,
    sku: o.external?.id || null,
    images: o.primaryImage?.url ? [o.primaryImage.url] : [],
  });
}

export function fromProductOffer(o: ProductOffer): ProductSnapshot {
  return snapshot({
    id: o.id,
    name: o.name,
    categoryId: o.category?.id,
    price: o.sellingMode?.price,
    available: o.stock?.available,
    status: o.publication?.status,
    sku: o.external?.id || null,
    images: (o.images ?? []).map((i) => (typeof i === 'string' ? i : i.url)),
    updatedAt: o.updatedAt,
  });
}
