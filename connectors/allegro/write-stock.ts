import type { ItemResult, StockRead, StockUpdate, StockWrite } from '../../core/sdk/index.ts';
import { listingsOf } from './catalog.ts';
import type { AllegroContext } from './client.ts';
import type { AllegroConfig } from './config.ts';
import { criteria, failedItem, runCommand, taskResult } from './commands.ts';
import { patchOffer } from './offer-edit.ts';
import type { OfferListing } from './schemas.ts';

/**
 * `stock.write` (absolute quantities) and `stock.read`.
 *
 * Stock 0 ends an Allegro offer: the quantity command refuses 0 ("FIXED: a new quantity > 0"), and
 * `PATCH stock.available = 0` on a live offer ends it (Allegro records `endedBy: EMPTY_STOCK`). So:
 * - quantity > 0: `PUT /sale/offer-quantity-change-commands/{id}` (FIXED), grouped by quantity;
 * - quantity 0: `PATCH /sale/product-offers/{id}`; when the offer was live, its id goes into the
 *   `allegro.offers-ended-for-stock` checkpoint: *we* ended it;
 * - when stock returns to an offer in that record and `reactivateWhenRestocked` is on (default), the quantity is set
 *   and the offer re-activated with `PUT /sale/offer-publication-commands/{id}` (ACTIVATE);
 * - an ended offer that is not in the record was ended by the seller (or Allegro): its quantity is set but it is
 *   never re-activated. Which of these happened is logged per offer (ItemResult has no room for notes).
 */

export const ENDED_FOR_STOCK = 'allegro.offers-ended-for-stock';
type EndedRecord = Record<string, { endedAt: string }>;

const LIVE = new Set(['ACTIVE', 'ACTIVATING']);

async function setZero(ctx: AllegroContext, item: StockUpdate, listing: OfferListing, record: EndedRecord): Promise<ItemResult> {
  const status = listing.publication?.status ?? 'UNKNOWN';
  const live = LIVE.has(status);
  if (!live && listing.stock?.available === 0) return { ok: true, externalId: item.externalId };
  if (live) {
    // Recorded before the edit: if the edit then fails, the offer stays live and a later ACTIVATE is harmless.
    record[item.externalId] = { endedAt: ctx.now().toISOString() };
    await ctx.checkpoints.set(ENDED_FOR_STOCK, record);
  }
  await patchOffer(ctx, item.externalId, { stock: { available: 0 } });
  ctx.log.info(
    { offerId: item.externalId, sku: item.sku, status },
    live ? 'allegro offer ended by the hub: stock 0 (will be re-activated when restocked)' : 'allegro offer stock set to 0 (offer was not live)',
  );
  return { ok: true, externalId: item.externalId };
}

export const writeStock: StockWrite<AllegroConfig> = {
  maxBatch: 1000,
  async set(ctx, items) {
    const results: ItemResult[] = new Array(items.length);
    const listings = await listingsOf(ctx, items.map((i) => i.externalId));
    const record: EndedRecord = { ...((await ctx.checkpoints.get<EndedRecord>(ENDED_FOR_STOCK)) ?? {}) };

    const positive = new Map<number, number[]>();
    const zero: number[] = [];
    items.forEach((item, i) => {
      if (!listings.has(item.externalId)) {
        results[i] = { ok: false, kind: 'business', message: `offer ${item.externalId} (SKU ${item.sku}) does not exist on Allegro` };
      } else if (!Number.isInteger(item.available) || item.available < 0) {
        results[i] = { ok: false, kind: 'business', message: `quantity ${item.available} is not a whole number ≥ 0` };
      } else if (item.available === 0) {
        zero.push(i);
      } else {
        positive.set(item.available, [...(positive.get(item.available) ?? []), i]);
      }
    });

    // Ending offers one PATCH each: an offer edit fails on its own.
    for (const i of zero) {
      const item = items[i]!;
      try {
        results[i] = await setZero(ctx, item, listings.get(item.externalId)!, record);
      } catch (err) {
        results[i] = failedItem(err);
      }
    }

    const restocked: number[] = [];
    await Promise.all(
      [...positive].map(async ([value, indexes]) => {
        const body = { modification: { changeType: 'FIXED', value }, offerCriteria: criteria(indexes.map((i) => items[i]!.externalId)) };
        try {
          const outcome = await runCommand(ctx, 'quantity', body);
          for (const i of indexes) {
            results[i] = taskResult(outcome, items[i]!.externalId);
            if (results[i]!.ok) restocked.push(i);
          }
        } catch (err) {
          const failed = failedItem(err);
          for (const i of indexes) results[i] = failed;
        }
      }),
    );

    const toActivate: number[] = [];
    for (const i of restocked) {
      const item = items[i]!;
      const listing = listings.get(item.externalId)!;
      const status = listing.publication?.status ?? 'UNKNOWN';
      const ours = record[item.externalId] !== undefined;
      if (LIVE.has(status)) {
        if (ours) delete record[item.externalId]; // someone re-activated it already
      } else if (ours && ctx.config.reactivateWhenRestocked) {
        toActivate.push(i);
      } else if (ours) {
        ctx.log.info({ offerId: item.externalId, sku: item.sku }, 'allegro offer ended by the hub for stock stays ended: reactivateWhenRestocked is off');
      } else if (status === 'ENDED') {
        ctx.log.warn(
          { offerId: item.externalId, sku: item.sku },
          'allegro offer was ended by the seller, not by the hub: quantity set, offer NOT re-activated',
        );
      }
    }

    if (toActivate.length > 0) {
      const body = { publication: { action: 'ACTIVATE' }, offerCriteria: criteria(toActivate.map((i) => items[i]!.externalId)) };
      try {
        const outcome = await runCommand(ctx, 'publication', body);
        for (const i of toActivate) {
          const offerId = items[i]!.externalId;
          const r = taskResult(outcome, offerId);
          if (r.ok) {
            delete record[offerId];
            ctx.log.info({ offerId, sku: items[i]!.sku }, 'allegro offer re-activated: restocked after the hub ended it for stock 0');
          }
          results[i] = r.ok ? r : { ...r, message: `quantity set, but re-activation failed: ${r.message}` };
        }
      } catch (err) {
        const failed = failedItem(err);
        for (const i of toActivate) results[i] = { ...failed, message: `quantity set, but re-activation failed: ${failed.ok ? '' : failed.message}` } as ItemResult;
      }
    }
    await ctx.checkpoints.set(ENDED_FOR_STOCK, record);
    return results;
  },
};

export const readStock: StockRead<AllegroConfig> = {
  async get(ctx, items) {
    const listings = await listingsOf(ctx, items.map((i) => i.externalId));
    return items.map((i) => ({ externalId: i.externalId, available: listings.get(i.externalId)?.stock?.available ?? null }));
  },
};
