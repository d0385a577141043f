import { z } from 'zod';
import { type PriceRules, round } from './price-rules.ts';

/**
 * Promotions as code: a time-bounded discount over SKUs, categories or everything, on some channels. Pure: the
 * promotional price a channel shows at an instant, which promotion wins when several overlap, and when the next
 * start or end falls (for the scheduler). No I/O.
 */

export const PROMOTION_COMBINE = ['best_for_customer', 'highest_priority'] as const;
export type PromotionCombine = (typeof PROMOTION_COMBINE)[number];

/** `2025-11-28T00:00`, `2025-11-28 00:00:00`, optionally with `Z` or `+01:00` (then the offset decides the instant). */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds the wall clock of `zone` is ahead of UTC at instant `ms`. */
function zoneOffset(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time names in `zone` (or its own offset, when it carries one). A time skipped by a
 * daylight-saving jump resolves to the instant after the jump, as clocks do.
 */
export function zonedInstant(text: string, zone: string): Date | undefined {
  const m = LOCAL_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '0', offset] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0')));
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== Number(d)) return undefined;
  if (offset) {
    if (offset === 'Z') return new Date(wall);
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    return new Date(wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
  let guess = wall - zoneOffset(wall, zone);
  guess = wall - zoneOffset(guess, zone);
  return new Date(guess);
}

const localTime = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString() : v),
  z.string().regex(LOCAL_TIME, { message: 'must be a date and time such as "2025-11-28T09:00" (in window.time_zone) or with an offset "2025-11-28T09:00:00+01:00"' }),
);

const discountSchema = z
  .strictObject({
    /** Percent off the channel's regular price (after its price rules). */
    percentage: z.number().gt(0, { message: 'must be above 0' }).max(100, { message: 'must be at most 100 (percent)' }).optional(),
    /** Amount off, in the canonical currency (converted for channels that sell in another). */
    amount: z.number().gt(0, { message: 'must be above 0' }).optional(),
    /** The price to show, in the canonical currency (converted for channels that sell in another). */
    fixed_price: z.number().min(0, { message: 'must be 0 or more' }).optional(),
  })
  .refine((d) => [d.percentage, d.amount, d.fixed_price].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of percentage, amount or fixed_price',
  });

const targetSchema = z.union(
  [
    z.strictObject({ skus: z.array(z.string().min(1)).min(1, { message: 'list at least one SKU' }) }),
    z.strictObject({ categories: z.array(z.string().min(1)).min(1, { message: 'list at least one category' }) }),
    z.strictObject({ all: z.literal(true) }),
  ],
  { message: 'must be one of {skus: [...]}, {categories: [...]} or {all: true}' },
);

export const promotionSchema = z
  .strictObject({
    /** Stable identity: the hub finds the promotion again by this key when the file changes. */
    key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { message: 'letters, digits, "_", "-" and "." (up to 100), starting with a letter or digit' }),
    name: z.string().min(1),
    discount: discountSchema,
    target: targetSchema,
    /** Connection names; empty or left out means every connection that receives prices. */
    channels: z.array(z.string().min(1)).default([]),
    window: z.strictObject({
      starts_at: localTime,
      ends_at: localTime,
      /** IANA zone the times are in ("Europe/Warsaw"); required, so nobody guesses whose midnight is meant. */
      time_zone: z.string().refine(isTimeZone, { message: 'unknown time zone: use an IANA name such as "Europe/Warsaw" or "UTC"' }),
    }),
    /** Higher wins under `promotionCombine: highest_priority`, and breaks ties otherwise. */
    priority: z.number().int().default(0),
  })
  .superRefine((p, ctx) => {
    const zone = p.window.time_zone;
    if (!isTimeZone(zone)) return;
    const starts = zonedInstant(p.window.starts_at as string, zone);
    const ends = zonedInstant(p.window.ends_at as string, zone);
    if (!starts) ctx.addIssue({ code: 'custom', path: ['window', 'starts_at'], message: 'is not a real date and time' });
    if (!ends) ctx.addIssue({ code: 'custom', path: ['window', 'ends_at'], message: 'is not a real date and time' });
    if (starts && ends && ends.getTime() <= starts.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['window', 'ends_at'], message: `must be after starts_at (${starts.toISOString()})` });
    }
  });
