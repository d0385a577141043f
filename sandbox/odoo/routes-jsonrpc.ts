import { Hono } from 'hono';
import { checkDatabase, executeKw } from './dispatch.ts';
import { asOdooError, badRequest, OdooError, serializeException } from './errors.ts';
import { clientAddress, type ServerContext } from './context.ts';

/**
 * Legacy JSON-RPC: `POST /jsonrpc` with `{"jsonrpc":"2.0","method":"call","params":{service, method, args},"id"}`
 * (odoo/addons/base/controllers/rpc.py → `dispatch_rpc`). Every answer is HTTP 200: `{jsonrpc, id, result}` or
 * `{jsonrpc, id, error: {code: 200, message: "Odoo Server Error", data: <serialized exception>}}`.
 * Deprecated in 19.0 (still served); scheduled for removal in Odoo 22.
 */
export function jsonRpcRoutes(s: ServerContext): Hono {
  const app = new Hono();

  const common = (method: unknown, args: unknown[], source: string): unknown => {
    switch (method) {
      case 'version':
        return { server_version: s.version, server_version_info: s.versionInfo, server_serie: s.version, protocol_version: 1 };
      case 'login':
      case 'authenticate': {
        const [db, login, password] = args;
        checkDatabase(s, db);
        return s.auth.authenticate(login, password, source);
      }
      default:
        throw new OdooError('builtins.KeyError', `'exp_${String(method)}'`, 500, [`exp_${String(method)}`]);
    }
  };

  const dbService = (method: unknown): unknown => {
    if (method === 'list') return [s.database];
    if (method === 'server_version') return s.version;
    throw new OdooError('builtins.KeyError', `'exp_${String(method)}'`, 500, [`exp_${String(method)}`]);
  };

  app.post('/jsonrpc', async (c) => {
    const ct = c.req.header('content-type') ?? '';
    // The JSON-RPC dispatcher only takes JSON bodies; anything else is refused before dispatching.
    if (!/^application\/(json|json-rpc)\b/i.test(ct)) {
      return c.html(
        `<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>Request inferred type is compatible with ['http'] but '/jsonrpc' is type='json'.</p>\n`,
        400,
      );
    }
    let body: { id?: unknown; params?: { service?: unknown; method?: unknown; args?: unknown } };
    try {
      body = await c.req.json();
    } catch {
      const err = badRequest('Invalid JSON data');
      return c.json({ jsonrpc: '2.0', id: null, error: { code: 200, message: 'Odoo Server Error', data: serializeException(err) } });
    }
    const id = body?.id ?? null;
    try {
      const params = body?.params ?? {};
      const args = Array.isArray(params.args) ? params.args : [];
      let result: unknown;
      switch (params.service) {
        case 'common':
          result = common(params.method, args, clientAddress(c.env));
          break;
        case 'object':
          if (params.method !== 'execute_kw' && params.method !== 'execute') {
            throw new OdooError('builtins.NameError', `Method not available ${String(params.method)}`, 500);
          }
          result = params.method === 'execute' ? executeKw(s, [...args.slice(0, 5), args.slice(5), {}]) : executeKw(s, args);
          break;
        case 'db':
          result = dbService(params.method);
          break;
        default:
          throw new OdooError('builtins.KeyError', `'${String(params.service)}'`, 500, [String(params.service)]);
      }
      return c.json({ jsonrpc: '2.0', id, result: result === undefined ? null : result });
    } catch (err) {
      const e = asOdooError(err);
      return c.json({ jsonrpc: '2.0', id, error: { code: 200, message: 'Odoo Server Error', data: serializeException(e) } });
    }
  });
  return app;
}
