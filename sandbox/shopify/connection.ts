import { ShopifyFieldError } from './errors.ts';

/**
 * Relay cursor pagination as Shopify serves it: `first`/`after` forward, `last`/`before` backward, one of `first`
 * or `last` required, at most 250 per page. Cursors are opaque base64 of the sort value and id of the item, so a
 * cursor stays valid when the item it points at is deleted or the list grows in between pages.
 */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 250;

interface CursorData {
  last_id: number;
  last_value: string | number;
}

export function encodeCursor(id: number, value: string | number): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: value } satisfies CursorData)).toString('base64');
}

function decodeCursor(cursor: string): CursorData {
  try {
    const data = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as CursorData;
    if (typeof data.last_id === 'number') return data;
  } catch {
    /* fall through */
  }
  throw new ShopifyFieldError(`Invalid cursor for current pagination sort.`, { code: 'BAD_REQUEST' });
}

/**
 * Pages `records`, already filtered, after sorting them by `sortValue` then id (reversed when `reverse`).
 * `toNode` turns a record into the GraphQL view object.
 */
export function paginate<R extends { id: number }, N>(
  records: R[],
  args: ConnectionArgs,
  sortValue: (r: R) => string | number,
  toNode: (r: R) => N,
): Connection<N> {
  const { first, last, after, before } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new ShopifyFieldError('you must provide one of first or last', { code: 'BAD_REQUEST' });
  }
  for (const [name, n] of [['first', first], ['last', last]] as const) {
    if (n !== undefined && n !== null && (n < 0 || n > MAX_PAGE_SIZE)) {
      throw new ShopifyFieldError(`The value of ${name} must be between 0 and ${MAX_PAGE_SIZE}.`, { code: 'BAD_REQUEST' });
    }
  }
  const dir = args.reverse ? -1 : 1;
  const cmp = (a: { v: string | number; id: number }, b: { v: string | number; id: number }) =>
    dir * (a.v < b.v ? -1 : a.v > b.v ? 1 : a.id - b.id);
  const sorted = records.map((r) => ({ r, v: sortValue(r), id: r.id })).sort(cmp);
  let start = 0;
  let end = sorted.length;
  if (after) {
    const c = decodeCursor(after);
    const at = { v: c.last_value, id: c.last_id };
    start = sorted.findIndex((x) => cmp(x, at) > 0);
    if (start < 0) start = sorted.length;
  }
  if (before) {
    const c = decodeCursor(before);
    const at = { v: c.last_value, id: c.last_id };
    const idx = sorted.findIndex((x) => cmp(x, at) >= 0);
    end = idx < 0 ? sorted.length : idx;
  }
  let window = sorted.slice(start, Math.max(start, end));
  let hasNextPage = end < sorted.length;
  let hasPreviousPage = start > 0;
  if (first !== undefined && first !== null && window.length > first) {
    window = window.slice(0, first);
    hasNextPage = true;
  }
  if (last !== undefined && last !== null && window.length > last) {
    window = window.slice(window.length - last);
    hasPreviousPage = true;
  }
  const edges = window.map((x) => ({ cursor: encodeCursor(x.id, x.v), node: toNode(x.r) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