export type PromotionConfig = z.infer<typeof promotionSchema>;

export const promotionsSchema = z.array(promotionSchema).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((p, i) => {
    const first = seen.get(p.key);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `"${p.key}" is already the key of promotions[${first}]` });
    else seen.set(p.key, i);
  });
});

export type Discount = { type: 'percentage' | 'amount' | 'fixed_price'; value: number };
export type Target = { all: true } | { skus: string[] } | { categories: string[] };

/** A promotion with its window as instants. */
export interface Promotion {
  key: string;
  name: string;
  discount: Discount;
  target: Target;
  /** Empty: every connection. */
  channels: string[];
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  priority: number;
}

export function resolvePromotion(p: PromotionConfig): Promotion {
  const d = p.discount;
  const discount: Discount =
    d.percentage !== undefined ? { type: 'percentage', value: d.percentage } : d.amount !== undefined ? { type: 'amount', value: d.amount } : { type: 'fixed_price', value: d.fixed_price! };
  return {
    key: p.key, name: p.name, discount, target: p.target, channels: p.channels, priority: p.priority, timeZone: p.window.time_zone,
    startsAt: zonedInstant(p.window.starts_at as string, p.window.time_zone)!,
    endsAt: zonedInstant(p.window.ends_at as string, p.window.time_zone)!,
  };
}

export function targets(p: Promotion, item: { sku: string; category: string | null; connection: string }): boolean {
  if (p.channels.length > 0 && !p.channels.includes(item.connection)) return false;
  if ('all' in p.target) return true;
  if ('skus' in p.target) return p.target.skus.includes(item.sku);
  return item.category !== null && p.target.categories.includes(item.category);
}

export const isActive = (p: Promotion, at: Date): boolean => p.startsAt.getTime() <= at.getTime() && at.getTime() < p.endsAt.getTime();

/** A regular channel price (after price rules): gross is what rules round; net follows from the tax rate. */
export interface RegularPrice {
  gross: string;
  taxRate: string;
  currency: string;
}

export interface PriceContext {
  rounding: PriceRules['rounding'];
  /** Channel currency units per canonical currency unit, for amount and fixed-price discounts. */
  rate: number;
  combine: PromotionCombine;
}

export interface PromotionalPrice {
  gross: string;
  net: string;
  promotion: Promotion;
  /** For `plan`: `promotion "Black Friday" (bf): 20% off → 79.99, until 2025-11-30T23:00:00.000Z`. */
  because: string;
}

const toCents = (amount: string | number) => Math.round(Number(amount) * 100);
const fromCents = (cents: number) => (cents / 100).toFixed(2);

function describeDiscount(d: Discount): string {
  return d.type === 'percentage' ? `${d.value}% off` : d.type === 'amount' ? `${d.value} off` : `fixed price ${d.value}`;
}

/** One promotion's price in cents: discounted, rounded by the channel's rule, never below 0 nor above regular. */
export function discountedCents(regularCents: number, d: Discount, ctx: Pick<PriceContext, 'rounding' | 'rate'>): number {
  let cents: number;
  switch (d.type) {
    case 'percentage':
      cents = Math.round(regularCents * (1 - d.value / 100));
      break;
    case 'amount':
      cents = regularCents - Math.round(d.value * 100 * ctx.rate);
      break;
    case 'fixed_price':
      cents = Math.round(d.value * 100 * ctx.rate);
      break;
  }
  if (ctx.rounding !== 'none' && cents > 0) cents = round(cents, ctx.rounding);
  return Math.min(regularCents, Math.max(0, cents));
}

