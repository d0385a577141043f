import { Hono, type Context } from 'hono';
import { callMethod } from './dispatch.ts';
import { asOdooError, badRequest, notFound, serializeException, unauthorized, unprocessable } from './errors.ts';
import { lookupMethod, toIds } from './methods.ts';
import { NOT_FOUND_HTML, type ServerContext } from './context.ts';
import type { Env } from './store.ts';

/**
 * JSON-2 (Odoo 19+): `POST /json/2/<model>/<method>`, `Authorization: bearer <API key>`, optional
 * `X-Odoo-Database`, a JSON object of named arguments (plus `ids` and `context`). Success is HTTP 200 with the bare
 * return value; errors carry the exception's HTTP status and `{name, message, arguments, context, debug}`.
 * Mirrors addons/web/controllers/json2.py and ir_http._auth_method_bearer (19.0). Servers before 19.0 have no such
 * route: every `/json/2` path is a plain 404 page there.
 */
export function json2Routes(s: ServerContext): Hono {
  const app = new Hono();

  if (s.major < 19) {
    app.all('/json/2', (c) => c.html(NOT_FOUND_HTML, 404));
    app.all('/json/2/*', (c) => c.html(NOT_FOUND_HTML, 404));
    return app;
  }

  const fail = (c: Context, err: unknown) => {
    const e = asOdooError(err);
    return c.json(serializeException(e), e.httpStatus as 400, e.headers);
  };

  app.post('/json/2/:model/:method', async (c) => {
    // A database named in the header that this server does not serve: no database, so no JSON-2 route.
    const dbHeader = c.req.header('x-odoo-database');
    if (dbHeader !== undefined && dbHeader !== s.database) return c.html(NOT_FOUND_HTML, 404);
    const ct = c.req.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(ct)) {
      return c.html(
        `<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>Request inferred type is compatible with ['http'] but '/json/2/&lt;model&gt;/&lt;method&gt;' is type='/json/2/rpc'.</p>\n`,
        400,
      );
    }
    try {
      // Authentication happens before the body is read.
      const header = c.req.header('authorization');
      const token = header ? /^bearer\s+(.+)$/i.exec(header)?.[1] : undefined;
      if (!token) throw unauthorized('User not authenticated, use an API Key with a Bearer Authorization header.');
      const uid = s.auth.bearer(token.trim());
      if (uid === undefined) throw unauthorized('Invalid apikey');

      const raw = await c.req.text();
      let body: unknown = {};
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch (err) {
          throw badRequest(`could not parse the body as json: ${(err as Error).message}`);
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('could not parse the body, expecting a json object');
      }
      const { ids: rawIds, context, ...kwargs } = body as Record<string, unknown>;
      const model = c.req.param('model');
      const method = c.req.param('method');
      if (!s.db.registry[model]) throw notFound(`the model '${model}' does not exist`);
      const spec = lookupMethod(s.major, model, method);
      if (!spec) throw notFound(`The method '${model}.${method}' does not exist`);
      const ids = toIds(rawIds);
      if (spec.apiModel && ids.length) throw unprocessable(`cannot call ${model}.${method} with ids`);
      // inspect.signature(func).bind(records, **kwargs)
      for (const k of Object.keys(kwargs)) {
        if (!spec.varKw && !spec.params.some((p) => p.name === k)) throw unprocessable(`got an unexpected keyword argument '${k}'`);
      }
      const missing = spec.params.find((p) => p.required && !(p.name in kwargs));
      if (missing) throw unprocessable(`missing a required argument: '${missing.name}'`);
      const env: Env = { db: s.db, uid, context: context && typeof context === 'object' ? (context as Record<string, unknown>) : {} };
      const result = callMethod(env, model, spec, ids, kwargs);
      return c.json(result === undefined ? null : (result as object));
    } catch (err) {
      return fail(c, err);
    }
  });

  // Any other method or path under /json/2 (GET, a missing method segment…): werkzeug NotFound with a hint.
  const hint = (c: Context) => fail(c, notFound('Did you mean POST /json/2/<model>/<method>?'));
  app.all('/json/2', hint);
  app.all('/json/2/*', hint);
  return app;
}
