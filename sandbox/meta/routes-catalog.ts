import { Hono } from 'hono';
import { productNode, type Catalog } from './catalog-store.ts';
import { catalogBatchRateLimited, GraphError, invalidParameter, unknownObject } from './graph-errors.ts';
import type { GraphEnv } from './graph-gate.ts';
import { paginate, readParams, selectFields, structured } from './graph-params.ts';
import type { MetaContext } from './context.ts';
import { UsageWindow } from './usage-window.ts';

/**
 * Catalog (Commerce) edges: `POST /{catalog_id}/items_batch`, `GET /{catalog_id}/check_batch_request_status`,
 * `GET /{catalog_id}/products`, and the catalogue node itself (`GET /{catalog_id}`, routed from routes-nodes.ts).
 */
export function catalogRoutes(ctx: MetaContext): Hono<GraphEnv> {
  const api = new Hono<GraphEnv>();
  const buc = ctx.catalogs.batchUsage;

  const catalogOr404 = (id: string, method: string): Catalog => {
    const cat = ctx.catalogs.catalogs.get(id);
    if (!cat) throw unknownObject(id, method);
    return cat;
  };

  const bucHeader = (catalogId: string, w: UsageWindow) =>
    JSON.stringify({
      [catalogId]: [
        {
          type: 'catalog_batch',
          call_count: w.percent(),
          total_cputime: Math.min(w.percent(), 1),
          total_time: Math.min(w.percent(), 1),
          estimated_time_to_regain_access: w.minutesToRegain(),
        },
      ],
    });

  api.post('/:version/:catalogId/items_batch', async (c) => {
    const cat = catalogOr404(c.req.param('catalogId'), 'POST');
    let window = buc.get(cat.id);
    if (!window) {
      window = new UsageWindow(Math.ceil(ctx.options.catalogBatchCallsPerHour * ctx.options.rateLimitScale), 3_600_000, ctx.clock.fn);
      buc.set(cat.id, window);
    }
    if (!window.take()) throw catalogBatchRateLimited(bucHeader(cat.id, window));
    c.header('X-Business-Use-Case-Usage', bucHeader(cat.id, window));

    const params = await readParams(c);
    if (params.item_type === undefined) throw invalidParameter('The parameter item_type is required');
    if (params.item_type !== 'PRODUCT_ITEM') {
      throw invalidParameter(`param item_type must be one of {PRODUCT_ITEM} for this simulator; got ${JSON.stringify(params.item_type)}`);
    }
    const requests = structured(params, 'requests');
    if (requests === undefined) throw invalidParameter('The parameter requests is required');
    if (!Array.isArray(requests)) throw invalidParameter('param requests must be an array.');
    if (requests.length === 0) throw invalidParameter('param requests must be a non-empty array.');
    if (requests.length > ctx.options.maxBatchRequests) {
      throw invalidParameter(`param requests must be an array with at most ${ctx.options.maxBatchRequests} elements; got ${requests.length}.`);
    }
    const upsert = params.allow_upsert === undefined ? true : params.allow_upsert === true || params.allow_upsert === 'true';
    const batch = ctx.catalogs.submit(cat, requests, upsert);
    // validation_status lists items that failed the synchronous checks, grouped per retailer id.
    const byId = new Map<string, { retailer_id: string; errors: Array<{ message: string }>; warnings: Array<{ message: string }> }>();
    for (const e of batch.errors) {
      const key = e.id ?? `line ${e.line}`;
      const entry = byId.get(key) ?? { retailer_id: key, errors: [], warnings: [] };
      entry.errors.push({ message: e.message });
      byId.set(key, entry);
    }
    return c.json({ handles: [batch.handle], validation_status: [...byId.values()] });
  });

  api.get('/:version/:catalogId/check_batch_request_status', (c) => {
    const cat = catalogOr404(c.req.param('catalogId'), 'GET');
    const handle = c.req.query('handle');
    if (!handle) throw invalidParameter('The parameter handle is required');
    ctx.catalogs.processDue(cat);
    const batch = cat.batches.get(handle);
    if (!batch) throw invalidParameter(`Invalid handle: ${handle}`);
    const loadIds = c.req.query('load_ids_of_invalid_requests') === 'true';
    const finished = batch.status === 'finished';
    // Per-item results are only known once the batch has been processed, as on the real service.
    const entry: Record<string, unknown> = {
      handle: batch.handle,
      status: batch.status,
      errors_total_count: finished ? batch.errors.length : 0,
      errors: finished ? batch.errors : [],
      warnings_total_count: finished ? batch.warnings.length : 0,
      warnings: finished ? batch.warnings : [],
    };
    if (loadIds) entry.ids_of_invalid_requests = finished ? batch.invalidIds : [];
    return c.json({ data: [entry] });
  });

  api.get('/:version/:catalogId/products', (c) => {
    const cat = catalogOr404(c.req.param('catalogId'), 'GET');
    ctx.catalogs.processDue(cat);
    const now = ctx.clock.now();
    const params = Object.fromEntries(new URL(c.req.url).searchParams);
    const filter = params.filter !== undefined ? structured(params, 'filter') : undefined;
    const nodes = [...cat.items.values()].map((i) => productNode(i, now)).filter((n) => matchesFilter(n, filter));
    const page = paginate(c, nodes);
    return c.json({ ...page, data: page.data.map((n) => selectFields(n, params.fields, ['retailer_id', 'name'])) });
  });

  api.onError((err, c) => {
    if (err instanceof GraphError) return ctx.errorResponse(c, err);
    throw err;
  });
  return api;
}

/**
 * Graph product filters: `{"retailer_id":{"eq":"sku-1"}}`, operators eq, neq, is_any, is_not_any, i_contains,
 * i_not_contains, lt, gt, and `{"and":[…]}` / `{"or":[…]}`.
 */
export function matchesFilter(node: Record<string, unknown>, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  if (typeof filter !== 'object' || Array.isArray(filter)) throw invalidParameter('Invalid filter: must be a JSON object');
  for (const [key, cond] of Object.entries(filter as Record<string, unknown>)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(cond)) throw invalidParameter(`Invalid filter: ${key} takes an array`);
      const results = cond.map((f) => matchesFilter(node, f));
      if (key === 'and' ? !results.every(Boolean) : !results.some(Boolean)) return false;
      continue;
    }
    if (typeof cond !== 'object' || cond === null) throw invalidParameter(`Invalid filter for ${key}`);
    const actual = node[key === 'title' ? 'name' : key];
    for (const [op, expected] of Object.entries(cond as Record<string, unknown>)) {
      const a = actual === undefined ? undefined : String(actual);
      switch (op) {
        case 'eq':
          if (a !== String(expected)) return false;
          break;
        case 'neq':
          if (a === String(expected)) return false;
          break;
        case 'is_any':
        case 'is_not_any': {
          if (!Array.isArray(expected)) throw invalidParameter(`Invalid filter: ${op} takes an array`);
          const hit = expected.map(String).includes(a ?? '\u0000');
          if (op === 'is_any' ? !hit : hit) return false;
          break;
        }
        case 'i_contains':
        case 'i_not_contains': {
          const hit = (a ?? '').toLowerCase().includes(String(expected).toLowerCase());
          if (op === 'i_contains' ? !hit : hit) return false;
          break;
        }
        case 'lt':
        case 'gt': {
          const n = parseFloat(a ?? '');
          if (Number.isNaN(n) || (op === 'lt' ? !(n < Number(expected)) : !(n > Number(expected)))) return false;
          break;
        }
        default:
          throw invalidParameter(`Invalid filter operator ${op}`);
      }
    }
  }
  return true;
}
