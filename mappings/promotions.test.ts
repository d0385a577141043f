import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUNDINGS } from './price-rules.ts';
import {
  nextBoundary, type Promotion, type PromotionCombine, promotionalPrice, promotionSchema, promotionTimeline, segmentToHold, zonedInstant,
} from './promotions.ts';

const T0 = Date.UTC(2030, 0, 1);
const promo = (key: string, discount: Promotion['discount'], from: number, to: number, priority = 0): Promotion => ({
  key, name: key.toUpperCase(), discount, target: { all: true }, channels: [], startsAt: new Date(T0 + from), endsAt: new Date(T0 + to), timeZone: 'UTC', priority,
});
const regular = { gross: '100.00', taxRate: '0.23', currency: 'PLN' };
const ctx = (combine: PromotionCombine = 'best_for_customer', rounding: (typeof ROUNDINGS)[number] = 'none') => ({ combine, rounding, rate: 1 });

describe('window in an explicit time zone', () => {
  it('reads wall-clock times in the zone, across daylight saving, and honours an explicit offset', () => {
    expect(zonedInstant('2030-01-15T09:00', 'Europe/Warsaw')!.toISOString()).toBe('2030-01-15T08:00:00.000Z');
    expect(zonedInstant('2030-07-15 09:00:00', 'Europe/Warsaw')!.toISOString()).toBe('2030-07-15T07:00:00.000Z');
    expect(zonedInstant('2030-07-15T09:00:00-05:00', 'Europe/Warsaw')!.toISOString()).toBe('2030-07-15T14:00:00.000Z');
    expect(zonedInstant('2030-02-30T09:00', 'UTC')).toBeUndefined();
  });

  it('refuses bad promotions with the path of the problem', () => {
    const base = { key: 'bf', name: 'Black Friday', discount: { percentage: 20 }, target: { all: true }, window: { starts_at: '2030-11-28T00:00', ends_at: '2030-11-30T00:00', time_zone: 'Europe/Warsaw' } };
    expect(promotionSchema.safeParse(base).success).toBe(true);
    const issues = (v: unknown) => promotionSchema.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ ...base, discount: { percentage: 120 } })).toEqual(['discount.percentage: must be at most 100 (percent)']);
    expect(issues({ ...base, discount: { percentage: 10, amount: 5 } })).toEqual(['discount: give exactly one of percentage, amount or fixed_price']);
    expect(issues({ ...base, window: { ...base.window, time_zone: 'Mars/Olympus' } })[0]).toMatch(/^window.time_zone: unknown time zone/);
    expect(issues({ ...base, window: { ...base.window, ends_at: '2030-11-27T00:00' } })[0]).toMatch(/^window.ends_at: must be after starts_at/);
    expect(issues({ ...base, window: { starts_at: base.window.starts_at, ends_at: base.window.ends_at } })[0]).toMatch(/^window.time_zone/);
  });
});

describe('promotional price', () => {
  it('applies percentage, amount and fixed price with the channel rounding, never above regular', () => {
    const at = new Date(T0 + 5);
    expect(promotionalPrice(regular, [promo('p', { type: 'percentage', value: 20 }, 0, 10)], at, ctx())).toMatchObject({ gross: '80.00', net: '65.04' });
    expect(promotionalPrice(regular, [promo('p', { type: 'percentage', value: 15 }, 0, 10)], at, ctx('best_for_customer', '.99'))?.gross).toBe('84.99');
    expect(promotionalPrice(regular, [promo('a', { type: 'amount', value: 10 }, 0, 10)], at, { ...ctx(), rate: 0.25 })?.gross).toBe('97.50');
    expect(promotionalPrice(regular, [promo('f', { type: 'fixed_price', value: 150 }, 0, 10)], at, ctx())).toBeUndefined();
    expect(promotionalPrice(regular, [promo('p', { type: 'percentage', value: 20 }, 10, 20)], at, ctx())).toBeUndefined();
  });

  it('resolves overlaps per the rule: best for the customer, or highest priority', () => {
    const list = [promo('small', { type: 'percentage', value: 10 }, 0, 10, 5), promo('big', { type: 'percentage', value: 30 }, 0, 10, 1)];
    const at = new Date(T0 + 1);
    expect(promotionalPrice(regular, list, at, ctx('best_for_customer'))?.promotion.key).toBe('big');
    expect(promotionalPrice(regular, list, at, ctx('highest_priority'))?.promotion.key).toBe('small');
    expect(promotionalPrice(regular, list, at, ctx())?.because).toMatch(/promotion "BIG" \(big\): 30% off → 70.00 PLN.*beats "SMALL"/);
  });
});

