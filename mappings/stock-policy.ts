import { z } from 'zod';

/**
 * How much of the stock a channel may sell. Every number is validated: a negative buffer or a percentage above 100
 * is a config error, never a silent loss of oversell protection.
 */
export const stockPolicySchema = z.strictObject({
  /** Units held back from this channel. */
  buffer: z.number().int().min(0).default(0),
  /** Share of the remaining stock offered on this channel, 0–100. */
  percentage: z.number().min(0).max(100).default(100),
  /** Never show more than this many. */
  cap: z.number().int().min(0).optional(),
  /** When fewer than this many would be shown, show 0 (keep the last units for other channels). */
  minimum: z.number().int().min(0).default(0),
  /** Locations whose stock counts for this channel; all locations when left out. */
  locations: z.array(z.string().min(1)).min(1).optional(),
});
export type StockPolicy = z.infer<typeof stockPolicySchema>;

/**
 * Available-to-sell on one channel: on-hand (over the channel's locations) minus open reservations, less the
 * buffer, times the percentage (rounded down), capped, and zero below the minimum. Never negative.
 *
 * @example availableToSell({ onHand: 10, reserved: 1 }, { buffer: 2, percentage: 50, minimum: 0 }) // 3
 */
export function availableToSell(stock: { onHand: number; reserved: number }, policy: StockPolicy): number {
  const free = stock.onHand - stock.reserved - policy.buffer;
  if (free <= 0) return 0;
  let shown = Math.floor((free * policy.percentage) / 100);
  if (policy.cap !== undefined) shown = Math.min(shown, policy.cap);
  if (shown < policy.minimum) return 0;
  return Math.max(0, shown);
}

/** The connection's policy: its own settings over the defaults. */
export function mergeStockPolicy(defaults: StockPolicy, own: Partial<StockPolicy> | undefined): StockPolicy {
  return { ...defaults, ...Object.fromEntries(Object.entries(own ?? {}).filter(([, v]) => v !== undefined)) };
}
