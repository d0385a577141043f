import { z } from 'zod';
import { AuthError, BusinessError, ConnectorError, RetryableError } from '../../core/sdk/index.ts';

/**
 * An exception Odoo reported, whichever protocol carried it: JSON-RPC sends it inside an HTTP 200 as
 * `{error: {code: 200, message: "Odoo Server Error", data: {name, message, …}}}`, JSON-2 as the bare
 * `{name, message, …}` with a 4xx/5xx status. `odooName` is the Python class, e.g. `odoo.exceptions.UserError`.
 * The message never holds credentials (the API key travels in the request, never in Odoo's answer).
 */
export class OdooError extends Error {
  readonly odooName: string;
  /** HTTP status: 200 for JSON-RPC errors, the response status for JSON-2 or a proxy in between. */
  readonly httpStatus: number;
  readonly model: string | undefined;
  readonly method: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    odooName: string,
    message: string,
    options: { httpStatus: number; model?: string; method?: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'OdooError';
    this.odooName = odooName;
    this.httpStatus = options.httpStatus;
    this.model = options.model;
    this.method = options.method;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The serialized exception (`odoo.http.serialize_exception`), as both protocols carry it. */
export const serializedException = z.object({
  name: z.string(),
  message: z.string(),
  arguments: z.array(z.unknown()).optional(),
  debug: z.string().optional(),
});

const AUTH = new Set([
  'odoo.exceptions.AccessDenied',
  'odoo.http.SessionExpiredException',
  'werkzeug.exceptions.Unauthorized',
]);

const BUSINESS = new Set([
  'odoo.exceptions.UserError',
  'odoo.exceptions.ValidationError',
  'odoo.exceptions.RedirectWarning',
  'odoo.exceptions.MissingError',
  // The integration user lacks rights on a model: retrying cannot help, granting the right and replaying can.
  'odoo.exceptions.AccessError',
  'werkzeug.exceptions.NotFound',
  'werkzeug.exceptions.BadRequest',
  'werkzeug.exceptions.UnprocessableEntity',
]);

export const isMissing = (err: unknown): boolean => err instanceof OdooError && err.odooName === 'odoo.exceptions.MissingError';

/**
 * Sorts an Odoo failure: AccessDenied / expired session / invalid API key → auth (the connection needs new
 * credentials); user-facing refusals (UserError, ValidationError, MissingError, AccessError) and malformed-call
 * answers → business with Odoo's message; a database that does not exist → auth (the config must change);
 * everything else (server crashes, serialization failures, 5xx, 429, unknown errors) → retryable.
 * Returns undefined for errors that are not Odoo's, so the SDK's default table applies.
 */
export function classifyOdooError(err: unknown): ConnectorError | undefined {
  if (!(err instanceof OdooError)) return undefined;
  const where = err.model ? ` (${err.model}.${err.method})` : '';
  const detail = err.odooName;
  if (AUTH.has(err.odooName) || err.httpStatus === 401) {
    return new AuthError(`Odoo refused the credentials${where}: ${err.message}`, { detail, cause: err });
  }
  if (err.odooName === 'psycopg2.OperationalError' && /database ".*" does not exist/.test(err.message)) {
    return new AuthError('Odoo has no such database: check `database` in the connection config', { detail, cause: err });
  }
  if (BUSINESS.has(err.odooName)) return new BusinessError(`Odoo refused${where}: ${err.message}`, { detail, cause: err });
  if (err.httpStatus === 403) return new AuthError(`Odoo refused the request${where} (403): ${err.message}`, { detail, cause: err });
  if (err.httpStatus >= 400 && err.httpStatus < 500 && err.httpStatus !== 408 && err.httpStatus !== 429) {
    return new BusinessError(`Odoo rejected the request${where} (${err.httpStatus}): ${err.message}`, { detail, cause: err });
  }
  return new RetryableError(`Odoo failed${where}: ${err.message}`, {
    detail,
    cause: err,
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
  });
}

/** Like classifyOdooError, with a fallback for anything else (used for per-item results of batch writes). */
export function toConnectorError(err: unknown): ConnectorError {
  const c = classifyOdooError(err);
  if (c) return c;
  if (err instanceof ConnectorError) return err;
  return new RetryableError((err as Error)?.message ?? String(err), { cause: err });
}
