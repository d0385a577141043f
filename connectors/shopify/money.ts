import type { DesiredPrice } from '../../core/sdk/index.ts';
import type { ShopifyConfig } from './config.ts';

/**
 * Shopify shows one amount per variant, tax-inclusive or not by the shop's setting (config `pricesIncludeTax`).
 * `compareAt` arrives as a gross amount; in net mode it is converted with the price's own tax rate, in exact
 * decimal arithmetic (never floats), rounded half-up to cents.
 */
export function shownPrice(price: DesiredPrice, config: ShopifyConfig): { price: string; compareAtPrice: string | null } {
  const amount = config.pricesIncludeTax ? price.gross : price.net;
  const compareAt = price.compareAt === null ? null : config.pricesIncludeTax ? price.compareAt : netOf(price.compareAt, price.taxRate);
  return { price: amount, compareAtPrice: compareAt };
}

const SCALE = 6;
const toUnits = (value: string): bigint => {
  const [int, frac = ''] = value.replace(/^-/, '').split('.');
  const units = BigInt(int!) * 10n ** BigInt(SCALE) + BigInt((frac + '0'.repeat(SCALE)).slice(0, SCALE));
  return value.startsWith('-') ? -units : units;
};

/** gross / (1 + rate), rounded half-up to 2 decimals, as text. */
export function netOf(gross: string, taxRate: string): string {
  const one = 10n ** BigInt(SCALE);
  const g = toUnits(gross);
  const divisor = one + toUnits(taxRate);
  // cents = round(g / divisor * 100)
  const scaled = g * 100n * 2n;
  let cents = scaled / divisor;
  cents = cents >= 0n ? (cents + 1n) / 2n : (cents - 1n) / 2n;
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
