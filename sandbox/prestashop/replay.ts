import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { specPath } from '../common/specs.ts';

/**
 * Reading the recorded exchanges (samples/prestashop/recorded) and comparing a simulator answer with a recorded
 * one. The comparison rule ("salient structure", not bytes):
 * 1. the HTTP status is equal;
 * 2. the body kind is equal: XML, JSON, HTML or none (a recorded empty body must be empty);
 * 3. an error envelope (XML or JSON) has the same list of error codes, and the same messages except where the
 *    message embeds request-specific text (code 127 echoes the body);
 * 4. a JSON body has the same top-level key; a list has the same ids in the same order and, per item, the same
 *    set of keys; a single object has the same set of keys (this is what checks the array_filter quirk) and the
 *    same values, except the volatile fields (dates) and, per exchange, fields listed with a reason in the test;
 * 5. an XML body has the same root element; a list has the same item count; a single entity has the same
 *    ordered list of child elements (plus equal values outside the volatile fields).
 */
export interface Exchange {
  slug: string;
  method: string;
  path: string;
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: string | undefined;
  responseBody: string | undefined;
}

interface ManifestEntry {
  slug: string;
  method: string;
  path: string;
  status: number;
  response_content_type: string;
  files: { request: string; response_body?: string; request_body?: string };
}

export const RECORDED_DIR = () => specPath('samples/prestashop/recorded');

export function loadExchanges(): Exchange[] {
  const dir = RECORDED_DIR();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestEntry[];
  return manifest.map((m) => {
    const raw = readFileSync(join(dir, m.files.request), 'utf8').replaceAll('\r\n', '\n');
    const [head, ...rest] = raw.split('\n\n');
    const headers: Record<string, string> = {};
    for (const line of head!.split('\n').slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    const bodyFile = [`${m.slug}.request.body.xml`, `${m.slug}.request.body.json`].map((f) => join(dir, f)).find((f) => existsSync(f));
    const body = bodyFile ? readFileSync(bodyFile, 'utf8') : rest.join('\n\n') || undefined;
    const respFile = m.files.response_body ? join(dir, m.files.response_body) : undefined;
    return {
      slug: m.slug,
      method: m.method,
      path: m.path,
      status: m.status,
      contentType: m.response_content_type,
      headers,
      body,
      responseBody: respFile && existsSync(respFile) ? readFileSync(respFile, 'utf8') : undefined,
    };
  });
}

export function recordedJson<T = unknown>(slugPrefix: string): T {
  const ex = loadExchanges().find((e) => e.slug.startsWith(slugPrefix));
  if (!ex?.responseBody) throw new Error(`no recorded body for ${slugPrefix}`);
  return JSON.parse(ex.responseBody) as T;
}

export function bodyKind(contentType: string | null | undefined, body: string | undefined): 'xml' | 'json' | 'html' | 'none' {
  if (!body) return 'none';
  const ct = contentType ?? '';
  if (ct.includes('json')) return 'json';
  if (ct.includes('xml')) return 'xml';
  if (ct.includes('html')) return 'html';
  return 'none';
}

const VOLATILE = new Set(['date_add', 'date_upd', 'invoice_date', 'delivery_date']);

const xml = new XMLParser({ ignoreAttributes: false, preserveOrder: true, parseTagValue: false, trimValues: true });

type Ordered = Array<Record<string, unknown>>;

function tagOf(n: Record<string, unknown>): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '';
}

function xmlShape(body: string): { root: string; children: string[]; errors?: Array<{ code: string; message: string }>; values: Record<string, string> } {
  const doc = xml.parse(body) as Ordered;
  const ps = doc.find((n) => tagOf(n) === 'prestashop');
  const top = ((ps?.prestashop as Ordered) ?? []).find((n) => tagOf(n) !== '#text') ?? {};
  const root = tagOf(top);
  const kids = ((top[root] as Ordered) ?? []).filter((n) => tagOf(n) !== '#text');
  const text = (n: Record<string, unknown>): string => {
    const inner = (n[tagOf(n)] as Ordered) ?? [];
    return inner.map((x) => String(x['#text'] ?? (x.__cdata as Ordered | undefined)?.map((y) => y['#text']).join('') ?? '')).join('');
  };
  const values: Record<string, string> = {};
  for (const k of kids) values[tagOf(k)] = text(k);
  if (root === 'errors') {
    return {
      root,
      children: [],
      errors: kids.map((e) => {
        const parts = (e.error as Ordered).filter((n) => tagOf(n) !== '#text');
        const get = (t: string) => text(parts.find((p) => tagOf(p) === t) ?? {});
        return { code: get('code'), message: get('message') };
      }),
      values,
    };
  }
  return { root, children: kids.map(tagOf), values };
}

export interface Comparison {
  ok: boolean;
  problems: string[];
}

function compareErrors(rec: Array<{ code: string | number; message: string }>, got: Array<{ code: string | number; message: string }>, problems: string[]) {
  const rc = rec.map((e) => String(e.code)).join(',');
  const gc = got.map((e) => String(e.code)).join(',');
  if (rc !== gc) problems.push(`error codes: recorded [${rc}] got [${gc}]`);
  rec.forEach((e, i) => {
    if (String(e.code) === '127') return;
    const g = got[i];
    if (g && g.message !== e.message.replaceAll('-&gt;', '->') && g.message !== e.message) problems.push(`error ${e.code} message: recorded "${e.message.slice(0, 120)}" got "${g.message.slice(0, 120)}"`);
  });
}

