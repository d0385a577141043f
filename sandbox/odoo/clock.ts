/**
 * Odoo stores datetimes as naive UTC strings "YYYY-MM-DD HH:MM:SS" (fields.Datetime, DEFAULT_SERVER_DATETIME_FORMAT)
 * and dates as "YYYY-MM-DD". Change detection compares these strings, so the simulator formats every timestamp the
 * same way and keeps one-second resolution: two writes within the same second share a `write_date`, as on a real
 * server (a poller must overlap its cursor).
 */
export type Clock = () => number;

export function odooDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function odooDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates and normalizes a datetime value the way `fields.Datetime.to_datetime` accepts it (a date alone = midnight). */
export function parseOdooDatetime(value: string): string | undefined {
  if (!DATETIME_RE.test(value)) return undefined;
  const full = value.length === 10 ? `${value} 00:00:00` : value.slice(0, 19);
  return Number.isNaN(Date.parse(full.replace(' ', 'T') + 'Z')) ? undefined : full;
}

export function parseOdooDate(value: string): string | undefined {
  const v = value.length > 10 && DATETIME_RE.test(value) ? value.slice(0, 10) : value;
  if (!DATE_RE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) return undefined;
  return v;
}

export function datetimeToMs(value: string): number {
  return Date.parse(value.replace(' ', 'T') + 'Z');
}
