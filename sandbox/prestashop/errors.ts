/**
 * PrestaShop webservice errors: an HTTP status plus a list of `{code, message}` entries, rendered as
 * `<prestashop><errors><error><code>…` in XML or `{"errors":[{"code":…,"message":…}]}` in JSON
 * (recorded 043, 055–057, 091, 114). Codes are the core's own (WebserviceRequest::setError).
 */
export interface PsErrorEntry {
  code: number;
  message: string;
}

export class PsError extends Error {
  constructor(
    readonly status: number,
    readonly entries: PsErrorEntry[],
  ) {
    super(entries.map((e) => `${e.code} ${e.message}`).join('; '));
  }

  static one(status: number, code: number, message: string): PsError {
    return new PsError(status, [{ code, message }]);
  }
}

/**
 * A response the real shop sends without any envelope: 404 on GET (empty body, no Content-Type, recorded 093/113),
 * and the uncaught PHP failures answering 500 with an empty body (recorded 002, 061).
 */
export class BareResponse extends Error {
  constructor(
    readonly status: number,
    readonly contentType?: string,
  ) {
    super(`bare ${status}`);
  }
}

export const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

export function renderErrorsXml(entries: PsErrorEntry[]): string {
  const items = entries
    .map((e) => `<error>\n<code>${cdata(String(e.code))}</code>\n<message>${cdata(escapeXmlText(e.message))}</message>\n</error>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">\n<errors>\n${items}</errors>\n</prestashop>\n`;
}

/** The real shop HTML-escapes `>` inside error messages even within CDATA (`Product-&gt;ean13`, recorded 057). */
function escapeXmlText(s: string): string {
  return s.replaceAll('->', '-&gt;');
}

export function renderErrorsJson(entries: PsErrorEntry[]): string {
  return phpJson({ errors: entries.map((e) => ({ code: e.code, message: e.message })) });
}

/** json_encode as PHP does by default: `/` escaped as `\/`, non-ASCII kept (PrestaShop passes JSON_UNESCAPED_UNICODE). */
export function phpJson(v: unknown): string {
  return JSON.stringify(v).replaceAll('/', '\\/');
}