/**
 * The price a channel shows at an instant, given the promotions that apply to this SKU on this channel (any
 * window: inactive ones are ignored) and how overlapping ones combine. Undefined when none runs or none makes the
 * price lower than regular. Ties: under best_for_customer the higher priority, then the key; under
 * highest_priority the lower price, then the key — so the answer never depends on input order.
 */
export function promotionalPrice(regular: RegularPrice, promotions: Promotion[], at: Date, ctx: PriceContext): PromotionalPrice | undefined {
  const regularCents = toCents(regular.gross);
  const candidates = promotions
    .filter((p) => isActive(p, at))
    .map((p) => ({ p, cents: discountedCents(regularCents, p.discount, ctx) }))
    .filter((c) => c.cents < regularCents);
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => {
    const byPrice = a.cents - b.cents;
    const byPriority = b.p.priority - a.p.priority;
    const primary = ctx.combine === 'best_for_customer' ? byPrice || byPriority : byPriority || byPrice;
    return primary || (a.p.key < b.p.key ? -1 : a.p.key > b.p.key ? 1 : 0);
  });
  const { p, cents } = candidates[0]!;
  const net = Math.round(cents / (1 + Number(regular.taxRate)));
  const others = candidates.length > 1 ? `; beats ${candidates.slice(1).map((c) => `"${c.p.name}"`).join(', ')} (${ctx.combine.replace(/_/g, ' ')})` : '';
  return {
    gross: fromCents(cents), net: fromCents(net), promotion: p,
    because: `promotion "${p.name}" (${p.key}): ${describeDiscount(p.discount)} → ${fromCents(cents)} ${regular.currency}, until ${p.endsAt.toISOString()}${others}`,
  };
}

/** The first start or end strictly after `at` among these promotions: when what a channel shows may change. */
export function nextBoundary(promotions: Promotion[], at: Date): Date | undefined {
  let next: number | undefined;
  for (const p of promotions) {
    for (const t of [p.startsAt.getTime(), p.endsAt.getTime()]) if (t > at.getTime() && (next === undefined || t < next)) next = t;
  }
  return next === undefined ? undefined : new Date(next);
}

/** A stretch of time during which one promotion sets the price. */
export interface PromotionSegment {
  from: Date;
  to: Date;
  price: PromotionalPrice;
}

/**
 * The promotional stretches of a SKU on a channel, in time order, adjacent stretches with the same promotion and
 * price merged. Deterministic in the promotions alone (not in "now"), so what was pushed ahead of time can be
 * recognised later.
 */
export function promotionTimeline(regular: RegularPrice, promotions: Promotion[], ctx: PriceContext): PromotionSegment[] {
  const bounds = [...new Set(promotions.flatMap((p) => [p.startsAt.getTime(), p.endsAt.getTime()]))].sort((a, b) => a - b);
  const out: PromotionSegment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const price = promotionalPrice(regular, promotions, new Date(bounds[i]!), ctx);
    if (!price) continue;
    const last = out[out.length - 1];
    if (last && last.to.getTime() === bounds[i] && last.price.promotion.key === price.promotion.key && last.price.gross === price.gross) {
      last.to = new Date(bounds[i + 1]!);
    } else {
      out.push({ from: new Date(bounds[i]!), to: new Date(bounds[i + 1]!), price });
    }
  }
  return out;
}

/** The stretch running at `at`, else the next one to come: what a channel that schedules by itself should hold. */
export function segmentToHold(timeline: PromotionSegment[], at: Date): PromotionSegment | undefined {
  return timeline.find((s) => s.to.getTime() > at.getTime());
}

/** Channel currency units per unit of `from`, with the hub's rates (units of each currency per one base unit). */
export function rateBetween(from: string, to: string, currencies: { base: string; rates: Record<string, number> } | undefined): number {
  if (from === to) return 1;
  const perBase = (c: string) => (c === currencies?.base ? 1 : currencies?.rates[c]);
  const a = perBase(from);
  const b = perBase(to);
  if (!a || !b) throw new Error(`no exchange rate from ${from} to ${to}`);
  return b / a;
}
