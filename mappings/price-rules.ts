import { z } from 'zod';

export const ROUNDINGS = ['none', '.99', '.49', 'whole'] as const;

/** A currency code as ISO 4217 writes it. */
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code such as "PLN"' });

/**
 * How a channel's price is derived from the canonical base price: markup, fixed add, currency conversion,
 * rounding, then floor and ceiling. A per-SKU override wins over every rule.
 */
export const priceRulesSchema = z
  .strictObject({
    /** Percentage added to the base price (negative for a discount; not below -100). */
    markupPercent: z.number().min(-100).default(0),
    /** Fixed amount added after the markup, in the channel currency. */
    add: z.number().default(0),
    rounding: z.enum(ROUNDINGS).default('none'),
    /** The channel's currency; converted with `currencies.rates` when it differs from the base currency. */
    currency: currencyCode.optional(),
    floor: z.number().min(0).optional(),
    ceiling: z.number().positive().optional(),
    /** SKU → fixed price in the channel currency. */
    overrides: z.record(z.string().min(1), z.number().min(0)).default({}),
  })
  .refine((r) => r.floor === undefined || r.ceiling === undefined || r.floor <= r.ceiling, {
    message: 'floor must not be above ceiling',
    path: ['floor'],
  });
export type PriceRules = z.infer<typeof priceRulesSchema>;
