/**
 * How a failure is handled. Connectors throw these (or let the HTTP client throw, and `classifyError` sorts it):
 * - `RetryableError`: network, 5xx, 429, timeouts. The job is retried with backoff; `retryAfterMs` (from the
 *   channel's Retry-After or cost information) sets the wait exactly.
 * - `AuthError`: the credentials no longer work (401, revoked token, failed refresh). The connection is marked
 *   `needs_reauth`, its sends pause, and the operator is told; the job waits in dead letters for a replay.
 * - `BusinessError`: the channel refused the data (a 4xx that retrying cannot fix: invalid price, unknown
 *   category). Parked with the channel's reason, replayable once the data is fixed. Never retried blindly.
 */
export type FailureKind = 'retryable' | 'auth' | 'business';

export class ConnectorError extends Error {
  readonly kind: FailureKind;
  /** The channel's own error code or body excerpt, for the operator. Never contains credentials. */
  readonly detail: string | undefined;

  constructor(kind: FailureKind, message: string, options: { detail?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.kind = kind;
    this.detail = options.detail;
  }
}

export class RetryableError extends ConnectorError {
  /** How long the channel asked us to wait, if it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryAfterMs?: number; detail?: string; cause?: unknown } = {}) {
    super('retryable', message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class AuthError extends ConnectorError {
  constructor(message: string, options: { detail?: string; cause?: unknown } = {}) {
    super('auth', message, options);
  }
}

export class BusinessError extends ConnectorError {
  constructor(message: string, options: { detail?: string; cause?: unknown } = {}) {
    super('business', message, options);
  }
}

/** Seconds or an HTTP date, as Retry-After carries it; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface HttpLikeError {
  name?: string;
  code?: string;
  response?: { status: number; headers: { get(name: string): string | null } };
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The default classification, used when a connector's own `classifyError` returns undefined:
 * | what                                   | kind       |
 * |----------------------------------------|------------|
 * | a ConnectorError                       | its kind   |
 * | HTTP 429, 408, 5xx                     | retryable (Retry-After honoured) |
 * | HTTP 401, 403                          | auth       |
 * | other HTTP 4xx                         | business   |
 * | timeout, connection reset/refused      | retryable  |
 * | anything else (a bug, a parse error)   | retryable, so it is retried and, if it persists, dead-lettered with its message |
 */
export function classifyFailure(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as HttpLikeError & Error;
  const status = e?.response?.status;
  const message = e?.message ?? String(err);
  if (typeof status === 'number') {
    if (status === 429 || status === 408 || status >= 500) {
      const retryAfterMs = parseRetryAfter(e.response!.headers.get('retry-after'));
      return new RetryableError(`channel answered ${status}`, { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), cause: err });
    }
    if (status === 401 || status === 403) return new AuthError(`channel refused the credentials (${status})`, { cause: err });
    return new BusinessError(`channel rejected the request (${status})`, { detail: message, cause: err });
  }
  const code = e?.code ?? (e?.cause as { code?: string } | undefined)?.code;
  if (e?.name === 'TimeoutError' || (code && NETWORK_CODES.has(code))) {
    return new RetryableError(`network: ${code ?? 'timeout'}`, { cause: err });
  }
  return new RetryableError(message, { cause: err });
}
