import { parseRetryAfter } from '../../core/sdk/index.ts';
import { OdooError, serializedException } from './errors.ts';

/** Reads a JSON body; a body that is not JSON (a proxy's HTML page, a truncated answer) becomes an OdooError. */
export async function readJson(res: Response, where: { model?: string; method?: string } = {}): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new OdooError('invalid-response', `Odoo answered ${res.status} with a body that is not JSON`, {
      httpStatus: res.status === 200 ? 502 : res.status,
      ...where,
      ...retryAfter(res),
    });
  }
}

function retryAfter(res: Response): { retryAfterMs?: number } {
  const ms = parseRetryAfter(res.headers.get('retry-after'));
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/** A non-2xx answer: Odoo's serialized exception when the body carries one, else the bare HTTP status. */
export async function failure(res: Response, where: { model?: string; method?: string } = {}): Promise<OdooError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = serializedException.safeParse(body);
  if (parsed.success) {
    return new OdooError(parsed.data.name, parsed.data.message, { httpStatus: res.status, ...where, ...retryAfter(res) });
  }
  return new OdooError(`http.${res.status}`, `Odoo answered HTTP ${res.status}`, { httpStatus: res.status, ...where, ...retryAfter(res) });
}
