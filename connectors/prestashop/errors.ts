import { AuthError, BusinessError, type ConnectorError, parseRetryAfter, RetryableError } from '../../core/sdk/index.ts';
import { parseErrorsXml } from './xml.ts';

/**
 * PrestaShop's failures, sorted into the hub's kinds. The webservice answers `<errors><error><code>…` (XML) or
 * `{"errors":[{"code":…,"message":…}]}` (JSON); some paths answer an empty body (404 on GET, the 500 of a
 * duplicate specific price) or an HTML 401 (no credentials). Codes (WebserviceRequest, recorded 090–099):
 * | code(s)           | meaning                                             | kind      |
 * |-------------------|-----------------------------------------------------|-----------|
 * | 20, 21, 22        | key not active / no permission / bad key           | auth      |
 * | 25, 26            | method or resource not allowed for this key        | auth (the operator must grant it) |
 * | 23                | method unknown (PATCH on a 1.7 shop)               | business (set `version: '1.7'`) |
 * | 27, 32–40         | unknown resource, bad filter/display/sort/limit    | business  |
 * | 41, 84–93, 127    | missing/invalid field, bad association, bad id, XML parse error | business |
 * | 3 only            | PHP warnings                                        | by HTTP status |
 * HTTP: 401/403 → auth, 404 → business, 408/429/5xx → retryable (Retry-After honoured), other 4xx → business.
 */
export interface PsErrorEntry {
  code: number;
  message: string;
}

const AUTH_CODES = new Set([20, 21, 22, 25, 26]);
const BUSINESS_CODES = new Set([23, 27, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 127]);

/** The error entries of a body in either format; empty when it is not an error envelope. */
export function parseErrorBody(body: string): PsErrorEntry[] {
  const t = body.trim();
  if (t.startsWith('{')) {
    try {
      const doc = JSON.parse(t) as { errors?: Array<{ code?: unknown; message?: unknown }> };
      return (doc.errors ?? []).map((e) => ({ code: Number(e.code) || 0, message: String(e.message ?? '') }));
    } catch {
      return [];
    }
  }
  return t.startsWith('<') ? parseErrorsXml(t) : [];
}

/** PHP warnings carry server file paths; keep them out of what the operator sees. */
function summary(entries: PsErrorEntry[]): string {
  return entries
    .filter((e) => e.code !== 3)
    .map((e) => `${e.code}: ${e.message.split('\n')[0]!.slice(0, 300)}`)
    .join('; ');
}

export function classifyPrestashop(status: number, entries: PsErrorEntry[], retryAfter: string | null, what: string): ConnectorError {
  const codes = entries.map((e) => e.code).filter((c) => c !== 3);
  const detail = summary(entries) || undefined;
  const opts = detail ? { detail } : {};
  if (status === 401 || status === 403 || codes.some((c) => AUTH_CODES.has(c))) {
    return new AuthError(`PrestaShop refused the webservice key for ${what} (${status}${detail ? `: ${detail}` : ''})`, opts);
  }
  if (codes.some((c) => BUSINESS_CODES.has(c))) {
    const hint = codes.includes(23) ? ' (is this a 1.7 shop? set version: "1.7")' : '';
    return new BusinessError(`PrestaShop rejected ${what} (${status}: ${detail})${hint}`, opts);
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return new RetryableError(`PrestaShop answered ${status} for ${what}${detail ? ` (${detail})` : ''}`, { ...opts, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  return new BusinessError(`PrestaShop rejected ${what} (${status}${detail ? `: ${detail}` : ''})`, opts);
}
