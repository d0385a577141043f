/**
 * PrestaShop stores and filters dates as naive `Y-m-d H:i:s` values in the shop's own time zone (recorded
 * README, surprise 14), so watermarks are kept in that clock and converted only for the hub's ISO fields.
 */
function parts(date: Date, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  for (const p of fmt.formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** A Date as the shop's local `Y-m-d H:i:s`. */
export function toShopTime(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** A shop-local `Y-m-d H:i:s` as an ISO instant; undefined for PrestaShop's "no date" `0000-00-00 …` or junk. */
export function fromShopTime(local: string | undefined, timeZone: string): string | undefined {
  const m = local ? NAIVE.exec(local) : null;
  if (!m || m[1] === '0000') return undefined;
  const asUtc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  // The zone's offset at that moment, found by formatting the guess back (twice, to settle across DST edges).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(guess), timeZone);
    const shown = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    guess = asUtc - (shown - guess);
  }
  return new Date(guess).toISOString();
}

/** Shop-local time minus `seconds`. */
export function minusSeconds(local: string, seconds: number, timeZone: string): string {
  const iso = fromShopTime(local, timeZone);
  if (!iso) return local;
  return toShopTime(new Date(Date.parse(iso) - seconds * 1000), timeZone);
}
