import { HTTPError } from 'ky';
import type { z } from 'zod';
import { type ConnectorContext, ConnectorError, RetryableError } from '../../core/sdk/index.ts';
import { type AllegroConfig, PUBLIC_MEDIA } from './config.ts';
import { failureFor, MINUTE_BLOCK_MS, parseErrors } from './errors.ts';
import { dropAccessToken } from './tokens.ts';

export type AllegroContext = ConnectorContext<AllegroConfig>;

/**
 * Every REST call goes through here, on top of `ctx.http` (rate limiter, bearer token, logging):
 * - Allegro's vendor media type on Accept and Content-Type;
 * - GETs retried on 408/5xx by ky, but never on 429: Allegro then blocks the Client ID for a whole minute, so the
 *   connection's limiter is blocked for 60 s (Retry-After when given) and the job is retried after it;
 * - writes are never retried here (a batch command PUT is made safe by its caller, see commands.ts);
 * - one retry after a 401 with a freshly refreshed token (Allegro invalidates a pair as soon as it is rotated);
 * - error bodies turned into the hub's failure kinds, success bodies checked with a zod schema.
 */

const GET_RETRY = {
  limit: 2,
  methods: ['get'],
  statusCodes: [408, 500, 502, 503, 504],
  afterStatusCodes: [503],
  maxRetryAfter: 60_000,
  backoffLimit: 10_000,
  // ky deep-merges these with the SDK's retry options, concatenating arrays (429 stays in statusCodes), so the
  // decision is made here: never on 429 (a minute-long block), never after a failed token refresh (AuthError).
  shouldRetry: ({ error }: { error: Error }) =>
    error instanceof ConnectorError || (error instanceof HTTPError && error.response.status === 429) ? false : undefined,
};

export interface CallOptions<T> {
  searchParams?: URLSearchParams;
  body?: unknown;
  schema: z.ZodType<T>;
  media?: string;
  /**
   * Whose limit a 429 means: `client` (default) — Allegro's per-Client-ID limit, a one-minute block of the whole
   * connection; `messaging` — the 1 request/s per user limit of message sending, handled by messaging.ts.
   */
  limitScope?: 'client' | 'messaging';
}

export interface CallResult<T> {
  status: number;
  headers: Headers;
  data: T;
}

export async function call<T>(ctx: AllegroContext, method: 'GET' | 'PUT' | 'PATCH' | 'POST', path: string, options: CallOptions<T>): Promise<CallResult<T>> {
  const what = `${method} /${path}`;
  const media = options.media ?? PUBLIC_MEDIA;
  const send = () =>
    ctx.http(path, {
      method,
      headers: { accept: media, ...(options.body !== undefined ? { 'content-type': media } : {}) },
      ...(options.searchParams ? { searchParams: options.searchParams } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      retry: method === 'GET' ? GET_RETRY : 0,
    });
  let res: Response;
  try {
    try {
      res = await send();
    } catch (err) {
      if (!(err instanceof HTTPError) || err.response.status !== 401) throw err;
      // The cached access token died early (rotated by another worker, revoked): refresh once and try again.
      await dropAccessToken(ctx);
      res = await send();
    }
  } catch (err) {
    if (err instanceof HTTPError) {
      const status = err.response.status;
      const errors = parseErrors(await err.response.text().catch(() => ''));
      const retryAfter = err.response.headers.get('retry-after') ?? (status === 429 && options.limitScope === 'messaging' ? '1' : null);
      const failure = failureFor(status, errors, retryAfter, what);
      if (status === 429 && options.limitScope !== 'messaging') {
        await ctx.limiter.block((failure as RetryableError).retryAfterMs ?? MINUTE_BLOCK_MS);
      }
      throw failure;
    }
    if (err instanceof ConnectorError) throw err; // e.g. AuthError from a failed refresh in `authorize`
    throw new RetryableError(`${what}: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new RetryableError(`${what}: Allegro answered ${res.status} with a body that is not JSON`);
    }
  }
  const parsed = options.schema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new RetryableError(`${what}: unexpected answer from Allegro (${fields})`);
  }
  return { status: res.status, headers: res.headers, data: parsed.data };
}

/** Repeated query parameters (`offer.id=1&offer.id=2`), as Allegro takes lists. */
export function query(params: Record<string, string | number | ReadonlyArray<string> | undefined>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, item);
    else q.append(k, String(v));
  }
  return q;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
