/**
 * Odoo's exceptions as they travel over the wire. Both protocols serialize an exception the same way
 * (`odoo.http.serialize_exception`): `{ name: "<module>.<Class>", message, arguments, context, debug }`.
 * - JSON-RPC wraps it in `{ error: { code: 200, message: "Odoo Server Error", data } }` with HTTP 200.
 * - JSON-2 sends it bare, with the HTTP status the exception carries (`UserError.http_status` = 422,
 *   `AccessDenied`/`AccessError` = 403, `MissingError` = 404; werkzeug exceptions their own code; anything else 500).
 * Sources: odoo/http.py `serialize_exception`, odoo/exceptions.py (19.0), addons/web/controllers/json2.py.
 */
export class OdooError extends Error {
  constructor(
    /** Fully qualified Python class name, e.g. `odoo.exceptions.ValidationError`. */
    readonly pyName: string,
    message: string,
    /** HTTP status used by JSON-2. */
    readonly httpStatus: number,
    /** Python `exception.args`; werkzeug HTTP errors use `[description, code]`. */
    readonly args: unknown[] = [message],
    /** Extra response headers (JSON-2 only), e.g. `WWW-Authenticate`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const userError = (msg: string) => new OdooError('odoo.exceptions.UserError', msg, 422);
export const validationError = (msg: string) => new OdooError('odoo.exceptions.ValidationError', msg, 422);
export const accessError = (msg: string) => new OdooError('odoo.exceptions.AccessError', msg, 403);
export const missingError = (msg: string) => new OdooError('odoo.exceptions.MissingError', msg, 404);
/** AccessDenied suppresses its traceback (`suppress_traceback()`), so `debug` carries no frames. */
export const accessDenied = (msg = 'Access Denied') => new OdooError('odoo.exceptions.AccessDenied', msg, 403);
/** Plain Python errors (bad field names in a domain, bad arguments) are "internal server errors" for JSON-2. */
export const valueError = (msg: string) => new OdooError('builtins.ValueError', msg, 500);
export const typeError = (msg: string) => new OdooError('builtins.TypeError', msg, 500);
export const attributeError = (msg: string) => new OdooError('builtins.AttributeError', msg, 500);

function werkzeug(cls: string, code: number, description: string, headers: Record<string, string> = {}): OdooError {
  return new OdooError(`werkzeug.exceptions.${cls}`, description, code, [description, code], headers);
}
export const notFound = (description: string) => werkzeug('NotFound', 404, description);
export const badRequest = (description: string) => werkzeug('BadRequest', 400, description);
export const unprocessable = (description: string) => werkzeug('UnprocessableEntity', 422, description);
export const unauthorized = (description: string) =>
  werkzeug('Unauthorized', 401, description, { 'WWW-Authenticate': 'Bearer' });

export interface SerializedException {
  name: string;
  message: string;
  arguments: unknown[];
  context: Record<string, unknown>;
  debug: string;
}

/**
 * The simulator has no Python traceback; `debug` holds a short one-frame imitation so that clients which log it
 * see something of the same kind. AccessDenied keeps an empty traceback part, as Odoo strips it.
 */
export function serializeException(err: OdooError): SerializedException {
  const short = err.pyName.split('.').slice(-2).join('.');
  const tail = `${err.pyName.startsWith('builtins.') ? err.pyName.slice(9) : err.pyName}: ${err.message}\n`;
  const debug =
    err.pyName === 'odoo.exceptions.AccessDenied'
      ? tail
      : `Traceback (most recent call last):\n  File "odoo-simulator", line 1, in ${short}\n${tail}`;
  return { name: err.pyName, message: err.message, arguments: err.args, context: {}, debug };
}

/** Any non-Odoo error inside the simulator is reported the way Odoo reports a crash. */
export function asOdooError(err: unknown): OdooError {
  if (err instanceof OdooError) return err;
  return new OdooError('builtins.Exception', (err as Error)?.message ?? String(err), 500);
}

/** Python's repr of a JSON value, for messages that embed one (`Invalid field 'x'`, `Object foo doesn't exist`). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}
