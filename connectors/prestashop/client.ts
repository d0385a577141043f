import { HTTPError } from 'ky';
import type { z } from 'zod';
import type { ConnectorContext } from '../../core/sdk/index.ts';
import type { PrestashopConfig } from './config.ts';
import { classifyPrestashop, parseErrorBody } from './errors.ts';
import { buildXml, parseResourceXml, type ResourceBody } from './xml.ts';

type Ctx = ConnectorContext<PrestashopConfig>;
export type Params = Record<string, string | number>;

/** Fields the webservice renders but refuses on write (synopsis `readOnly`, error 93): dropped before a PUT. */
const READ_ONLY: Record<string, string[]> = {
  products: ['manufacturer_name', 'quantity'],
  categories: ['level_depth', 'nb_products_recursive'],
};

/** Query string with every value percent-encoded (`filter[date_upd]=[a,b]` → `%5Ba%2Cb%5D`; spaces as %20). */
export function query(params: Params): string {
  const q = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return q ? `?${q}` : '';
}

/** Turns ky's HTTPError into the hub's kinds, reading PrestaShop's error envelope from the body. */
export async function failure(err: unknown, what: string): Promise<never> {
  if (err instanceof HTTPError) {
    const body = await err.response.text().catch(() => '');
    throw classifyPrestashop(err.response.status, parseErrorBody(body), err.response.headers.get('retry-after'), what);
  }
  throw err;
}

async function send(ctx: Ctx, method: string, path: string, what: string, body?: string): Promise<Response> {
  try {
    return await ctx.http(path, {
      method,
      ...(body !== undefined ? { body, headers: { 'Content-Type': 'text/xml; charset=utf-8' } } : {}),
    });
  } catch (err) {
    return failure(err, what);
  }
}

/** Multistore context on every call (`id_shop`), as the docs' cheat sheet says. */
const shop = (ctx: Ctx): Params => ({ id_shop: ctx.config.shopId });

/**
 * A JSON list (`display=…`). The webservice answers `{"<resource>":[…]}`, or a bare `[]` when nothing matched
 * (recorded 011). Every item is checked against `schema`; a bad one is an error naming the resource and field.
 */
export async function list<T extends z.ZodType>(ctx: Ctx, resource: string, schema: T, params: Params): Promise<Array<z.output<T>>> {
  const res = await send(ctx, 'GET', `${resource}${query({ ...params, ...shop(ctx), output_format: 'JSON' })}`, `GET ${resource}`);
  const text = await res.text();
  let doc: unknown;
  try {
    doc = text.trim() === '' ? [] : JSON.parse(text);
  } catch {
    throw new Error(`PrestaShop ${resource}: the answer is not JSON (starts with ${JSON.stringify(text.slice(0, 40))})`);
  }
  if (Array.isArray(doc)) return [];
  const items = (doc as Record<string, unknown>)?.[resource];
  if (!Array.isArray(items)) throw new Error(`PrestaShop ${resource}: the answer has no "${resource}" list`);
  return items.map((item, i) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`PrestaShop ${resource}[${i}].${issue.path.join('.')}: ${issue.message}`);
    }
    return parsed.data as z.output<T>;
  });
}

/** One record by id through a filtered list, which keeps "0"/empty fields the single-object JSON drops (recorded 042). */
export async function one<T extends z.ZodType>(ctx: Ctx, resource: string, schema: T, id: string | number): Promise<z.output<T> | undefined> {
  return (await list(ctx, resource, schema, { display: 'full', 'filter[id]': `[${id}]` }))[0];
}

/** One record in XML, whole, for a read-modify-PUT; null on 404 (empty-bodied, recorded 093). */
export async function getXml(ctx: Ctx, resource: string, node: string, id: string | number): Promise<(ResourceBody & { id: string }) | null> {
  try {
    const res = await ctx.http(`${resource}/${id}${query(shop(ctx))}`);
    return parseResourceXml(await res.text(), node);
  } catch (err) {
    if (err instanceof HTTPError && err.response.status === 404) return null;
    return failure(err, `GET ${resource}/${id}`);
  }
}

/** POST; answers XML (a JSON echo can fail with 500 although the record was saved, recorded 126). Returns the new id. */
export async function create(ctx: Ctx, resource: string, node: string, body: ResourceBody): Promise<string> {
  const res = await send(ctx, 'POST', `${resource}${query(shop(ctx))}`, `POST ${resource}`, buildXml(node, undefined, body));
  const created = parseResourceXml(await res.text(), node);
  if (!created.id) throw new Error(`PrestaShop POST ${resource}: the answer carries no id`);
  return created.id;
}

/**
 * Partial update. 8.x: PATCH with `<id>` and the changed nodes only. 1.7 has no PATCH: GET the whole resource
 * in XML, overlay the changes (multilingual fields per language, associations replaced), drop read-only
 * fields, PUT it all back (PUT is a full replace that checks required fields, recorded 043).
 */
export async function update(ctx: Ctx, resource: string, node: string, id: string | number, changes: ResourceBody): Promise<void> {
  if (ctx.config.version === '8') {
    await send(ctx, 'PATCH', `${resource}/${id}${query(shop(ctx))}`, `PATCH ${resource}/${id}`, buildXml(node, id, changes));
    return;
  }
  const current = await getXml(ctx, resource, node, id);
  if (!current) throw classifyPrestashop(404, [{ code: 92, message: `${resource} ${id} does not exist` }], null, `PUT ${resource}/${id}`);
  const fields = { ...current.fields };
  for (const name of READ_ONLY[resource] ?? []) delete fields[name];
  for (const [name, value] of Object.entries(changes.fields)) {
    const before = fields[name];
    fields[name] = typeof value !== 'string' && before !== undefined && typeof before !== 'string' ? { ...before, ...value } : value;
  }
  const associations = { ...current.associations, ...changes.associations };
  await send(ctx, 'PUT', `${resource}/${id}${query(shop(ctx))}`, `PUT ${resource}/${id}`, buildXml(node, id, { fields, associations }));
}

/** DELETE; false when the id was already gone (404, code 87, recorded 114). */
export async function remove(ctx: Ctx, resource: string, id: string | number): Promise<boolean> {
  try {
    await ctx.http.delete(`${resource}/${id}${query(shop(ctx))}`);
    return true;
  } catch (err) {
    if (err instanceof HTTPError && err.response.status === 404) return false;
    return failure(err, `DELETE ${resource}/${id}`);
  }
}
