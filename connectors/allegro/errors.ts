import { HTTPError } from 'ky';
import { z } from 'zod';
import { AuthError, BusinessError, type ConnectorError, parseRetryAfter, RetryableError } from '../../core/sdk/index.ts';

/**
 * Allegro's failures → the hub's three kinds. Allegro answers `{"errors":[{code,message,userMessage,path,…}]}`
 * (ErrorsHolder) on the REST API and `{"error","error_description"}` on the OAuth server and the bearer check.
 */

/** Allegro blocks the Client ID for one minute after its limit is hit, and says so without a Retry-After header. */
export const MINUTE_BLOCK_MS = 60_000;

const errorsHolder = z.object({
  errors: z.array(
    z.looseObject({
      code: z.string().nullish(),
      message: z.string().nullish(),
      userMessage: z.string().nullish(),
      path: z.string().nullish(),
    }),
  ),
});
export type AllegroApiError = z.infer<typeof errorsHolder>['errors'][number];

/** What the channel answered: kept as the `cause` of the hub error so callers can branch on status and codes. */
export class AllegroResponse extends Error {
  constructor(
    readonly status: number,
    readonly errors: AllegroApiError[],
    readonly retryAfterMs: number | undefined,
  ) {
    super(`Allegro answered ${status}${errors.length ? `: ${summarize(errors)}` : ''}`);
    this.name = 'AllegroResponse';
  }
}

/** "CODE: user message; CODE2: …" — Allegro's messages never echo credentials. */
export function summarize(errors: AllegroApiError[]): string {
  return errors
    .map((e) => [e.code, e.userMessage || e.message].filter(Boolean).join(': ') + (e.path ? ` (${e.path})` : ''))
    .join('; ');
}

/** Parses an error body; anything unexpected becomes an empty list (the status still classifies it). */
export function parseErrors(text: string): AllegroApiError[] {
  try {
    const body = JSON.parse(text) as unknown;
    const holder = errorsHolder.safeParse(body);
    if (holder.success) return holder.data.errors;
    const auth = z.object({ error: z.string(), error_description: z.string().optional() }).safeParse(body);
    if (auth.success) return [{ code: auth.data.error, message: auth.data.error_description ?? auth.data.error }];
  } catch {
    // not JSON: fall through
  }
  return [];
}

/** The hub error for an HTTP answer. 429 waits a minute unless Allegro says otherwise. */
export function failureFor(status: number, errors: AllegroApiError[], retryAfterHeader: string | null, what: string): ConnectorError {
  const retryAfter = parseRetryAfter(retryAfterHeader);
  const cause = new AllegroResponse(status, errors, retryAfter);
  const detail = summarize(errors) || undefined;
  const opts = { cause, ...(detail ? { detail } : {}) };
  if (status === 429) {
    return new RetryableError(`${what}: Allegro rate limit hit (429), blocked for a minute`, {
      ...opts,
      retryAfterMs: retryAfter ?? MINUTE_BLOCK_MS,
    });
  }
  if (status === 408 || status >= 500) {
    return new RetryableError(`${what}: Allegro answered ${status}`, { ...opts, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
  }
  // 409: an offer edit is still running, or a command id is taken; both clear up by themselves.
  if (status === 409) return new RetryableError(`${what}: conflict (${detail ?? 'previous operation still running'})`, opts);
  if (status === 401) return new AuthError(`${what}: Allegro refused the access token`, opts);
  if (status === 403) return new AuthError(`${what}: the linked Allegro account lacks a permission (scope) for this call`, opts);
  return new BusinessError(`${what}: Allegro rejected the request (${status})${detail ? `: ${detail}` : ''}`, opts);
}

/** The HTTP status behind a hub error raised by this connector, if any. */
export function statusOf(err: unknown): number | undefined {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause instanceof AllegroResponse ? cause.status : undefined;
}

/**
 * `classifyError` for anything that escapes the client wrapper (a raw ky HTTPError): the SDK default would retry a
 * 429 without Retry-After after one second, but Allegro blocks the Client ID for a full minute.
 */
export function classifyAllegroError(err: unknown): ConnectorError | undefined {
  if (err instanceof HTTPError) {
    return failureFor(err.response.status, [], err.response.headers.get('retry-after'), `${err.request.method} ${new URL(err.request.url).pathname}`);
  }
  return undefined;
}