export function compare(ex: Exchange, status: number, contentType: string | null, body: string, opts: { ignoreValues?: string[] } = {}): Comparison {
  const problems: string[] = [];
  const ignore = new Set([...VOLATILE, ...(opts.ignoreValues ?? [])]);
  if (status !== ex.status) problems.push(`status: recorded ${ex.status} got ${status}`);
  const rk = bodyKind(ex.contentType, ex.responseBody);
  const gk = ex.method === 'HEAD' ? 'none' : bodyKind(contentType, body);
  const rkEff = ex.method === 'HEAD' ? 'none' : rk;
  if (rkEff !== gk) problems.push(`body kind: recorded ${rkEff} got ${gk}`);
  if (problems.length || rkEff === 'none' || rkEff === 'html') return { ok: problems.length === 0, problems };
  const rb = ex.responseBody!;
  if (rk === 'json') {
    const r = JSON.parse(rb) as unknown;
    const g = JSON.parse(body) as unknown;
    if (Array.isArray(r)) {
      if (!Array.isArray(g) || g.length !== r.length) problems.push(`JSON: recorded ${JSON.stringify(r)} got ${body.slice(0, 80)}`);
      return { ok: problems.length === 0, problems };
    }
    const ro = r as Record<string, unknown>;
    const go = (g ?? {}) as Record<string, unknown>;
    if (Object.keys(ro).join() !== Object.keys(go).join()) problems.push(`JSON top keys: recorded [${Object.keys(ro)}] got [${Object.keys(go)}]`);
    if (ro.errors) compareErrors(ro.errors as Array<{ code: number; message: string }>, (go.errors ?? []) as Array<{ code: number; message: string }>, problems);
    const key = Object.keys(ro).find((k) => k !== 'errors');
    if (!key) return { ok: problems.length === 0, problems };
    const rv = ro[key];
    const gv = go[key];
    if (Array.isArray(rv)) {
      const rIds = rv.map((x: { id: unknown }) => String(x.id));
      const gIds = Array.isArray(gv) ? gv.map((x: { id: unknown }) => String(x.id)) : [];
      if (rIds.join() !== gIds.join() && !ignore.has('id')) problems.push(`list ids: recorded [${rIds}] got [${gIds}]`);
      rv.forEach((item: Record<string, unknown>, i: number) => {
        const gi = (Array.isArray(gv) ? gv[i] : undefined) as Record<string, unknown> | undefined;
        const a = Object.keys(item).filter((k) => !ignore.has(k)).sort().join();
        const b = Object.keys(gi ?? {}).filter((k) => !ignore.has(k)).sort().join();
        if (a !== b) problems.push(`item ${i} keys differ: only recorded [${Object.keys(item).filter((k) => !(k in (gi ?? {})))}] only got [${Object.keys(gi ?? {}).filter((k) => !(k in item))}]`);
        else compareValues(item, gi ?? {}, ignore, problems, `item ${i}`);
      });
    } else if (rv && typeof rv === 'object') {
      const item = rv as Record<string, unknown>;
      const gi = (gv ?? {}) as Record<string, unknown>;
      const only1 = Object.keys(item).filter((k) => !(k in gi) && !ignore.has(k));
      const only2 = Object.keys(gi).filter((k) => !(k in item) && !ignore.has(k));
      if (only1.length || only2.length) problems.push(`keys differ: only recorded [${only1}] only got [${only2}]`);
      compareValues(item, gi, ignore, problems, key);
    }
    return { ok: problems.length === 0, problems };
  }
  const r = xmlShape(rb);
  const g = xmlShape(body);
  if (r.root !== g.root) problems.push(`XML root: recorded <${r.root}> got <${g.root}>`);
  else if (r.errors) compareErrors(r.errors, g.errors ?? [], problems);
  else if (r.root === 'api') {
    // The resource list depends on the key's permissions, which the README only summarises: root element only.
  } else if (r.root === /^\/api\/(\w+)/.exec(ex.path)?.[1]) {
    if (r.children.length !== g.children.length) problems.push(`XML list: recorded ${r.children.length} items got ${g.children.length}`);
  } else {
    if (r.children.join() !== g.children.join()) problems.push(`XML children: recorded [${r.children}] got [${g.children}]`);
    compareValues(r.values, g.values, ignore, problems, r.root);
  }
  return { ok: problems.length === 0, problems };
}

function compareValues(r: Record<string, unknown>, g: Record<string, unknown>, ignore: Set<string>, problems: string[], where: string) {
  for (const [k, v] of Object.entries(r)) {
    if (ignore.has(k) || k === 'associations' || !(k in g)) continue;
    if (JSON.stringify(v) !== JSON.stringify(g[k])) problems.push(`${where}.${k}: recorded ${JSON.stringify(v)?.slice(0, 60)} got ${JSON.stringify(g[k])?.slice(0, 60)}`);
  }
}
