/**
 * The shapes Shopify's Admin GraphQL endpoint answers with when something is wrong. Shopify runs graphql-ruby, so
 * static-validation messages and `extensions.code` values are graphql-ruby's (camelCase codes such as
 * `undefinedField`), while runtime errors use Shopify's own SCREAMING_CASE codes (`THROTTLED`, `BAD_REQUEST`, …).
 * Shapes follow recorded real responses quoted in public client code (see README.md here).
 */
export interface ShopifyErrorLocation {
  line: number;
  column: number;
}

export interface ShopifyGraphqlError {
  message: string;
  locations?: ShopifyErrorLocation[];
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

/** HTTP 401 body: a plain string, not a GraphQL error list. */
export const INVALID_TOKEN_BODY = {
  errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
} as const;

/** HTTP 404 body for an unknown API version or path. */
export const NOT_FOUND_BODY = { errors: 'Not Found' } as const;

/** HTTP 400 body when the request carries no `query`. */
export const MISSING_QUERY_BODY = { errors: { query: 'Required parameter missing or invalid' } } as const;

export const RATE_LIMITS_DOC = 'https://shopify.dev/api/usage/rate-limits';

export function throttledError(): ShopifyGraphqlError {
  return { message: 'Throttled', extensions: { code: 'THROTTLED', documentation: RATE_LIMITS_DOC } };
}

export function maxCostExceededError(cost: number, maxCost: number): ShopifyGraphqlError {
  return {
    message:
      `Query cost is ${cost}, which exceeds the single query max cost limit (${maxCost}).\n\n` +
      'See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n' +
      'cost of a query is calculated.\n\n' +
      'To query larger amounts of data with fewer limits, bulk operations should be used instead.\n' +
      'See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n',
    extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost, documentation: RATE_LIMITS_DOC },
  };
}

/**
 * An error a resolver throws to put a Shopify-shaped top-level error in `errors[]` (the field itself becomes null).
 * `code` lands in `extensions.code`.
 */
export class ShopifyFieldError extends Error {
  constructor(
    message: string,
    readonly extensions: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function notImplemented(typeName: string, fieldName: string): ShopifyFieldError {
  return new ShopifyFieldError(
    `The omnihub Shopify simulator does not implement ${typeName}.${fieldName}. It exists in the real 2026-04 schema; ` +
      'ask for it to be added to sandbox/shopify if a connector needs it.',
    { code: 'NOT_IMPLEMENTED_BY_SIMULATOR' },
  );
}

/** A `userErrors[]` entry of a mutation payload. */
export interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

export function userError(field: string[] | null, message: string, code: string | null): UserError {
  return { field, message, code };
}