const arbPromo = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd'),
  type: fc.constantFrom('percentage', 'amount', 'fixed_price') as fc.Arbitrary<Promotion['discount']['type']>,
  value: fc.integer({ min: 1, max: 100 }),
  from: fc.integer({ min: 0, max: 100 }),
  length: fc.integer({ min: 1, max: 100 }),
  priority: fc.integer({ min: -3, max: 3 }),
}).map((r) => promo(r.key, { type: r.type, value: r.value }, r.from, r.from + r.length, r.priority));
const arbList = fc.uniqueArray(arbPromo, { selector: (p) => p.key, maxLength: 4 });
const arbCtx = fc.record({ combine: fc.constantFrom<PromotionCombine>('best_for_customer', 'highest_priority'), rounding: fc.constantFrom(...ROUNDINGS), rate: fc.constantFrom(1, 0.25, 4) });
const arbRegular = fc.integer({ min: 1, max: 1_000_000 }).map((c) => ({ ...regular, gross: (c / 100).toFixed(2) }));

describe('invariants (property tests)', () => {
  it('the price is never below 0 nor above regular, and is set by a promotion running at that instant', () => {
    fc.assert(fc.property(arbRegular, arbList, arbCtx, fc.integer({ min: -10, max: 220 }), (reg, list, c, t) => {
      const p = promotionalPrice(reg, list, new Date(T0 + t), c);
      if (!p) return;
      expect(Number(p.gross)).toBeGreaterThanOrEqual(0);
      expect(Number(p.gross)).toBeLessThan(Number(reg.gross));
      expect(p.promotion.startsAt.getTime()).toBeLessThanOrEqual(T0 + t);
      expect(p.promotion.endsAt.getTime()).toBeGreaterThan(T0 + t);
    }));
  });

  it('best for the customer is never dearer than any single running promotion; the answer ignores input order', () => {
    fc.assert(fc.property(arbRegular, arbList, arbCtx, fc.integer({ min: 0, max: 200 }), (reg, list, c, t) => {
      const at = new Date(T0 + t);
      const best = promotionalPrice(reg, list, at, { ...c, combine: 'best_for_customer' });
      for (const one of list) {
        const single = promotionalPrice(reg, [one], at, c);
        if (single) expect(Number(best!.gross)).toBeLessThanOrEqual(Number(single.gross));
      }
      expect(promotionalPrice(reg, [...list].reverse(), at, c)?.promotion.key).toBe(promotionalPrice(reg, list, at, c)?.promotion.key);
    }));
  });

  it('nothing changes between an instant and the next boundary; the timeline agrees with the price at every instant', () => {
    fc.assert(fc.property(arbRegular, arbList, arbCtx, fc.integer({ min: -10, max: 200 }), (reg, list, c, t) => {
      const at = new Date(T0 + t);
      const next = nextBoundary(list, at);
      const now = promotionalPrice(reg, list, at, c);
      if (next) {
        expect(next.getTime()).toBeGreaterThan(at.getTime());
        const justBefore = promotionalPrice(reg, list, new Date(next.getTime() - 1), c);
        expect(justBefore?.gross).toBe(now?.gross);
      } else {
        expect(list.every((p) => p.endsAt.getTime() <= at.getTime() || p.startsAt.getTime() <= at.getTime())).toBe(true);
      }
      const timeline = promotionTimeline(reg, list, c);
      const inSegment = timeline.find((s) => s.from.getTime() <= at.getTime() && at.getTime() < s.to.getTime());
      expect(inSegment?.price.gross).toBe(now?.gross);
      expect(inSegment?.price.promotion.key).toBe(now?.promotion.key);
      const hold = segmentToHold(timeline, at);
      if (inSegment) expect(hold).toBe(inSegment);
      else if (hold) expect(hold.from.getTime()).toBeGreaterThan(at.getTime());
    }));
  });
});
