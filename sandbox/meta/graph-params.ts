import type { Context } from 'hono';
import { invalidParameter } from './graph-errors.ts';

/**
 * Graph takes parameters from the query string, a JSON body or a form body alike; in a form body, structured
 * parameters (`requests`, `recipient`, `message`, `filter`) are JSON-encoded strings. This merges all three.
 */
export async function readParams(c: Context): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URL(c.req.url).searchParams) params[k] = v;
  if (c.req.method === 'GET') return params;
  const ct = c.req.header('content-type') ?? '';
  if (ct.includes('application/json')) {
    const text = await c.req.text();
    if (text.trim() === '') return params;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw invalidParameter('The request body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('The request body must be a JSON object');
    Object.assign(params, body);
  } else if (ct.includes('application/x-www-form-urlencoded') || ct.includes('multipart/form-data')) {
    const form = await c.req.parseBody();
    for (const [k, v] of Object.entries(form)) params[k] = v;
  }
  delete params.access_token;
  return params;
}

/** A structured parameter that may arrive as an object (JSON body) or as a JSON string (form/query). */
export function structured(params: Record<string, unknown>, name: string): unknown {
  const v = params[name];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw invalidParameter(`param ${name} must be valid JSON`);
  }
}

/** `fields=a,b,c` → the listed keys of each node (always keeping `id`). */
export function selectFields(node: Record<string, unknown>, fields: string | undefined, defaults: string[]): Record<string, unknown> {
  const wanted = fields ? fields.split(',').map((f) => f.trim()).filter(Boolean) : defaults;
  const out: Record<string, unknown> = {};
  for (const f of ['id', ...wanted]) if (node[f] !== undefined) out[f] = node[f];
  return out;
}

/** Cursor pagination in Graph's `{ data, paging: { cursors: { before, after }, next? } }` shape. */
export function paginate<T>(c: Context, all: T[], defaultLimit = 25): { data: T[]; paging?: Record<string, unknown> } {
  const url = new URL(c.req.url);
  const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? defaultLimit) || defaultLimit, 1), 1000);
  const after = url.searchParams.get('after');
  const start = after ? Number(Buffer.from(after, 'base64url').toString()) + 1 || 0 : 0;
  const data = all.slice(start, start + limit);
  if (data.length === 0) return { data };
  const enc = (i: number) => Buffer.from(String(i)).toString('base64url');
  const paging: Record<string, unknown> = { cursors: { before: enc(start), after: enc(start + data.length - 1) } };
  if (start + data.length < all.length) {
    url.searchParams.set('after', enc(start + data.length - 1));
    url.searchParams.delete('access_token');
    paging.next = url.toString();
  }
  return { data, paging };
}
