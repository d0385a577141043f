import { describe, expect, it } from 'vitest';
import { channelPrice, mergePriceRules, priceRulesSchema } from './price-rules.ts';
import { availableToSell, mergeStockPolicy, stockPolicySchema } from './stock-policy.ts';

const policy = (p: object) => stockPolicySchema.parse(p);
const rules = (r: object) => priceRulesSchema.parse(r);
const base = { gross: '123.00', net: '100.00', taxRate: '0.23', currency: 'PLN' };

describe('availableToSell', () => {
  it.each([
    [{ onHand: 10, reserved: 0 }, {}, 10],
    [{ onHand: 10, reserved: 1 }, { buffer: 2 }, 7],
    [{ onHand: 10, reserved: 1 }, { buffer: 2, percentage: 50 }, 3],
    [{ onHand: 100, reserved: 0 }, { cap: 20 }, 20],
    [{ onHand: 3, reserved: 0 }, { minimum: 5 }, 0],
    [{ onHand: 1, reserved: 3 }, {}, 0],
    [{ onHand: -4, reserved: 0 }, {}, 0],
  ])('%o with %o shows %i', (stock, p, expected) => {
    expect(availableToSell(stock, policy(p))).toBe(expected);
  });

  it('a connection overrides only what it sets', () => {
    expect(mergeStockPolicy(policy({ buffer: 1, percentage: 80 }), { buffer: 3 })).toEqual(policy({ buffer: 3, percentage: 80 }));
  });
});

describe('channelPrice', () => {
  it('keeps the base price without rules', () => {
    expect(channelPrice('A', base, rules({}), undefined)).toMatchObject({ gross: '123.00', net: '100.00', currency: 'PLN', because: [] });
  });

  it('applies markup, add, rounding in order and says why', () => {
    const p = channelPrice('A', base, rules({ markupPercent: 5, add: 1, rounding: '.99' }), undefined);
    expect(p.gross).toBe('129.99'); // 123 × 1.05 = 129.15, + 1 = 130.15 → nearest .99 = 129.99
    expect(p.net).toBe('105.68');
    expect(p.because).toEqual(['markup 5%', 'add 1', 'rounded to .99']);
  });

  it.each([
    ['whole', '10.49', '10.00'],
    ['whole', '10.50', '11.00'],
    ['.99', '10.00', '9.99'],
    ['.99', '10.70', '10.99'],
    ['.49', '10.10', '10.49'],
    ['.49', '10.90', '10.49'],
  ] as const)('rounding %s: %s → %s', (rounding, gross, expected) => {
    expect(channelPrice('A', { ...base, gross }, rules({ rounding }), undefined).gross).toBe(expected);
  });

  it('converts currency with the configured rate, then floors and ceilings', () => {
    const currencies = { base: 'PLN', rates: { EUR: 0.25 } };
    expect(channelPrice('A', base, rules({ currency: 'EUR' }), currencies)).toMatchObject({ gross: '30.75', currency: 'EUR' });
    expect(channelPrice('A', base, rules({ currency: 'EUR', floor: 40 }), currencies).gross).toBe('40.00');
    expect(channelPrice('A', base, rules({ ceiling: 50 }), currencies).gross).toBe('50.00');
    expect(() => channelPrice('A', base, rules({ currency: 'USD' }), currencies)).toThrow(/no exchange rate from PLN to USD/);
  });

  it('a per-SKU override wins over every rule', () => {
    const r = mergePriceRules(rules({ markupPercent: 50, overrides: { A: 10 } }), { overrides: { B: 20 } });
    expect(channelPrice('A', base, r, undefined)).toMatchObject({ gross: '10.00', because: ['override 10.00 PLN'] });
    expect(channelPrice('B', base, r, undefined).gross).toBe('20.00');
    expect(channelPrice('C', base, r, undefined).gross).toBe('184.50');
  });
});

describe('catalogue maps', () => {
  it('renames categories and attributes for a channel, and says when a category has no mapping', async () => {
    const { catalogMapsSchema, mapAttributes, mapCategory } = await import('./catalog-maps.ts');
    const maps = catalogMapsSchema.parse({ categories: { 'Men/Shirts': '1234' }, attributes: { colour: 'Kolor' } });
    expect(mapCategory('Men/Shirts', maps)).toEqual({ value: '1234', unmapped: false });
    expect(mapCategory('Women/Shoes', maps)).toEqual({ value: 'Women/Shoes', unmapped: true });
    expect(mapCategory('Any', catalogMapsSchema.parse({}))).toEqual({ value: 'Any', unmapped: false });
    expect(mapAttributes({ colour: 'red', size: 'M' }, maps)).toEqual({ Kolor: 'red', size: 'M' });
  });
});
