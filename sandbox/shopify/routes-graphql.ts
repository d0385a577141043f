import { randomUUID } from 'node:crypto';
import { execute, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { Hono } from 'hono';
import type { LeakyBucket } from '../common/rate-limit.ts';
import type { ShopContext } from './context.ts';
import { queryCost, operationOf } from './cost.ts';
import {
  INVALID_TOKEN_BODY,
  MISSING_QUERY_BODY,
  NOT_FOUND_BODY,
  ShopifyFieldError,
  maxCostExceededError,
  notImplemented,
  throttledError,
  type ShopifyGraphqlError,
} from './errors.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { parseDocument, toShopifyVariableError, validateDocument } from './validate.ts';

/**
 * `POST /admin/api/<version>/graphql.json`: auth → parse → validate (graphql-js against the real schema, errors in
 * Shopify's words) → requested cost → leaky bucket → execute → actual cost refund → `extensions.cost`.
 * Validation and syntax errors are HTTP 200 with `errors[]` and no `data`, as on Shopify; so is THROTTLED.
 */
export interface GraphqlRouteDeps {
  schema: GraphQLSchema;
  accessToken: string;
  bucket: LeakyBucket;
  maxQueryCost: number;
  rootValue: Record<string, unknown>;
  newContext: () => ShopContext;
}

/** Default field resolver: a view's value, or its function applied to the arguments; a missing field is refused. */
const fieldResolver: GraphQLFieldResolver<unknown, ShopContext> = (source, args, ctx, info) => {
  const value = (source as Record<string, unknown> | null)?.[info.fieldName];
  if (value === undefined) throw notImplemented(info.parentType.name, info.fieldName);
  return typeof value === 'function' ? (value as (a: unknown, c: unknown, i: unknown) => unknown)(args, ctx, info) : value;
};

function toShopifyError(e: GraphQLError): ShopifyGraphqlError {
  const original = e.originalError;
  return {
    message: e.message,
    ...(e.locations ? { locations: e.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
    ...(e.path ? { path: [...e.path] } : {}),
    ...(original instanceof ShopifyFieldError ? { extensions: original.extensions } : {}),
  };
}

export function graphqlRoutes(deps: GraphqlRouteDeps): Hono {
  const api = new Hono();
  api.post('/admin/api/:version/graphql.json', async (c) => {
    const headers = { 'X-Request-Id': randomUUID(), 'X-Shopify-API-Version': SCHEMA_VERSION };
    // Only the version whose schema is on disk: serving another version's requests with 2026-04 rules would
    // let a connector pass here and fail on the real shop.
    if (c.req.param('version') !== SCHEMA_VERSION) return c.json(NOT_FOUND_BODY, 404, headers);
    if (c.req.header('X-Shopify-Access-Token') !== deps.accessToken) return c.json(INVALID_TOKEN_BODY, 401, headers);

    let query: unknown;
    let variables: Record<string, unknown> = {};
    let operationName: string | undefined;
    const raw = await c.req.text();
    if ((c.req.header('Content-Type') ?? '').includes('application/graphql')) {
      query = raw;
    } else {
      try {
        const body = JSON.parse(raw) as { query?: unknown; variables?: unknown; operationName?: unknown };
        query = body.query;
        if (body.variables && typeof body.variables === 'object') variables = body.variables as Record<string, unknown>;
        if (typeof body.operationName === 'string') operationName = body.operationName;
      } catch {
        query = undefined;
      }
    }
    if (typeof query !== 'string' || query.trim() === '') return c.json(MISSING_QUERY_BODY, 400, headers);

    const parsed = parseDocument(query);
    if (!parsed.ok) return c.json({ errors: parsed.errors }, 200, headers);
    const document = parsed.document;
    const invalid = validateDocument(deps.schema, document);
    if (invalid.length) return c.json({ errors: invalid }, 200, headers);

    const operation = operationOf(document, operationName);
    const requested = operation ? queryCost(deps.schema, document, operation, variables) : 0;
    if (requested > deps.maxQueryCost) return c.json({ errors: [maxCostExceededError(requested, deps.maxQueryCost)] }, 200, headers);
    const throttleStatus = () => ({
      maximumAvailable: deps.bucket.capacity,
      currentlyAvailable: Math.floor(deps.bucket.current()),
      restoreRate: deps.bucket.restorePerSecond,
    });
    if (!deps.bucket.tryTake(requested)) {
      return c.json(
        { errors: [throttledError()], extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus() } } },
        200,
        headers,
      );
    }

    const ctx = deps.newContext();
    const result = await execute({
      schema: deps.schema,
      document,
      rootValue: deps.rootValue,
      contextValue: ctx,
      variableValues: variables,
      operationName: operationName ?? null,
      fieldResolver,
    });
    if (!('data' in result) || result.data === undefined) {
      // Variable coercion failed before execution: Shopify charges nothing and answers INVALID_VARIABLE.
      deps.bucket.refund(requested);
      return c.json({ errors: (result.errors ?? []).map((e) => toShopifyVariableError(e, document, variables, deps.schema)) }, 200, headers);
    }
    const actual = operation ? queryCost(deps.schema, document, operation, variables, result.data) : 0;
    deps.bucket.refund(Math.max(0, requested - actual));
    const extensions: Record<string, unknown> = {
      cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus() },
    };
    if (ctx.searchReports.some((r) => r.warnings.length > 0)) extensions.search = ctx.searchReports;
    return c.json(
      {
        ...(result.errors?.length ? { errors: result.errors.map(toShopifyError) } : {}),
        data: result.data,
        extensions,
      },
      200,
      headers,
    );
  });
  api.all('*', (c) => c.json(NOT_FOUND_BODY, 404));
  return api;
}
