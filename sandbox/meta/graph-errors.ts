import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Graph API errors in their real wire shape: `{ error: { message, type, code, error_subcode?, error_data?,
 * fbtrace_id } }`. Connectors must classify on `code` (and `error_subcode`), as Meta recommends, so the codes here
 * are the real ones; sources are named next to each.
 */
export interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: Record<string, unknown>;
  error_user_title?: string;
  error_user_msg?: string;
}

export class GraphError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: GraphErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export function fbtraceId(): string {
  return randomBytes(8).toString('base64').replace(/[+/=]/g, 'A');
}

export function errorResponse(c: Context, err: GraphError): Response {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  if (err.status === 401) c.header('WWW-Authenticate', 'OAuth "Facebook Platform" "invalid_token"');
  return c.json({ error: { ...err.body, fbtrace_id: fbtraceId() } }, err.status);
}

// ---- the catalogue of errors the simulator raises ----

/** Graph: malformed / missing token (code 190). */
export const invalidToken = () =>
  new GraphError(401, {
    message: 'Invalid OAuth access token - Cannot parse access token',
    type: 'OAuthException',
    code: 190,
  });

/** Graph: unknown object id, or one the token may not touch (code 100, subcode 33). */
export const unknownObject = (id: string, method: string) =>
  new GraphError(400, {
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });

/** Graph: path that matches no edge, or an unsupported version segment. */
export const unknownPath = (path: string) =>
  new GraphError(400, { message: `Unknown path components: ${path}`, type: 'OAuthException', code: 2500 });

/** Graph: bad or missing parameter (code 100). */
export const invalidParameter = (message: string, errorData?: Record<string, unknown>) =>
  new GraphError(400, {
    message: `(#100) ${message}`,
    type: 'OAuthException',
    code: 100,
    ...(errorData ? { error_data: errorData } : {}),
  });

/** App-level rate limit (code 4, "Application request limit reached"); Meta's error table gives HTTP 400. */
export const appRateLimited = (usageHeader: string) =>
  new GraphError(
    400,
    { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 },
    { 'X-App-Usage': usageHeader },
  );

/** Business-use-case limit for the Catalog Batch API (BUC code 80014). */
export const catalogBatchRateLimited = (bucHeader: string) =>
  new GraphError(
    400,
    {
      message: '(#80014) There have been too many calls for the batch uploads to this catalog account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
      type: 'OAuthException',
      code: 80014,
    },
    { 'X-Business-Use-Case-Usage': bucHeader },
  );
