import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { cdata, PsError } from './errors.ts';
import type { Entity, FieldValue } from './model.ts';
import { isLang } from './model.ts';
import { ASSOC_FIELD_LINKS, LINKS, type ResourceDef } from './resources.ts';

export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">\n';
export const XML_TAIL = '</prestashop>\n';

export interface RenderCtx {
  /** `http://host/api/` as the client reached it; links are built on it. */
  base: string;
  /** Language ids to render for multilingual fields. */
  langs: string[];
}

function href(ctx: RenderCtx, path: string): string {
  return ` xlink:href="${ctx.base}${path}"`;
}

function fieldLink(def: ResourceDef, e: Entity, field: string, value: string, ctx: RenderCtx): string {
  const target = LINKS[def.name]?.[field];
  if (!target || value === '' || value === '0') return '';
  return href(ctx, `${target.replace('{id}', String(e.id))}/${value}`);
}

function renderValue(v: FieldValue | undefined, ctx: RenderCtx): string {
  if (isLang(v)) {
    return ctx.langs.map((l) => `<language id="${l}"${href(ctx, `languages/${l}`)}>${cdata(v[l] ?? '')}</language>`).join('');
  }
  return cdata(v ?? '');
}

/** One entity as the real shop renders it (recorded 008, 018, 024): tab-indented fields, then associations. */
export function renderEntityXml(def: ResourceDef, e: Entity, ctx: RenderCtx, only?: Set<string>): string {
  const out: string[] = [`<${def.node}>\n`];
  if (!only || only.has('id')) out.push(`\t<id>${cdata(String(e.id))}</id>\n`);
  for (const f of def.fields) {
    if (only && !only.has(f.name)) continue;
    const v = e.fields[f.name];
    const link = isLang(v) ? '' : fieldLink(def, e, f.name, v ?? '', ctx);
    const nf = f.notFilterable ? ' notFilterable="true"' : '';
    out.push(`\t<${f.name}${link}${nf}>${renderValue(v, ctx)}</${f.name}>\n`);
  }
  if (def.associations.length && (!only || only.has('associations'))) {
    out.push('<associations>\n');
    for (const a of def.associations) {
      const attrs = a.api ? ` nodeType="${a.nodeType}" api="${a.api}"` : ` nodeType="${a.nodeType}" virtualEntity="true"`;
      const items = e.associations[a.name] ?? [];
      if (!items.length) {
        out.push(`<${a.name}${attrs}/>\n`);
        continue;
      }
      out.push(`<${a.name}${attrs}>\n`);
      for (const item of items) {
        const itemHref = a.api
          ? href(ctx, a.api === 'images' || a.api === 'images/products' ? `images/products/${def.name === 'products' ? e.id : (e.fields.id_product as string)}/${item.id}` : `${a.api}/${item.id}`)
          : '';
        out.push(`\t<${a.nodeType}${itemHref}>\n`);
        for (const k of Object.keys(item)) {
          const lt = ASSOC_FIELD_LINKS[k];
          const l = lt && k !== 'id' ? href(ctx, `${lt}/${item[k]}`) : '';
          out.push(`\t<${k}${l}>${cdata(item[k] ?? '')}</${k}>\n`);
        }
        out.push(`\t</${a.nodeType}>\n`);
      }
      out.push(`</${a.name}>\n`);
    }
    out.push('</associations>\n');
  }
  out.push(`</${def.node}>\n`);
  return out.join('');
}

export function renderSingleXml(def: ResourceDef, e: Entity, ctx: RenderCtx): string {
  return XML_HEAD + renderEntityXml(def, e, ctx) + XML_TAIL;
}

/** A list: xlink references without `display` (recorded 005), full entities with it (007); empty `<products>\n</products>` (012). */
export function renderListXml(def: ResourceDef, items: Entity[], ctx: RenderCtx, display: 'refs' | Set<string> | 'full'): string {
  const body =
    display === 'refs'
      ? items.map((e) => `<${def.node} id="${e.id}"${href(ctx, `${def.name}/${e.id}`)}/>\n`).join('')
      : items.map((e) => renderEntityXml(def, e, ctx, display === 'full' ? undefined : display)).join('');
  return `${XML_HEAD}<${def.name}>\n${body}</${def.name}>\n${XML_TAIL}`;
}

