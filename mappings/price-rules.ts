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

/** A canonical base price: both sides known, tax rate explicit. Amounts are decimal strings. */
export interface BasePrice {
  gross: string;
  net: string;
  taxRate: string;
  currency: string;
}

export interface ChannelPrice {
  gross: string;
  net: string;
  taxRate: string;
  currency: string;
  /** Which rules produced it, for `plan`: "markup 5%", "rounded to .99", "override", … */
  because: string[];
}

/** Amounts are computed in hundredths of a unit as integers, so rounding is exact and repeatable. */
const toCents = (amount: string | number) => Math.round(Number(amount) * 100);
const fromCents = (cents: number) => (cents / 100).toFixed(2);

export function round(cents: number, rounding: PriceRules['rounding']): number {
  switch (rounding) {
    case 'none':
      return cents;
    case 'whole':
      return Math.round(cents / 100) * 100;
    case '.99':
      // The x.99 nearest to the amount ("charm pricing"): 10.00 → 9.99, 10.70 → 10.99.
      return Math.max(99, Math.round((cents + 1) / 100) * 100 - 1);
    case '.49':
      return Math.max(49, Math.round((cents - 49) / 100) * 100 + 49);
  }
}

/**
 * The price a channel shows, from the base price and the channel's rules, applied in a fixed order:
 * override (wins over everything) → markup % → fixed add → currency conversion → rounding → floor/ceiling.
 * Rules work on the gross (tax-inclusive) amount; net follows from the tax rate.
 */
export function channelPrice(
  sku: string,
  base: BasePrice,
  rules: PriceRules,
  currencies: { base: string; rates: Record<string, number> } | undefined,
): ChannelPrice {
  const target = rules.currency ?? base.currency;
  const taxRate = Number(base.taxRate);
  const because: string[] = [];
  let cents: number;
  const override = rules.overrides[sku];
  if (override !== undefined) {
    cents = toCents(override);
    because.push(`override ${fromCents(cents)} ${target}`);
  } else {
    cents = toCents(base.gross);
    if (rules.markupPercent !== 0) {
      cents = Math.round(cents * (1 + rules.markupPercent / 100));
      because.push(`markup ${rules.markupPercent}%`);
    }
    if (rules.add !== 0) {
      cents += toCents(rules.add);
      because.push(`add ${rules.add}`);
    }
    if (target !== base.currency) {
      const rate = target === currencies?.base ? 1 / (currencies.rates[base.currency] ?? NaN) : currencies?.rates[target];
      if (!rate || !Number.isFinite(rate)) throw new Error(`no exchange rate from ${base.currency} to ${target}`);
      cents = Math.round(cents * rate);
      because.push(`converted ${base.currency}→${target} at ${rate}`);
    }
    if (rules.rounding !== 'none') {
      cents = round(cents, rules.rounding);
      because.push(`rounded to ${rules.rounding}`);
    }
    if (rules.floor !== undefined && cents < toCents(rules.floor)) {
      cents = toCents(rules.floor);
      because.push(`floor ${rules.floor}`);
    }
    if (rules.ceiling !== undefined && cents > toCents(rules.ceiling)) {
      cents = toCents(rules.ceiling);
      because.push(`ceiling ${rules.ceiling}`);
    }
  }
  const net = Math.round(cents / (1 + taxRate));
  return { gross: fromCents(cents), net: fromCents(net), taxRate: base.taxRate, currency: target, because };
}

/** The connection's rules: its own settings over the defaults (overrides merged, the connection's win). */
export function mergePriceRules(defaults: PriceRules, own: Partial<PriceRules> | undefined): PriceRules {
  const picked = Object.fromEntries(Object.entries(own ?? {}).filter(([, v]) => v !== undefined)) as Partial<PriceRules>;
  return { ...defaults, ...picked, overrides: { ...defaults.overrides, ...(own?.overrides ?? {}) } };
}
