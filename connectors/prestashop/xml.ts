import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * The webservice reads only XML (JSON input fails with a 500, recorded 047), so every write body is built here.
 * A field is a string, or for a multilingual field an object `language id → text`. Values never carry
 * whitespace around them (the docs warn `<id>\n 5\n</id>` corrupts a resource), text is entity-escaped by the
 * builder, and characters XML 1.0 forbids are dropped so a stray control character cannot break the body.
 */
export type FieldValue = string | { [languageId: string]: string };

export interface Association {
  /** Child element name, e.g. `category` inside `categories`. */
  nodeType: string;
  items: Array<Record<string, string>>;
}

export interface ResourceBody {
  fields: Record<string, FieldValue>;
  associations?: Record<string, Association>;
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const clean = (s: string) => s.replace(FORBIDDEN, '');

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: false, suppressEmptyNode: false, processEntities: true });

/** `<prestashop><node>…</node></prestashop>`; `id` first when given (PUT/PATCH need it, POST forbids it). */
export function buildXml(node: string, id: string | number | undefined, body: ResourceBody): string {
  const inner: Record<string, unknown> = {};
  if (id !== undefined) inner.id = String(id);
  for (const [name, value] of Object.entries(body.fields)) {
    if (name === 'id') continue;
    inner[name] =
      typeof value === 'string'
        ? clean(value)
        : { language: Object.entries(value).map(([lang, text]) => ({ '@_id': lang, '#text': clean(text) })) };
  }
  const assoc = Object.entries(body.associations ?? {}).filter(([, a]) => a.items.length > 0);
  if (assoc.length) {
    inner.associations = Object.fromEntries(
      assoc.map(([name, a]) => [name, { [a.nodeType]: a.items.map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, clean(v)]))) }]),
    );
  }
  const xml = builder.build({ prestashop: { '@_xmlns:xlink': 'http://www.w3.org/1999/xlink', [node]: inner } }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>${xml}`;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => name === 'language',
});

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  const t = (v as Record<string, unknown>)['#text'];
  return t === undefined ? '' : String(t);
}

/**
 * Parses one resource as `GET /api/<resource>/<id>` returns it in XML (the only single-object form that keeps
 * every field: the JSON form drops "0" and empty values, recorded 042), for a read-modify-PUT.
 */
export function parseResourceXml(xml: string, node: string): ResourceBody & { id: string } {
  const doc = parser.parse(xml) as { prestashop?: Record<string, unknown> };
  const raw = doc.prestashop?.[node];
  if (!raw || typeof raw !== 'object') throw new Error(`PrestaShop XML answer has no <${node}> element`);
  const out: ResourceBody & { id: string } = { id: '', fields: {}, associations: {} };
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name.startsWith('@_') || name === '#text') continue;
    if (name === 'id') out.id = text(value).trim();
    else if (name === 'associations') {
      for (const [an, av] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (an.startsWith('@_') || an === '#text' || !av || typeof av !== 'object') continue;
        const nodeType = String((av as Record<string, unknown>)['@_nodeType'] ?? '');
        const children = (av as Record<string, unknown>)[nodeType];
        const list = children === undefined ? [] : Array.isArray(children) ? children : [children];
        const items = list.map((child) =>
          Object.fromEntries(
            Object.entries((child ?? {}) as Record<string, unknown>)
              .filter(([k]) => !k.startsWith('@_') && k !== '#text')
              .map(([k, v]) => [k, text(v).trim()]),
          ),
        );
        out.associations![an] = { nodeType, items };
      }
    } else if (value && typeof value === 'object' && 'language' in value) {
      const langs: Record<string, string> = {};
      for (const l of (value as { language: unknown[] }).language) langs[String((l as Record<string, unknown>)['@_id'] ?? '')] = text(l);
      out.fields[name] = langs;
    } else out.fields[name] = text(value);
  }
  return out;
}

/** The `<errors>` of an XML error body: `[{ code, message }]` (empty when the body is not an error envelope). */
export function parseErrorsXml(xml: string): Array<{ code: number; message: string }> {
  try {
    const doc = parser.parse(xml) as { prestashop?: { errors?: { error?: unknown } } };
    const e = doc.prestashop?.errors?.error;
    const list = e === undefined ? [] : Array.isArray(e) ? e : [e];
    return list.map((x) => ({ code: Number(text((x as Record<string, unknown>).code).trim()) || 0, message: text((x as Record<string, unknown>).message).trim() }));
  } catch {
    return [];
  }
}
