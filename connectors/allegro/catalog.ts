import type { CatalogRead, ProductSnapshot } from '../../core/sdk/index.ts';
import { type AllegroContext, call, query } from './client.ts';
import type { AllegroConfig } from './config.ts';
import { statusOf } from './errors.ts';
import { fromListing, fromProductOffer } from './map-offer.ts';
import { offerList, type OfferListing, productOffer } from './schemas.ts';

/** Allegro caps offset + limit of the offer listing at 10,000,000. */
const MAX_WINDOW = 10_000_000;

/** `catalog.read`: the seller's offers (`GET /sale/offers`, offset paging) and one offer by id. */
export const catalogRead: CatalogRead<AllegroConfig> = {
  async list(ctx, cursor) {
    const offset = cursor ? Number(cursor) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`allegro catalog cursor "${cursor}" is not an offset`);
    const limit = Math.min(ctx.config.pageSize, MAX_WINDOW - offset);
    const { data } = await call(ctx, 'GET', 'sale/offers', { searchParams: query({ limit, offset }), schema: offerList });
    const items: ProductSnapshot[] = data.offers.map(fromListing);
    const nextOffset = offset + data.offers.length;
    const more = data.offers.length === limit && nextOffset < MAX_WINDOW && (data.totalCount == null || nextOffset < data.totalCount);
    return { items, ...(more ? { next: String(nextOffset) } : {}) };
  },

  async get(ctx, externalId) {
    try {
      const { data } = await call(ctx, 'GET', `sale/product-offers/${encodeURIComponent(externalId)}`, { schema: productOffer });
      return fromProductOffer(data);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  },
};

/** Current listing rows of some offers (status, stock, SKU), 100 ids per request. */
export async function listingsOf(ctx: AllegroContext, offerIds: string[]): Promise<Map<string, OfferListing>> {
  const out = new Map<string, OfferListing>();
  const ids = [...new Set(offerIds)];
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const { data } = await call(ctx, 'GET', 'sale/offers', { searchParams: query({ 'offer.id': chunk, limit: chunk.length }), schema: offerList });
    for (const o of data.offers) out.set(o.id, o);
  }
  return out;
}
