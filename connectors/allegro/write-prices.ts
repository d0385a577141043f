import type { ItemResult, PricesWrite } from '../../core/sdk/index.ts';
import type { AllegroConfig } from './config.ts';
import { criteria, failedItem, runCommand, taskResult } from './commands.ts';

/**
 * `prices.write`: the buy-now price (gross) of linked offers through `PUT /sale/offer-price-change-commands/{id}`
 * with a `FIXED_PRICE` modification on the configured marketplace. One command sets one price, so items are grouped
 * by price; the groups run side by side. Allegro has no struck-through "compare-at" price on an offer: `compareAt`
 * is not written.
 */

/** Allegro amounts have at most two decimals: "19.9000" → "19.90"; "19.999" cannot be shown (undefined). */
export function allegroAmount(decimal: string): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!m) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 2) return undefined;
  return `${BigInt(m[1]!)}.${frac.padEnd(2, '0')}`;
}

export const writePrices: PricesWrite<AllegroConfig> = {
  maxBatch: 1000,
  async set(ctx, items) {
    const results: ItemResult[] = new Array(items.length);
    const groups = new Map<string, { amount: string; currency: string; indexes: number[] }>();
    items.forEach((item, i) => {
      const amount = allegroAmount(item.price.gross);
      if (!amount || Number(amount) <= 0) {
        results[i] = { ok: false, kind: 'business', message: `price "${item.price.gross}" cannot be set on Allegro (a positive amount with at most 2 decimals)` };
        return;
      }
      const key = `${amount} ${item.price.currency}`;
      const group = groups.get(key) ?? { amount, currency: item.price.currency, indexes: [] };
      group.indexes.push(i);
      groups.set(key, group);
    });
    await Promise.all(
      [...groups.values()].map(async (g) => {
        const offerIds = g.indexes.map((i) => items[i]!.externalId);
        const body = {
          modification: { type: 'FIXED_PRICE', price: { amount: g.amount, currency: g.currency }, marketplaceId: ctx.config.marketplaceId },
          offerCriteria: criteria(offerIds),
        };
        try {
          const outcome = await runCommand(ctx, 'price', body);
          for (const i of g.indexes) results[i] = taskResult(outcome, items[i]!.externalId);
        } catch (err) {
          const failed = failedItem(err);
          for (const i of g.indexes) results[i] = failed;
        }
      }),
    );
    return results;
  },
};
