import { AuthError, BusinessError, ConnectorError, RetryableError, parseRetryAfter } from '../../core/sdk/index.ts';

/** One entry of a GraphQL `errors[]` array as Shopify sends it. */
export interface GraphqlErrorEntry {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** `extensions.cost` of a response. */
export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

/** A mutation's `userErrors[]` entry. */
export interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

/**
 * What went wrong in one Shopify call, before it is sorted into retryable / auth / business. Thrown by the client as
 * the `cause` of the ConnectorError, and understood by `classifyError` when it reaches the engine unsorted.
 */
export class ShopifyProblem extends Error {
  constructor(
    readonly operation: string,
    readonly detail: {
      status?: number;
      retryAfter?: string | null;
      graphqlErrors?: GraphqlErrorEntry[];
      userErrors?: UserError[];
      cost?: QueryCost;
    },
  ) {
    super(`Shopify ${operation} failed`);
    this.name = 'ShopifyProblem';
  }
}

/** ms until the bucket holds `needed` points again, from the cost info Shopify returned. */
export function throttleWaitMs(cost: QueryCost | undefined, needed?: number): number | undefined {
  if (!cost) return undefined;
  const { currentlyAvailable, restoreRate } = cost.throttleStatus;
  const deficit = (needed ?? cost.requestedQueryCost) - currentlyAvailable;
  return Math.max(0, Math.ceil((deficit / restoreRate) * 1000));
}

const AUTH_CODES = new Set(['ACCESS_DENIED', 'UNAUTHORIZED', 'FORBIDDEN']);
const RETRYABLE_CODES = new Set(['THROTTLED', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT', 'IDEMPOTENCY_CONCURRENT_REQUEST']);

const describeErrors = (errors: GraphqlErrorEntry[]) =>
  errors.map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message)).join('; ');

export const describeUserErrors = (errors: UserError[]) =>
  errors.map((e) => `${e.field?.join('.') ?? '(input)'}: ${e.message}${e.code ? ` [${e.code}]` : ''}`).join('; ');

/** Sorts a ShopifyProblem: THROTTLED → retryable (wait from the cost info), ACCESS_DENIED/401 → auth, userErrors → business. */
export function toConnectorError(p: ShopifyProblem): ConnectorError {
  const { status, graphqlErrors, userErrors, cost } = p.detail;
  const op = p.operation;
  if (status !== undefined && status !== 200) {
    if (status === 401 || status === 403) return new AuthError(`Shopify refused the access token (${status}) on ${op}`, { cause: p });
    if (status === 429 || status === 408 || status >= 500) {
      const retryAfterMs = parseRetryAfter(p.detail.retryAfter ?? null);
      return new RetryableError(`Shopify answered ${status} on ${op}`, { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), cause: p });
    }
    if (status === 404) return new BusinessError(`Shopify answered 404 on ${op}: check shop and apiVersion`, { cause: p });
    return new BusinessError(`Shopify rejected ${op} (${status})`, { cause: p });
  }
  if (graphqlErrors?.length) {
    const codes = graphqlErrors.map((e) => e.extensions?.code ?? '');
    const detail = describeErrors(graphqlErrors);
    if (codes.includes('THROTTLED')) {
      const retryAfterMs = throttleWaitMs(cost) ?? 1000;
      return new RetryableError(`Shopify throttled ${op}`, { retryAfterMs, detail, cause: p });
    }
    if (codes.some((c) => AUTH_CODES.has(c))) return new AuthError(`Shopify denied access on ${op} (missing scope?)`, { detail, cause: p });
    if (codes.length && codes.every((c) => RETRYABLE_CODES.has(c))) return new RetryableError(`Shopify failed ${op}: ${detail}`, { detail, cause: p });
    return new BusinessError(`Shopify refused ${op}: ${detail}`, { detail, cause: p });
  }
  if (userErrors?.length) {
    const detail = describeUserErrors(userErrors);
    return new BusinessError(`Shopify refused ${op}: ${detail}`, { detail, cause: p });
  }
  return new RetryableError(`Shopify ${op} failed without details`, { cause: p });
}

/**
 * The connector's `classifyError`: a ShopifyProblem (or a raw `{ errors }` / `{ userErrors }` body) is sorted here;
 * anything else falls back to the SDK's default table.
 */
export function classifyShopifyError(err: unknown): ConnectorError | undefined {
  if (err instanceof ConnectorError) return err;
  if (err instanceof ShopifyProblem) return toConnectorError(err);
  if (err && typeof err === 'object') {
    const body = err as { errors?: unknown; userErrors?: unknown; extensions?: { cost?: QueryCost } };
    if (Array.isArray(body.errors) && body.errors.length) {
      return toConnectorError(new ShopifyProblem('request', { graphqlErrors: body.errors as GraphqlErrorEntry[], ...(body.extensions?.cost ? { cost: body.extensions.cost } : {}) }));
    }
    if (typeof body.errors === 'string' && /access token|api key/i.test(body.errors)) {
      return new AuthError('Shopify refused the access token');
    }
    if (Array.isArray(body.userErrors) && body.userErrors.length) {
      return toConnectorError(new ShopifyProblem('mutation', { userErrors: body.userErrors as UserError[] }));
    }
  }
  return undefined;
}
