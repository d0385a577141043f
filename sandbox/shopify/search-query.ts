/**
 * Shopify's `query:` search syntax, the part connectors use: space-separated terms ANDed together, each either a
 * bare word (matched against the default field) or `field:value` with an optional comparator (`:>`, `:>=`, `:<`,
 * `:<=`), quoted values ('…' or "…"), `-field:value` / `NOT field:value` negation, and `OR` between terms.
 * Unknown fields do not fail the request: Shopify ignores them and reports a warning in `extensions.search`.
 */
export interface SearchTerm {
  field: string;
  op: '=' | '>' | '>=' | '<' | '<=';
  value: string;
  negate: boolean;
}

/** A disjunction of conjunctions: [[a, b], [c]] means (a AND b) OR c. */
export type SearchQuery = SearchTerm[][];

export function parseSearch(text: string | null | undefined): SearchQuery {
  if (!text || !text.trim()) return [];
  const tokens = [...text.matchAll(/(-?)([\w.]+:(?:>=|<=|>|<)?)?("[^"]*"|'[^']*'|\S+)/g)];
  const groups: SearchQuery = [[]];
  let negateNext = false;
  for (const t of tokens) {
    const [, minus, fieldPart, rawValue] = t;
    if (!fieldPart && (rawValue === 'OR')) {
      groups.push([]);
      continue;
    }
    if (!fieldPart && (rawValue === 'AND')) continue;
    if (!fieldPart && rawValue === 'NOT') {
      negateNext = true;
      continue;
    }
    const value = rawValue!.replace(/^(['"])(.*)\1$/, '$2');
    let field = 'default';
    let op: SearchTerm['op'] = '=';
    if (fieldPart) {
      const m = fieldPart.match(/^([\w.]+):(>=|<=|>|<)?$/)!;
      field = m[1]!;
      op = (m[2] as SearchTerm['op'] | undefined) ?? '=';
    }
    groups[groups.length - 1]!.push({ field, op, value, negate: minus === '-' || negateNext });
    negateNext = false;
  }
  return groups.filter((g) => g.length > 0);
}

/** How one searchable field reads its value from a record: a string, a number, or a time in ms. */
export type FieldReader<T> =
  | { kind: 'text'; get: (r: T) => Array<string | null | undefined> | string | null | undefined; exact?: boolean }
  | { kind: 'number'; get: (r: T) => number | null | undefined }
  | { kind: 'time'; get: (r: T) => number | null | undefined };

export interface SearchWarning {
  field: string;
  message: string;
}

export function matchSearch<T>(
  query: SearchQuery,
  fields: Record<string, FieldReader<T>>,
  record: T,
  warnings: SearchWarning[],
): boolean {
  if (query.length === 0) return true;
  return query.some((group) =>
    group.every((term) => {
      const reader = fields[term.field];
      if (!reader) {
        if (!warnings.some((w) => w.field === term.field)) {
          warnings.push({ field: term.field, message: 'Invalid search field for this query.' });
        }
        return true;
      }
      const hit = matchTerm(reader, term, record);
      return term.negate ? !hit : hit;
    }),
  );
}

function matchTerm<T>(reader: FieldReader<T>, term: SearchTerm, record: T): boolean {
  if (reader.kind === 'text') {
    const raw = reader.get(record);
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    const wanted = term.value.toLowerCase();
    // A trailing `*` is a prefix search; otherwise Shopify matches whole values for exact fields (sku, handle, …)
    // and words for free-text ones (title).
    if (wanted.endsWith('*')) return values.some((v) => v.toLowerCase().startsWith(wanted.slice(0, -1)));
    return values.some((v) => (reader.exact ? v.toLowerCase() === wanted : v.toLowerCase().includes(wanted)));
  }
  const actual = reader.get(record);
  if (actual === null || actual === undefined) return false;
  const expected = reader.kind === 'time' ? parseTime(term.value) : Number(term.value);
  if (expected === undefined || Number.isNaN(expected)) return false;
  switch (term.op) {
    case '=':
      return actual === expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
  }
}

function parseTime(value: string): number | undefined {
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
