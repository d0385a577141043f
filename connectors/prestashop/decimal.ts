/**
 * Exact decimal arithmetic for money, as scaled integers with 6 decimals: PrestaShop stores prices as
 * DECIMAL(20,6), and floats would turn 19.99 − 9.99 into 9.999999999.
 */
const SCALE = 1_000_000n;

export function toMicros(value: string | number): bigint {
  const text = typeof value === 'number' ? value.toFixed(6) : value.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) throw new Error(`not a decimal number: "${text}"`);
  const frac = (m[3] ?? '').padEnd(7, '0');
  // Round half away from zero at the 6th decimal.
  let micros = BigInt(m[2] || '0') * SCALE + BigInt(frac.slice(0, 6));
  if (Number(frac[6]) >= 5) micros += 1n;
  return m[1] === '-' ? -micros : micros;
}

/** `"12.340000"`: PrestaShop's own 6-decimal form. */
export function fromMicros(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const s = `${abs / SCALE}.${String(abs % SCALE).padStart(6, '0')}`;
  return neg && abs !== 0n ? `-${s}` : s;
}

/** Rounded to `places` decimals (half away from zero), trailing zeros kept: `"12.34"`. */
export function round(micros: bigint, places: number): string {
  const step = 10n ** BigInt(6 - places);
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const r = ((abs + step / 2n) / step) * step;
  const full = fromMicros(neg ? -r : r);
  return places === 0 ? full.split('.')[0]! : full.slice(0, full.length - (6 - places));
}

export const decimal6 = (value: string | number): string => fromMicros(toMicros(value));

export function sub(a: string, b: string): string {
  return fromMicros(toMicros(a) - toMicros(b));
}

/** a × (1 + rate), e.g. a net price and a tax rate "0.23". */
export function withTax(net: string, rate: string): bigint {
  return (toMicros(net) * (SCALE + toMicros(rate)) + SCALE / 2n) / SCALE;
}

/** 1 − part / whole as a fraction, when it is a whole number of hundredths of a percent (0.2, 0.125); else undefined. */
export function exactDiscountFraction(part: string, whole: string): string | undefined {
  const p = toMicros(part);
  const w = toMicros(whole);
  if (w <= 0n || p < 0n || p >= w) return undefined;
  const num = (w - p) * 10_000n;
  if (num % w !== 0n) return undefined;
  return String(Number(num / w) / 10_000);
}
