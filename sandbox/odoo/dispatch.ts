import { accessDenied, OdooError, userError } from './errors.ts';
import { lookupMethod, Recordset, toIds, type MethodSpec } from './methods.ts';
import type { ServerContext } from './context.ts';
import type { Env } from './store.ts';

/** Calls one model method with already-bound named arguments; recordsets come back as id lists. */
export function callMethod(env: Env, model: string, spec: MethodSpec, ids: number[], a: Record<string, unknown>): unknown {
  const result = spec.run(env, model, ids, a);
  return result instanceof Recordset ? result.ids : result;
}

const pyTypeError = (msg: string) => new OdooError('builtins.TypeError', msg, 500);

/**
 * Binds `execute_kw` arguments the way Python calls `method(*args, **kwargs)`: record ids come first for record
 * methods (`call_kw` takes `args[0]`), then positional parameters, then keywords (`context` is taken out first).
 */
export function bindPositional(spec: MethodSpec, method: string, args: unknown[], kwargs: Record<string, unknown>): { ids: number[]; a: Record<string, unknown> } {
  let ids: number[] = [];
  let pos = args;
  if (!spec.apiModel) {
    if (args.length === 0) throw new OdooError('builtins.IndexError', 'list index out of range', 500);
    ids = toIds(args[0]);
    pos = args.slice(1);
  }
  const max = spec.params.length + 1;
  const min = spec.params.filter((p) => p.required).length + 1;
  if (pos.length + 1 > max) {
    throw pyTypeError(`${method}() takes ${min === max ? max : `from ${min} to ${max}`} positional arguments but ${pos.length + 1} were given`);
  }
  const a: Record<string, unknown> = {};
  spec.params.forEach((p, i) => {
    if (i < pos.length) a[p.name] = pos[i];
  });
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'context') continue;
    const known = spec.params.some((p) => p.name === k);
    if (!known && !spec.varKw) throw pyTypeError(`${method}() got an unexpected keyword argument '${k}'`);
    if (known && k in a) throw pyTypeError(`${method}() got multiple values for argument '${k}'`);
    a[k] = v;
  }
  const missing = spec.params.filter((p) => p.required && !(p.name in a));
  if (missing.length) {
    throw pyTypeError(`${method}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${missing.map((p) => `'${p.name}'`).join(' and ')}`);
  }
  return { ids, a };
}

/** PostgreSQL refuses a database that does not exist before Odoo can do anything. */
export function checkDatabase(s: ServerContext, db: unknown): void {
  if (db !== s.database) {
    throw new OdooError(
      'psycopg2.OperationalError',
      `connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: FATAL:  database "${String(db)}" does not exist\n`,
      500,
    );
  }
}

/** `object.execute_kw(db, uid, password, model, method, args, kwargs)` (service/model.py). */
export function executeKw(s: ServerContext, params: unknown[]): unknown {
  if (params.length < 5) {
    const names = ['db', 'uid', 'passwd', 'obj', 'method'];
    throw pyTypeError(`execute_kw() missing ${5 - params.length} required positional argument(s): ${names.slice(params.length).map((n) => `'${n}'`).join(', ')}`);
  }
  const [db, uid, password, model, method, args = [], kwargs = {}] = params as [unknown, unknown, unknown, unknown, unknown, unknown, unknown];
  checkDatabase(s, db);
  const uidNum = uid === false ? 0 : Number(uid);
  if (!Number.isInteger(uidNum)) throw new OdooError('builtins.ValueError', `invalid literal for int() with base 10: ${JSON.stringify(uid)}`, 500);
  if (!s.auth.check(uidNum, password)) throw accessDenied();
  if (typeof model !== 'string' || !s.db.registry[model]) throw userError(`Object ${String(model)} doesn't exist`);
  if (typeof method !== 'string') throw pyTypeError('method name must be a string');
  const spec = lookupMethod(s.major, model, method);
  if (!spec) throw new OdooError('builtins.AttributeError', `The method '${method}' does not exist on the model '${model}'`, 500);
  if (!Array.isArray(args)) throw pyTypeError(`execute_kw() argument after * must be an iterable, not ${typeof args}`);
  const kw = (kwargs && typeof kwargs === 'object' && !Array.isArray(kwargs) ? kwargs : {}) as Record<string, unknown>;
  const context = kw.context && typeof kw.context === 'object' ? (kw.context as Record<string, unknown>) : {};
  const { ids, a } = bindPositional(spec, method, args, kw);
  const env: Env = { db: s.db, uid: uidNum, context };
  const result = callMethod(env, model, spec, ids, a);
  // call_kw special case: create() with a single dict returns an id, not a list.
  if (method === 'create' && args[0] && typeof args[0] === 'object' && !Array.isArray(args[0]) && Array.isArray(result)) return result[0];
  return result;
}
