import { closest } from './closest.ts';
import { PsError } from './errors.ts';
import type { Entity } from './model.ts';
import { isLang } from './model.ts';
import type { ResourceDef } from './resources.ts';

/**
 * List parameters with the semantics of WebserviceRequest::getSQLRetrieveFilter / manageFilters (see the channel
 * notes §1.5): `[a|b]` OR, `[a,b]` inclusive BETWEEN (bounds sorted), `>[x]` / `<[x]` strict, `![a|b]` NOT,
 * `[x]%` / `%[x]` / `%[x]%` LIKE (case-insensitive), `[x]` or bare `x` equality. Date fields are filterable and
 * sortable only with `date=1`.
 */
export type Display = 'refs' | 'full' | Set<string>;

export interface ListQuery {
  display: Display;
  filters: Array<{ field: string; test: (v: string) => boolean }>;
  sort: Array<{ field: string; desc: boolean }>;
  offset: number;
  count?: number;
}

const DATE_FIELDS = new Set(['date_add', 'date_upd']);

function cmp(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeToRegex(pattern: string): RegExp {
  const esc = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.');
  return new RegExp(`^${esc}$`, 'is');
}

/** Builds the predicate for one filter value. */
export function filterPredicate(raw: string): (v: string) => boolean {
  let m: RegExpExecArray | null;
  if ((m = /^>\[(.*)\]$/s.exec(raw))) {
    const x = m[1]!;
    return (v) => cmp(v, x) > 0;
  }
  if ((m = /^<\[(.*)\]$/s.exec(raw))) {
    const x = m[1]!;
    return (v) => cmp(v, x) < 0;
  }
  if ((m = /^!\[(.*)\]$/s.exec(raw))) {
    const xs = m[1]!.split('|');
    return (v) => xs.every((x) => cmp(v, x) !== 0);
  }
  if ((m = /^(%?)\[(.*)\](%?)$/s.exec(raw)) && (m[1] || m[3])) {
    const re = likeToRegex(`${m[1]}${m[2]}${m[3]}`);
    return (v) => re.test(v);
  }
  if ((m = /^\[(.*)\]$/s.exec(raw))) {
    const inner = m[1]!;
    // An interval only when the bounds are made of digits, '.', ':', '-' and spaces (as the core's regex).
    const iv = /^([\d.:\- ]+),([\d.:\- ]+)$/.exec(inner);
    if (iv) {
      const [lo, hi] = [iv[1]!.trim(), iv[2]!.trim()].sort(cmp);
      return (v) => cmp(v, lo!) >= 0 && cmp(v, hi!) <= 0;
    }
    const xs = inner.split('|');
    return (v) => xs.some((x) => cmp(v, x) === 0);
  }
  return (v) => cmp(v, raw) === 0;
}

const BAD_FILTER_WARNINGS = [1333, 1334, 1335, 1336].map((line) => ({
  code: 3,
  message: `[PHP Warning #2] Trying to access array offset on value of type bool (<shop-root>/classes/webservice/WebserviceRequest.php, line ${line})`,
}));

export function parseListQuery(def: ResourceDef, params: URLSearchParams): ListQuery {
  const dateOn = params.get('date') === '1';
  const known = (name: string) => name === 'id' || def.fields.some((f) => f.name === name);
  const usable = (name: string) => known(name) && (dateOn || !DATE_FIELDS.has(name));
  const filterList = ['id', ...def.fields.filter((f) => !f.multilingual && (dateOn || !DATE_FIELDS.has(f.name))).map((f) => f.name)];

  let display: Display = 'refs';
  const d = params.get('display');
  if (d === 'full') display = 'full';
  else if (d) {
    const names = d.replace(/^\[|\]$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const n of names) {
      if (!known(n) && n !== 'associations') {
        throw PsError.one(400, 35, `Unable to display this field "${n}". However, these are available: "${filterList.join('", "')}"`);
      }
    }
    display = new Set(names);
  }

  const filters: ListQuery['filters'] = [];
  for (const [k, raw] of params) {
    const m = /^filter\[(\w+)\]$/.exec(k);
    if (!m) continue;
    const field = m[1]!;
    if (!usable(field)) {
      // A bad filter name answers 500 with code 32 and four PHP warnings (recorded 097).
      throw new PsError(500, [
        { code: 32, message: `This filter does not exist. Did you mean: "${closest(field, filterList)}"? The full list is: "${filterList.join('", "')}"` },
        ...BAD_FILTER_WARNINGS,
      ]);
    }
    filters.push({ field, test: filterPredicate(raw) });
  }

  const sort: ListQuery['sort'] = [];
  const s = params.get('sort');
  if (s) {
    for (const part of s.replace(/^\[|\]$/g, '').split(',').filter(Boolean)) {
      const i = part.lastIndexOf('_');
      const field = part.slice(0, i);
      const dir = part.slice(i + 1).toUpperCase();
      if (i < 0 || (dir !== 'ASC' && dir !== 'DESC')) {
        throw PsError.one(400, 38, `The "sort" value has to be formed as this example: "field_ASC" or "field_DESC" ("${part}" given)`);
      }
      if (!usable(field)) {
        throw PsError.one(400, 39, `Unable to sort by this field "${field}". However, these are available: "${filterList.join('", "')}"`);
      }
      sort.push({ field, desc: dir === 'DESC' });
    }
  }

  let offset = 0;
  let count: number | undefined;
  const l = params.get('limit');
  if (l) {
    const lm = /^(\d+)(?:,(\d+))?$/.exec(l.trim());
    if (!lm) throw PsError.one(400, 40, `The "limit" value has to be formed as this example: "5,25" or "10"`);
    if (lm[2] !== undefined) {
      offset = Number(lm[1]);
      count = Number(lm[2]);
    } else count = Number(lm[1]);
  }
  return { display, filters, sort, offset, ...(count !== undefined ? { count } : {}) };
}

function valuesFor(e: Entity, field: string): string[] {
  if (field === 'id') return [String(e.id)];
  const v = e.fields[field];
  if (v === undefined) return [''];
  return isLang(v) ? Object.values(v) : [v];
}

export function applyListQuery(items: Entity[], q: ListQuery): Entity[] {
  let out = items.filter((e) => q.filters.every((f) => valuesFor(e, f.field).some((v) => f.test(v))));
  // Without `sort` MySQL answers in storage order, which is not always the id order (recorded 021: categories
  // 1,2,3,6,9,4…): the store keeps insertion order and that is what comes back.
  if (q.sort.length) {
    out = [...out].sort((a, b) => {
      for (const k of q.sort) {
        const c = cmp(valuesFor(a, k.field)[0]!, valuesFor(b, k.field)[0]!);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
  }
  return out.slice(q.offset, q.count !== undefined ? q.offset + q.count : undefined);
}
