/**
 * Meta's money and date formats for catalogue items (docs §2): prices are strings "<decimal> <ISO-4217>"
 * ("12.99 PLN"), and a sale window is "<ISO-8601 start>/<ISO-8601 end>". The hub's money is decimal text; it is
 * rounded to cents with integer arithmetic, never through a float.
 */

/** "12.999" → "13.00"; undefined for negative or malformed amounts. Rounds half up. */
export function toCents(decimal: string): string | undefined {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(decimal.trim());
  if (!m) return undefined;
  const thousandths = BigInt(m[1]! + ((m[2] ?? '') + '000').slice(0, 3));
  const cents = (thousandths + 5n) / 10n;
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/** "12.99 PLN"; undefined when the amount cannot be sent. */
export function metaPrice(amount: string, currency: string): string | undefined {
  const cents = toCents(amount);
  return cents === undefined || !/^[A-Z]{3}$/.test(currency) ? undefined : `${cents} ${currency}`;
}

/** ISO 8601 to the second with an explicit offset, as in Meta's feed examples: 2026-11-25T00:00:00+00:00. */
export function metaTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}+00:00`;
}

export function metaWindow(start: Date, end: Date): string {
  return `${metaTime(start)}/${metaTime(end)}`;
}

/**
 * Reads a price as Graph returns it on a ProductItem. The simulator (and the feed) use "12.99 PLN"; the live Graph
 * field is a display string such as "PLN12.99", "12,99 zł" or "$1,299.00", so the amount is taken as the digits
 * with the last `.`/`,` followed by one or two digits as decimal separator, and the currency from `currency`.
 */
export function parseMetaPrice(value: string, fallbackCurrency: string | undefined): { amount: string; currency: string } | undefined {
  const exact = /^(\d+(?:\.\d+)?) ([A-Z]{3})$/.exec(value.trim());
  if (exact) return { amount: exact[1]!, currency: exact[2]! };
  const code = /\b([A-Z]{3})\b/.exec(value)?.[1] ?? fallbackCurrency;
  const numeric = /\d[\d\s.,\u00a0]*/.exec(value)?.[0]?.replace(/[\s\u00a0]/g, '');
  if (!code || !numeric) return undefined;
  const dec = /[.,](\d{1,2})$/.exec(numeric);
  const whole = (dec ? numeric.slice(0, -dec[0].length) : numeric).replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole)) return undefined;
  return { amount: dec ? `${whole}.${dec[1]}` : whole, currency: code };
}
