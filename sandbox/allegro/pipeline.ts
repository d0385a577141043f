import type { Context, MiddlewareHandler } from 'hono';
import { WindowLimiter } from '../common/rate-limit.ts';
import type { OAuthServer, TokenInfo } from './auth.ts';
import {
  accessDenied,
  ApiFailure,
  apiError,
  authErrorResponse,
  errorsResponse,
  notAcceptable,
  tooManyRequests,
  unsupportedMediaType,
  validationError,
} from './errors.ts';
import type { AllegroOptions } from './options.ts';
import {
  coerceQuery,
  dottedPath,
  findOperation,
  pathInSpec,
  queryValidator,
  requestValidator,
  responseValidator,
  type SpecOperation,
} from './spec.ts';
import type { AllegroStore } from './store.ts';

/**
 * What every call to the REST API goes through, in the order Allegro's edge applies it: find the operation in the
 * spec, bearer token (401), token kind and scope (403), the per-Client-ID limit (429 + one-minute block),
 * Accept (406) and Content-Type (415) negotiation against the media types the spec lists for the operation, then
 * the body (400 malformed, 422 against the operation's request schema) and query parameters (422). Handlers get
 * the parsed pieces from the context.
 */

export interface ApiVars {
  op: SpecOperation;
  token: TokenInfo;
  body: unknown;
  rawBody: ArrayBuffer | undefined;
  query: Record<string, unknown>;
}
export type ApiEnv = { Variables: ApiVars };

/** The one-minute block after the limit is hit is Allegro's (developer.allegro.pl FAQ). */
export const CLIENT_LIMIT_PER_MINUTE = 9000;

function mediaBase(value: string): string {
  return value.split(';')[0]!.trim().toLowerCase();
}

function acceptable(accept: string | undefined, offered: string[]): boolean {
  if (offered.length === 0) return true;
  if (offered.includes('*/*')) return true;
  if (!accept) return false;
  const wanted = accept.split(',').map(mediaBase);
  return offered.some((o) => wanted.includes(o.toLowerCase()));
}

export function apiPipeline(deps: {
  opts: AllegroOptions;
  oauth: OAuthServer;
  store: AllegroStore;
  limiters: Map<string, WindowLimiter>;
}): MiddlewareHandler<ApiEnv> {
  const { opts, oauth, store, limiters } = deps;
  const clock = opts.clock ?? Date.now;
  const perMinute = Math.max(1, Math.floor(CLIENT_LIMIT_PER_MINUTE * opts.rateLimitScale));

  return async (c, next) => {
    store.settle();
    const op = findOperation(c.req.method, c.req.path);
    if (!op) {
      if (pathInSpec(c.req.path)) {
        return errorsResponse(c, 405, [apiError('MethodNotAllowedException', `Request method '${c.req.method}' not supported`)]);
      }
      return errorsResponse(c, 404, [apiError('NotFoundException', 'Resource not found', { path: '' })]);
    }
    c.set('op', op);

    const verdict = oauth.verify(c.req.header('authorization'));
    if (!verdict.ok) return authErrorResponse(c, verdict.status, verdict.error, verdict.description);
    const token = verdict.token;
    const allowsApp = op.security.some((s) => 'bearer-token-for-application' in s);
    const userScopes = op.security.flatMap((s) => s['bearer-token-for-user'] ?? []);
    if (token.kind === 'application' && !allowsApp) return errorsResponse(c, 403, [accessDenied()]);
    if (token.kind === 'user' && userScopes.length > 0 && !userScopes.some((s) => token.scopes.includes(s))) {
      return errorsResponse(c, 403, [accessDenied()]);
    }
    c.set('token', token);

    let limiter = limiters.get(token.clientId);
    if (!limiter) {
      limiter = new WindowLimiter(perMinute, 60_000, 60_000, clock);
      limiters.set(token.clientId, limiter);
    }
    if (limiter.take() > 0) return errorsResponse(c, 429, [tooManyRequests()]);

    if (!acceptable(c.req.header('accept'), op.responseMediaTypes)) {
      return errorsResponse(c, 406, [notAcceptable()]);
    }

    let body: unknown;
    let rawBody: ArrayBuffer | undefined;
    if (op.requestMediaTypes.length > 0) {
      const ctype = c.req.header('content-type');
      const base = ctype ? mediaBase(ctype) : '';
      const hasBody = Number(c.req.header('content-length') ?? '0') > 0 || c.req.header('transfer-encoding') !== undefined;
      if (!op.requestMediaTypes.map((m) => m.toLowerCase()).includes(base)) {
        if (ctype || hasBody || op.requestBodyRequired) return errorsResponse(c, 415, [unsupportedMediaType(ctype ?? '')]);
      } else if (base.includes('json')) {
        const text = await c.req.text();
        if (text.trim() === '') {
          if (op.requestBodyRequired) return errorsResponse(c, 400, [apiError('VALIDATION_ERROR', 'Required request body is missing', { path: '' })]);
        } else {
          try {
            body = JSON.parse(text);
          } catch {
            return errorsResponse(c, 400, [apiError('VALIDATION_ERROR', 'Malformed JSON request', { path: '' })]);
          }
          const validate = requestValidator(op, base);
          if (validate && !validate(body)) {
            const errors = (validate.errors ?? []).slice(0, 20).map((e) => validationError(dottedPath(e), e.message ?? 'is invalid'));
            return errorsResponse(c, 422, errors);
          }
        }
      } else {
        rawBody = await c.req.arrayBuffer();
      }
    }
    c.set('body', body);
    c.set('rawBody', rawBody);

    const queries = c.req.queries() ?? {};
    const query = coerceQuery(op, queries);
    const validateQuery = queryValidator(op);
    if (!validateQuery(query)) {
      const errors = (validateQuery.errors ?? []).map((e) => validationError(dottedPath(e), e.message ?? 'is invalid'));
      return errorsResponse(c, 422, errors);
    }
    c.set('query', query);

    try {
      await next();
    } catch (err) {
      if (err instanceof ApiFailure) {
        c.res = errorsResponse(c, err.status, err.errors);
      } else {
        throw err;
      }
    }
    if (opts.validateResponses) await checkResponse(c, op);
  };
}

/** `validateResponses`: our own answers must match the spec, or the test that provoked them fails loudly. */
async function checkResponse(c: Context<ApiEnv>, op: SpecOperation): Promise<void> {
  const res = c.res;
  if (!(res.headers.get('content-type') ?? '').includes('json')) return;
  const validate = responseValidator(op, res.status);
  if (!validate) return;
  const text = await res.clone().text();
  if (!validate(JSON.parse(text))) {
    c.res = new Response(
      JSON.stringify({
        simulatorError: `response ${res.status} of ${op.method} ${op.template} does not match the spec`,
        violations: validate.errors,
      }),
      { status: 500, headers: { 'content-type': 'application/json' } },
    );
  }
}

/** Sends a JSON body with Allegro's vendor media type (the one the operation negotiated). */
export function vnd(c: Context<ApiEnv>, data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const op = c.get('op');
  const media = op.responseMediaTypes.find((m) => m.includes('vnd.allegro')) ?? 'application/json';
  return c.body(JSON.stringify(data), status as 200, { 'content-type': `${media};charset=UTF-8`, ...headers });
}
