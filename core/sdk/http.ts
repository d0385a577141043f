import ky, { type KyInstance } from 'ky';
import type { ConnectorContext, ConnectorLogger } from './context.ts';
import { parseRetryAfter } from './errors.ts';
import type { RateLimit, RateLimiter } from './rate-limiter.ts';

/** What a connector declares about its channel's HTTP API; the hub builds `ctx.http` from it. */
export interface HttpDeclaration<C> {
  /** Base URL every relative request path is joined to, e.g. `https://api.allegro.pl/`. */
  prefixUrl: string;
  headers?: Record<string, string>;
  /** The channel's documented request limit for one account/client. */
  rateLimit?: RateLimit;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  /**
   * Adds credentials to a request, right before it is sent (after the rate limiter). May refresh an expired token
   * first through `ctx.vault`; throw AuthError when that fails.
   */
  authorize?(request: Request, ctx: ConnectorContext<C>): void | Promise<void>;
}

const SENSITIVE_QUERY = /([?&](?:access_token|ws_key|key|token|client_secret|password)=)[^&]*/gi;

/** A URL safe to log: credentials in the query string are masked. */
export function loggableUrl(url: string): string {
  return url.replace(SENSITIVE_QUERY, '$1[redacted]');
}

/**
 * Builds the connector's HTTP client: rate limiter → authorize → send → log; idempotent methods retried on 408,
 * 429 and 5xx, waiting as Retry-After says (up to a minute); a 429 also blocks the whole connection's limiter for
 * the Retry-After time, so other workers wait too.
 */
export function createConnectorHttp<C>(
  decl: HttpDeclaration<C>,
  deps: { limiter: RateLimiter; log: ConnectorLogger; context: () => ConnectorContext<C>; fetch?: typeof fetch },
): KyInstance {
  return ky.create({
    prefixUrl: decl.prefixUrl,
    ...(decl.headers ? { headers: decl.headers } : {}),
    timeout: decl.timeoutMs ?? 30_000,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    retry: {
      limit: 2,
      methods: ['get', 'put', 'head', 'delete', 'options'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      afterStatusCodes: [413, 429, 503],
      maxRetryAfter: 60_000,
      backoffLimit: 10_000,
    },
    hooks: {
      beforeRequest: [
        async (request) => {
          await deps.limiter.acquire(1);
          if (decl.authorize) await decl.authorize(request, deps.context());
          (request as Request & { startedAt?: number }).startedAt = performance.now();
        },
      ],
      afterResponse: [
        async (request, _options, response) => {
          const started = (request as Request & { startedAt?: number }).startedAt ?? performance.now();
          deps.log.debug(
            { method: request.method, url: loggableUrl(request.url), status: response.status, ms: Math.round(performance.now() - started) },
            'channel request',
          );
          if (response.status === 429) {
            const wait = parseRetryAfter(response.headers.get('retry-after')) ?? 1_000;
            await deps.limiter.block(wait);
          }
        },
      ],
    },
  });
}
