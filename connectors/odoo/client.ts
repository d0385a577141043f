import { z } from 'zod';
import type { ConnectorContext } from '../../core/sdk/index.ts';
import type { OdooConfig } from './config.ts';
import { OdooError } from './errors.ts';
import { failure, readJson } from './http-answer.ts';
import { json2CallKw } from './json2-client.ts';
import { jsonRpc, jsonRpcCallKw } from './jsonrpc-client.ts';
import { sessionOf, type Protocol } from './session.ts';

/**
 * The one interface the capabilities use, whatever the protocol: `callKw(model, method, args, kwargs)` with
 * execute_kw's argument shape (record ids first in `args` for record methods, everything else preferably named in
 * `kwargs`, context in `kwargs.context`). Two implementations: JSON-RPC (≤18) and JSON-2 (19+).
 */
export interface OdooClient {
  readonly protocol: Protocol;
  /** Server major version (17, 18, 19…): product storability is `type = 'product'` before 18, `is_storable` from 18. */
  readonly major: number;
  callKw(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
}

const versionAnswer = z.object({
  version_info: z.array(z.union([z.number(), z.string()])).min(1),
  version: z.string(),
});

/** `19`, `"saas~18"` → 19, 18. */
function majorOf(first: number | string | undefined): number {
  const n = typeof first === 'number' ? first : Number(/(\d+)/.exec(String(first))?.[1]);
  if (!Number.isInteger(n)) throw new OdooError('invalid-response', `Odoo reported an unreadable version: ${String(first)}`, { httpStatus: 502 });
  return n;
}

/** Asks the server its version (no authentication): `GET /web/version`, or `common.version` on servers without it. */
export async function serverMajor(ctx: ConnectorContext<OdooConfig>): Promise<number> {
  const res = await ctx.http.get('web/version', { throwHttpErrors: false });
  if (res.status === 404) {
    const v = z.object({ server_version_info: z.array(z.union([z.number(), z.string()])).min(1) }).safeParse(await jsonRpc(ctx, 'common', 'version', []));
    if (!v.success) throw new OdooError('invalid-response', 'Odoo common.version answer has no server_version_info', { httpStatus: 502 });
    return majorOf(v.data.server_version_info[0]);
  }
  if (!res.ok) throw await failure(res);
  const parsed = versionAnswer.safeParse(await readJson(res));
  if (!parsed.success) throw new OdooError('invalid-response', '/web/version answer has no version_info', { httpStatus: 502 });
  return majorOf(parsed.data.version_info[0]);
}

/** JSON-2 exists from Odoo 19.0. */
export function protocolFor(major: number): Protocol {
  return major >= 19 ? 'json2' : 'jsonrpc';
}

async function detect(ctx: ConnectorContext<OdooConfig>): Promise<{ protocol: Protocol; major: number }> {
  const major = await serverMajor(ctx);
  const protocol = ctx.config.protocol === 'auto' ? protocolFor(major) : ctx.config.protocol;
  ctx.log.info({ major, protocol }, 'odoo server version detected');
  return { protocol, major };
}

/** The client for this connection; the version is read once per session and cached. */
export async function odoo(ctx: ConnectorContext<OdooConfig>): Promise<OdooClient> {
  const session = sessionOf(ctx.config);
  if (!session.protocol) {
    const pending = detect(ctx);
    session.protocol = pending;
    pending.catch(() => {
      if (session.protocol === pending) session.protocol = undefined;
    });
  }
  const { protocol, major } = await session.protocol;
  const impl = protocol === 'json2' ? json2CallKw : jsonRpcCallKw;
  return {
    protocol,
    major,
    callKw: (model, method, args = [], kwargs = {}) => impl(ctx, model, method, args, kwargs),
  };
}
