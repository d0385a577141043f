import { z } from 'zod';
import type { ConnectorContext } from '../../core/sdk/index.ts';
import type { OdooConfig } from './config.ts';
import { OdooError, serializedException } from './errors.ts';
import { failure, readJson } from './http-answer.ts';
import { sessionOf } from './session.ts';

/**
 * Legacy JSON-RPC (`POST /jsonrpc`, Odoo ≤18, deprecated in 19): `common.authenticate` once for the uid, then
 * `object.execute_kw(db, uid, key, model, method, args, kwargs)`. Errors arrive with HTTP 200 in `error.data`.
 */
const envelope = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: z.unknown(), error: z.object({ code: z.number().optional(), message: z.string().optional(), data: serializedException }) }),
  z.object({ jsonrpc: z.literal('2.0'), id: z.unknown(), result: z.unknown() }),
]);

export async function jsonRpc(
  ctx: ConnectorContext<OdooConfig>,
  service: 'common' | 'object',
  method: string,
  args: unknown[],
  where: { model?: string; method?: string } = {},
): Promise<unknown> {
  const id = sessionOf(ctx.config).nextId++;
  const res = await ctx.http.post('jsonrpc', {
    json: { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id },
    throwHttpErrors: false,
  });
  if (!res.ok) throw await failure(res, where);
  const parsed = envelope.safeParse(await readJson(res, where));
  if (!parsed.success) {
    throw new OdooError('invalid-response', `Odoo's JSON-RPC answer is malformed: ${parsed.error.issues[0]?.path.join('.') || '(root)'}: ${parsed.error.issues[0]?.message}`, { httpStatus: 502, ...where });
  }
  if ('error' in parsed.data) {
    const e = parsed.data.error.data;
    throw new OdooError(e.name, e.message, { httpStatus: 200, ...where });
  }
  return parsed.data.result;
}

/** The integration user's uid, authenticated once per session; `false` from Odoo means wrong login or key. */
export function uidOf(ctx: ConnectorContext<OdooConfig>): Promise<number> {
  const session = sessionOf(ctx.config);
  if (!session.uid) {
    const { database, login, apiKey } = ctx.config;
    if (!login) {
      return Promise.reject(new OdooError('odoo.exceptions.AccessDenied', 'JSON-RPC needs `login` in the connection config', { httpStatus: 200 }));
    }
    const pending = jsonRpc(ctx, 'common', 'authenticate', [database, login, apiKey.reveal(), {}]).then((uid) => {
      if (typeof uid !== 'number' || !Number.isInteger(uid)) {
        throw new OdooError('odoo.exceptions.AccessDenied', `Odoo did not accept login "${login}" with the configured API key`, { httpStatus: 200 });
      }
      return uid;
    });
    session.uid = pending;
    // A failed login is not cached: the next job tries again (after the operator fixed the key).
    pending.catch(() => {
      if (session.uid === pending) session.uid = undefined;
    });
  }
  return session.uid;
}

export async function jsonRpcCallKw(
  ctx: ConnectorContext<OdooConfig>,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): Promise<unknown> {
  const uid = await uidOf(ctx);
  try {
    return await jsonRpc(ctx, 'object', 'execute_kw', [ctx.config.database, uid, ctx.config.apiKey.reveal(), model, method, args, kwargs], { model, method });
  } catch (err) {
    // The key was revoked or the user changed: forget the uid so the next job authenticates again.
    if (err instanceof OdooError && err.odooName === 'odoo.exceptions.AccessDenied') sessionOf(ctx.config).uid = undefined;
    throw err;
  }
}
