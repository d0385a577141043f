import type { ConnectorContext } from '../../core/sdk/index.ts';
import type { OdooConfig } from './config.ts';
import { failure, readJson } from './http-answer.ts';

/**
 * JSON-2 (`POST /json/2/<model>/<method>`, Odoo 19+): named arguments only, record ids in `ids`, context in
 * `context`; the bearer API key and `X-Odoo-Database` are added by the HTTP declaration (index.ts). Success is the
 * bare return value; an error is `{name, message, …}` with a 4xx/5xx status.
 *
 * The connector's calls use execute_kw's shape (positional `args`), so each method's Python signature is listed
 * here to name them. A method missing from this table is a programming error, not a channel failure.
 */
const SIGNATURES: Record<string, { record: boolean; params: string[] }> = {
  search_read: { record: false, params: ['domain', 'fields', 'offset', 'limit', 'order'] },
  search: { record: false, params: ['domain', 'offset', 'limit', 'order'] },
  search_count: { record: false, params: ['domain', 'limit'] },
  create: { record: false, params: ['vals_list'] },
  context_get: { record: false, params: [] },
  read: { record: true, params: ['fields', 'load'] },
  write: { record: true, params: ['vals'] },
  action_confirm: { record: true, params: [] },
  action_cancel: { record: true, params: [] },
};

/** The JSON-2 body for an execute_kw-shaped call. */
export function json2Body(method: string, args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const sig = SIGNATURES[method];
  if (!sig) throw new Error(`odoo connector: no JSON-2 signature known for method "${method}"`);
  const positional = sig.record ? args.slice(1) : args;
  if (positional.length > sig.params.length) throw new Error(`odoo connector: too many arguments for ${method}`);
  const body: Record<string, unknown> = {};
  if (sig.record) body.ids = args[0] ?? [];
  positional.forEach((value, i) => {
    body[sig.params[i]!] = value;
  });
  return { ...body, ...kwargs };
}

export async function json2CallKw(
  ctx: ConnectorContext<OdooConfig>,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): Promise<unknown> {
  const res = await ctx.http.post(`json/2/${model}/${method}`, { json: json2Body(method, args, kwargs), throwHttpErrors: false });
  if (!res.ok) throw await failure(res, { model, method });
  return readJson(res, { model, method });
}
