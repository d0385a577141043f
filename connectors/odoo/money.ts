/**
 * Money as decimal text. Odoo sends prices as floats; they are rounded to the currency's cents once, at the edge,
 * and all further arithmetic (tax) is done on integers.
 */
const SCALE = 1_000_000n;

/** 35.991 → "35.99" (half away from zero, after clearing float noise such as 1.005 → 1.00499999…). */
export function floatToDecimal(value: number, decimals = 2): string {
  const scaled = Math.round(Math.abs(Number((value * 10 ** decimals).toPrecision(15))));
  const sign = value < 0 && scaled !== 0 ? '-' : '';
  const digits = String(scaled).padStart(decimals + 1, '0');
  return decimals === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

function toMicro(decimal: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(decimal);
  if (!m) throw new Error(`not a decimal: ${decimal}`);
  const v = BigInt(m[2]!) * SCALE + BigInt((m[3] ?? '').padEnd(6, '0'));
  return m[1] ? -v : v;
}

function fromMicro(micro: bigint, decimals: number): string {
  const unit = 10n ** BigInt(6 - decimals);
  const neg = micro < 0n;
  const abs = neg ? -micro : micro;
  const rounded = (abs + unit / 2n) / unit;
  const s = rounded.toString().padStart(decimals + 1, '0');
  const out = decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
  return neg && rounded !== 0n ? `-${out}` : out;
}

/** net × (1 + rate), rounded to the currency's decimals. */
export function addTax(net: string, rate: string, decimals = 2): string {
  return fromMicro((toMicro(net) * (SCALE + toMicro(rate))) / SCALE, decimals);
}

/** gross ÷ (1 + rate), rounded to the currency's decimals. */
export function removeTax(gross: string, rate: string, decimals = 2): string {
  return fromMicro((toMicro(gross) * SCALE) / (SCALE + toMicro(rate)), decimals);
}

/** Gross and net of a price Odoo shows, as far as the configuration tells (without a rate, only the shown one). */
export function grossAndNet(shown: string, pricesIncludeTax: boolean, taxRate: string | undefined): { gross?: string; net?: string } {
  if (pricesIncludeTax) return { gross: shown, ...(taxRate !== undefined ? { net: removeTax(shown, taxRate) } : {}) };
  return { net: shown, ...(taxRate !== undefined ? { gross: addTax(shown, taxRate) } : {}) };
}
