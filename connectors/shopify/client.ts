import { createAdminApiClient } from '@shopify/admin-api-client';
import { Kind } from 'graphql';
import type { z } from 'zod';
import type { ConnectorContext } from '../../core/sdk/index.ts';
import type { ShopifyConfig } from './config.ts';
import { ShopifyProblem, throttleWaitMs, toConnectorError, type GraphqlErrorEntry, type QueryCost } from './errors.ts';
import { estimateCost, parsedDocument } from './estimate-cost.ts';
import { costSchema, parseOrExplain } from './schemas.ts';
import { accessToken, dropCachedToken } from './token.ts';

/**
 * Sends one GraphQL document to the Admin API and returns its `data`, parsed by `schema`.
 *
 * Built on `@shopify/admin-api-client` (request shape, headers, version URL, response normalisation) with a
 * `customFetchApi` that hands the request to `ctx.http`: that one client brings the hub's per-request limiter unit,
 * timeout, 429 handling and redacted request logs, and its prefixUrl is the configured `endpoint` (sandbox, proxy)
 * or the shop's own origin, which is how `https://{shop}.myshopify.com` gets rewritten.
 *
 * Cost: the estimated requested cost is taken from `ctx.limiter` before sending (the limiter is sized
 * perSecond = restore rate, burst = bucket size); after the answer, if Shopify's bucket holds less than this query
 * needs, the whole connection is blocked until it refills. THROTTLED becomes a RetryableError whose wait is the
 * deficit divided by the restore rate.
 */
export async function gql<T>(
  ctx: ConnectorContext<ShopifyConfig>,
  document: string,
  variables: Record<string, unknown>,
  schema: z.ZodType<T>,
): Promise<T> {
  const operation = operationName(document);
  const estimate = estimateCost(document, variables);
  // ctx.http takes one unit itself for the request; take the rest of the estimated cost here.
  await ctx.limiter.acquire(Math.max(0, estimate - 1));

  let answer = await send(ctx, document, variables, operation);
  if (answer.status === 401 && (await dropCachedToken(ctx))) {
    // A client-credentials token can be revoked before its expiry: fetch a new one once, then give up as auth.
    answer = await send(ctx, document, variables, operation);
  }

  const cost = answer.extensions?.cost ? costSchema.safeParse(answer.extensions.cost) : undefined;
  const costInfo = cost?.success ? cost.data : undefined;
  if (costInfo) await noteCost(ctx, operation, estimate, costInfo);

  if (answer.status !== undefined && answer.status !== 200) {
    throw toConnectorError(new ShopifyProblem(operation, { status: answer.status, retryAfter: answer.retryAfter ?? null }));
  }
  if (answer.graphqlErrors?.length) {
    const problem = new ShopifyProblem(operation, { graphqlErrors: answer.graphqlErrors, ...(costInfo ? { cost: costInfo } : {}) });
    const err = toConnectorError(problem);
    if (err.kind === 'retryable' && 'retryAfterMs' in err && typeof err.retryAfterMs === 'number') await ctx.limiter.block(err.retryAfterMs);
    throw err;
  }
  return parseOrExplain(schema, answer.data, `Shopify ${operation} response`);
}

interface Answer {
  status: number | undefined;
  retryAfter?: string | null;
  data?: unknown;
  graphqlErrors?: GraphqlErrorEntry[];
  extensions?: { cost?: unknown };
}

async function send(ctx: ConnectorContext<ShopifyConfig>, document: string, variables: Record<string, unknown>, operation: string): Promise<Answer> {
  const { config } = ctx;
  const shopOrigin = `https://${config.shop}.myshopify.com`;
  let thrown: unknown;
  const client = createAdminApiClient({
    storeDomain: `${config.shop}.myshopify.com`,
    apiVersion: config.apiVersion,
    accessToken: await accessToken(ctx),
    retries: 0, // the job retries as a whole, with the wait this client computes
    userAgentPrefix: 'omnihub',
    logger: (log) => ctx.log.debug({ type: log.type, operation }, 'shopify client notice'),
    customFetchApi: async (url, init) => {
      const target = new URL(url);
      if (target.origin !== shopOrigin) throw new Error(`refusing to send to ${target.origin}: not the configured shop`);
      try {
        return await ctx.http(`${target.pathname.replace(/^\/+/, '')}${target.search}`, {
          method: init?.method ?? 'POST',
          headers: init?.headers as Record<string, string>,
          body: init?.body ?? null,
          throwHttpErrors: false,
          retry: 0,
        });
      } catch (err) {
        thrown = err;
        throw err;
      }
    },
  });
  const res = await client.request(document, { variables });
  if (thrown !== undefined) throw thrown; // network error or timeout: the SDK's default table sorts it (retryable)
  const status = res.errors?.networkStatusCode;
  if (status === undefined && res.errors && !res.errors.graphQLErrors) throw new Error(`Shopify ${operation}: ${res.errors.message ?? 'no answer'}`);
  return {
    status,
    retryAfter: res.errors?.response?.headers.get('retry-after') ?? null,
    data: res.data,
    ...(res.errors?.graphQLErrors ? { graphqlErrors: res.errors.graphQLErrors as GraphqlErrorEntry[] } : {}),
    ...(res.extensions ? { extensions: res.extensions as { cost?: unknown } } : {}),
  };
}

/** Keeps this worker's limiter honest with Shopify's own bucket, which other workers and apps drain too. */
async function noteCost(ctx: ConnectorContext<ShopifyConfig>, operation: string, estimate: number, cost: QueryCost): Promise<void> {
  const entry = { operation, estimated: estimate, requested: cost.requestedQueryCost, actual: cost.actualQueryCost, available: cost.throttleStatus.currentlyAvailable };
  if (cost.requestedQueryCost > estimate) ctx.log.warn(entry, 'shopify query cost above estimate');
  else ctx.log.debug(entry, 'shopify query cost');
  if (cost.throttleStatus.currentlyAvailable < estimate) {
    const wait = throttleWaitMs(cost, estimate);
    if (wait) await ctx.limiter.block(wait);
  }
}

function operationName(document: string): string {
  const op = parsedDocument(document).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return (op && op.kind === Kind.OPERATION_DEFINITION && op.name?.value) || 'operation';
}