/** What a write body carried: the values of known fields, the associations, and whether `<id>` was present. */
export interface ParsedInput {
  id?: string;
  fields: Record<string, FieldValue>;
  associations: Record<string, Array<Record<string, string>>>;
  /** Names of every element under the resource node (known or not). */
  present: Set<string>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, jpath) => name === 'language' || String(jpath).split('.').length === 5,
});

/**
 * Parses a write body. Anything that is not XML fails as the real SimpleXMLElement does: HTTP 500, three PHP
 * warnings (code 3) and code 127 "String could not be parsed as XML" (recorded 047, a JSON body).
 */
export function parseInputXml(def: ResourceDef, body: string): ParsedInput {
  const valid = body.trim() !== '' && XMLValidator.validate(body) === true;
  if (!valid) throw xmlParseError(body);
  const doc = parser.parse(body) as Record<string, unknown>;
  const root = doc.prestashop as Record<string, unknown> | undefined;
  const node = (root?.[def.node] ?? (root ? Object.values(root).find((v) => typeof v === 'object') : undefined)) as
    | Record<string, unknown>
    | undefined;
  const out: ParsedInput = { fields: {}, associations: {}, present: new Set() };
  if (!node || typeof node !== 'object') return out;
  for (const [k, raw] of Object.entries(node)) {
    if (k.startsWith('@_')) continue;
    out.present.add(k);
    if (k === 'id') {
      out.id = textNode(raw);
    } else if (k === 'associations') {
      for (const [an, av] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
        if (an.startsWith('@_')) continue;
        const itemsObj = (av ?? {}) as Record<string, unknown>;
        const items: Array<Record<string, string>> = [];
        for (const [ik, iv] of Object.entries(itemsObj)) {
          if (ik.startsWith('@_')) continue;
          for (const one of Array.isArray(iv) ? iv : [iv]) {
            const rec: Record<string, string> = {};
            for (const [fk, fv] of Object.entries((one ?? {}) as Record<string, unknown>)) {
              if (!fk.startsWith('@_')) rec[fk] = textNode(fv);
            }
            items.push(rec);
          }
        }
        out.associations[an] = items;
      }
    } else if (raw && typeof raw === 'object' && 'language' in (raw as object)) {
      const lv: Record<string, string> = {};
      for (const l of (raw as { language: unknown[] }).language) {
        const lo = l as Record<string, unknown> | string;
        if (typeof lo === 'string') continue;
        const lid = String(lo['@_id'] ?? '');
        if (lid) lv[lid] = textNode(lo);
      }
      out.fields[k] = lv;
    } else {
      out.fields[k] = textNode(raw);
    }
  }
  return out;
}

function textNode(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const t = (v as Record<string, unknown>)['#text'];
    return t === undefined ? '' : String(t);
  }
  return '';
}

const WS_FILE = '<shop-root>/classes/webservice/WebserviceRequest.php, line 1544';

function xmlParseError(body: string): PsError {
  const entries = [];
  if (!body.trimStart().startsWith('<')) {
    entries.push(
      { code: 3, message: `[PHP Warning #2] SimpleXMLElement::__construct(): Entity: line 1: parser error : Start tag expected, '<' not found (${WS_FILE})` },
      { code: 3, message: `[PHP Warning #2] SimpleXMLElement::__construct(): ${body.split('\n')[0]} (${WS_FILE})` },
      { code: 3, message: `[PHP Warning #2] SimpleXMLElement::__construct(): ^ (${WS_FILE})` },
    );
  }
  entries.push({
    code: 127,
    message: `XML error : String could not be parsed as XML\nXML length : ${Buffer.byteLength(body)}\nOriginal XML : ${body}`,
  });
  return new PsError(500, entries);
}
