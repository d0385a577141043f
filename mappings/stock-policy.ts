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
