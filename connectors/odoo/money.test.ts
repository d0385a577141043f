import { describe, expect, it } from 'vitest';
import { addTax, floatToDecimal, grossAndNet, removeTax } from './money.ts';

describe('money', () => {
  it('rounds Odoo floats to cents without float noise', () => {
    expect(floatToDecimal(35.991)).toBe('35.99');
    expect(floatToDecimal(1.005)).toBe('1.01');
    expect(floatToDecimal(84)).toBe('84.00');
    expect(floatToDecimal(-0.004)).toBe('0.00');
    expect(floatToDecimal(-2.5)).toBe('-2.50');
  });
  it('derives gross from net and back with integer arithmetic', () => {
    expect(addTax('39.99', '0.23')).toBe('49.19');
    expect(removeTax('49.19', '0.23')).toBe('39.99');
    expect(grossAndNet('100.00', true, undefined)).toEqual({ gross: '100.00' });
    expect(grossAndNet('100.00', false, '0.08')).toEqual({ net: '100.00', gross: '108.00' });
  });
});
