import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { closest } from './closest.ts';
import { BareResponse, PsError, renderErrorsJson, renderErrorsXml } from './errors.ts';
import { renderEchoJsonWithWarnings, renderListJson, renderSingleJson } from './json.ts';
import { serveImages, servePublicImage } from './images.ts';
import { applyListQuery, parseListQuery } from './query.ts';
import { ALL_RESOURCE_NAMES, type ResourceDef } from './resources.ts';
import type { Store } from './store.ts';
import { applyWrite, type WriteMethod } from './writes.ts';
import { renderListXml, renderSingleXml, XML_HEAD, XML_TAIL, type RenderCtx } from './xml.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface ApiKey {
  key: string;
  /** resource → allowed methods. */
  permissions: Record<string, Method[]>;
}

export interface ApiConfig {
  store: Store;
  defs: Map<string, ResourceDef>;
  keys: ApiKey[];
  version: '1.7' | '8';
  shopName: string;
  latencyMs: number;
}

const REALM = 'Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required.';
const XML_CT = 'text/xml;charset=utf-8';
const JSON_CT = 'application/json';

function wantsJson(c: Context): boolean {
  const q = c.req.query('output_format') ?? c.req.query('io_format');
  const h = c.req.header('Output-Format') ?? c.req.header('Io-Format');
  return (q ?? h ?? '').toUpperCase() === 'JSON';
}

function keyFrom(c: Context): string | undefined {
  const q = c.req.query('ws_key');
  if (q) return q;
  const auth = c.req.header('Authorization');
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    return decoded.split(':')[0] || undefined;
  }
  return undefined;
}

export function createApi(cfg: ApiConfig): Hono {
  const api = new Hono();
  const psVersion = cfg.version === '8' ? '8.2.1' : '1.7.8.11';
  const started = Date.now();

  const respond = (c: Context, status: number, body: string | null, contentType?: string, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = {
      ...extra,
      'PSWS-Version': psVersion,
      'X-Powered-By': 'PrestaShop Webservice',
      'Access-Time': String(Math.floor(Date.now() / 1000)),
      'Execution-Time': ((Date.now() - started) % 1000 / 100000).toFixed(3),
    };
    if (contentType) headers['Content-Type'] = contentType;
    if (body !== null && body !== '' && status < 300) headers['Content-Sha1'] = createHash('sha1').update(body).digest('hex');
    const payload = c.req.method === 'HEAD' || body === null || body === '' ? null : body;
    // A 404 or a bare 500 carries no Content-Type at all (recorded 093): drop hono's default.
    return new Response(payload, { status, headers });
  };

  const errorResponse = (c: Context, err: PsError, json: boolean, extra: Record<string, string> = {}) => {
    return json
      ? respond(c, err.status, renderErrorsJson(err.entries), JSON_CT, extra)
      : respond(c, err.status, renderErrorsXml(err.entries), XML_CT, extra);
  };

  api.get('/img/p/*', (c) => servePublicImage(c, cfg.store));

  api.all('/api/*', async (c) => {
    if (cfg.latencyMs > 0) await new Promise((r) => setTimeout(r, cfg.latencyMs));
    const json = wantsJson(c);
    let method = c.req.method.toUpperCase() as Method;
    // ps_method lets a POST/GET client tunnel the other verbs (cheat-sheet).
    const override = c.req.query('ps_method')?.toUpperCase();
    if (override) method = override as Method;
    try {
      const key = keyFrom(c);
      if (!key) {
        return respond(c, 401, '401 Unauthorized', 'text/html; charset=utf-8', { 'WWW-Authenticate': `Basic realm="${REALM}"` });
      }
      const apiKey = cfg.keys.find((k) => k.key === key);
      if (!apiKey) {
        return errorResponse(c, new PsError(401, [
          { code: 20, message: 'Authentification key is not active' },
          { code: 21, message: 'No permission for this authentication key' },
        ]), json, { 'WWW-Authenticate': `Basic realm="${REALM}"` });
      }
      if (!['GET', 'POST', 'PUT', 'DELETE', 'HEAD', ...(cfg.version === '8' ? ['PATCH'] : [])].includes(method)) {
        // 1.7's checkHTTPMethod knows no PATCH.
        throw PsError.one(405, 23, `Method ${method} is not valid`);
      }
      const segments = c.req.path.replace(/^\/api\/?/, '').split('/').filter(Boolean);
      if (segments.length === 0) return root(c, apiKey, json);
      const resource = segments[0]!;
      if (!(ALL_RESOURCE_NAMES as readonly string[]).includes(resource)) {
        throw PsError.one(400, 27, `Resource of type "${resource}" does not exists. Did you mean: "${closest(resource, ALL_RESOURCE_NAMES)}"? The full list is: "${ALL_RESOURCE_NAMES.join('", "')}"`);
      }
      if (resource === 'images') return await serveImages(c, method, segments, { store: cfg.store, allowed: apiKey.permissions.images ?? [], base: ctxFor(c).base, respond });
      const def = cfg.defs.get(resource);
      const allowed = apiKey.permissions[resource];
      if (!def || !allowed) throw PsError.one(401, 26, `Resource of type "${resource}" is not allowed with this authentication key`);
      if (!allowed.includes(method) || !def.methods.includes(method)) {
        throw PsError.one(405, 25, `Method ${method} is not allowed for the resource ${resource} with this authentication key`);
      }
      const idSeg = segments[1];
      return await serve(c, def, method, idSeg, json);
    } catch (err) {
      if (err instanceof BareResponse) return respond(c, err.status, '', err.contentType);
      if (err instanceof PsError) return errorResponse(c, err, json);
      throw err;
    }
  });

  function ctxFor(c: Context): RenderCtx {
    const url = new URL(c.req.url);
    const base = `${url.protocol}//${url.host}/api/`;
    const all = cfg.store.languageIds();
    const l = c.req.query('language');
    let langs = all;
    if (l) {
      const wanted = l.replace(/^\[|\]$/g, '');
      const iv = /^(\d+),(\d+)$/.exec(wanted);
      langs = iv ? all.filter((x) => Number(x) >= Number(iv[1]) && Number(x) <= Number(iv[2])) : all.filter((x) => wanted.split('|').includes(x));
    }
    return { base, langs };
  }

  function root(c: Context, key: ApiKey, json: boolean) {
    // The resource list in JSON crashes the real core (PHP TypeError): a bare 500 (recorded 002).
    if (json) throw new BareResponse(500, 'text/html; charset=utf-8');
    const { base } = ctxFor(c);
    const m = (r: string, x: Method) => String((key.permissions[r] ?? []).includes(x));
    const items = Object.keys(key.permissions)
      .filter((r) => (ALL_RESOURCE_NAMES as readonly string[]).includes(r))
      .sort()
      .map((r) => {
        const flags = `get="${m(r, 'GET')}" put="${m(r, 'PUT')}" post="${m(r, 'POST')}" patch="${m(r, 'PATCH')}" delete="${m(r, 'DELETE')}" head="${m(r, 'HEAD')}"`;
        return `<${r} xlink:href="${base}${r}" ${flags}>\n<description xlink:href="${base}${r}" ${flags}>\nThe ${r.replaceAll('_', ' ')}</description>\n<schema xlink:href="${base}${r}?schema=blank" type="blank"/>\n<schema xlink:href="${base}${r}?schema=synopsis" type="synopsis"/>\n</${r}>\n`;
      })
      .join('');
    return respond(c, 200, `${XML_HEAD}<api shopName="${cfg.shopName}">\n${items}</api>\n${XML_TAIL}`, XML_CT);
  }

  async function serve(c: Context, def: ResourceDef, method: Method, idSeg: string | undefined, json: boolean) {
    const ctx = ctxFor(c);
    if (method === 'GET' || method === 'HEAD') {
      const schema = c.req.query('schema');
      if (schema === 'blank' || schema === 'synopsis') return respond(c, 200, renderSchema(def, ctx, schema), XML_CT);
      if (idSeg !== undefined) {
        // A missing or non-numeric id: 404 with no body and no Content-Type (recorded 093, 113).
        const e = /^\d+$/.test(idSeg) ? cfg.store.get(def.name, Number(idSeg)) : undefined;
        if (!e) throw new BareResponse(404);
        return json
          ? respond(c, 200, renderSingleJson(def, e, ctx), JSON_CT)
          : respond(c, 200, renderSingleXml(def, e, ctx), XML_CT);
      }
      const params = new URL(c.req.url).searchParams;
      const q = parseListQuery(def, params);
      const items = applyListQuery(cfg.store.all(def.name), q);
      return json
        ? respond(c, 200, renderListJson(def, items, ctx, q.display), JSON_CT)
        : respond(c, 200, renderListXml(def, items, ctx, q.display), XML_CT);
    }
    if (method === 'DELETE') {
      const ids = idSeg !== undefined ? [idSeg] : (c.req.query('id') ?? '').replace(/^\[|\]$/g, '').split(/[,|]/).filter(Boolean);
      const missing = ids.filter((i) => !/^\d+$/.test(i) || !cfg.store.get(def.name, Number(i)));
      if (!ids.length || missing.length) throw PsError.one(404, 87, `Id(s) not exists: ${missing.join(', ')}`);
      for (const i of ids) cfg.store.delete(def.name, Number(i));
      // 200, empty body, no Content-Type (recorded 065).
      return respond(c, 200, '');
    }
    const body = await c.req.text();
    const res = applyWrite(cfg.store, def, method as WriteMethod, body);
    const broken = json ? renderEchoJsonWithWarnings(def, res.echo, ctx) : undefined;
    if (broken) return respond(c, 500, broken, JSON_CT);
    return json
      ? respond(c, res.status, renderSingleJson(def, res.echo, ctx, true), JSON_CT)
      : respond(c, res.status, renderSingleXml(def, res.echo, ctx), XML_CT);
  }

  return api;
}

/** `?schema=blank` / `?schema=synopsis`, rebuilt from the spec for this shop's languages. */
function renderSchema(def: ResourceDef, ctx: RenderCtx, kind: 'blank' | 'synopsis'): string {
  const lines: string[] = [`<${def.node}>\n`];
  if (kind === 'blank') lines.push('\t<id><![CDATA[]]></id>\n');
  // The blank schema leaves out read-only fields (recorded 013); the synopsis lists them (014).
  for (const f of def.fields.filter((x) => kind === 'synopsis' || !x.readOnly)) {
    let a = '';
    if (kind === 'synopsis') {
      if (f.required) a += ' required="true"';
      if (f.maxSize !== undefined) a += ` maxSize="${f.maxSize}"`;
      if (f.format) a += ` format="${f.format}"`;
      if (f.readOnly) a += ' read_only="true" readOnly="true"';
    }
    if (f.notFilterable) a += ' notFilterable="true"';
    const inner = f.multilingual
      ? ctx.langs.map((l) => `<language id="${l}" xlink:href="${ctx.base}languages/${l}"${kind === 'synopsis' ? ' format="isUnsignedId" ' : ''}><![CDATA[]]></language>`).join('')
      : '<![CDATA[]]>';
    lines.push(`\t<${f.name}${a}>${inner}</${f.name}>\n`);
  }
  if (def.associations.length) {
    lines.push('<associations>\n');
    for (const as of def.associations) {
      lines.push(`<${as.name} nodeType="${as.nodeType}"${as.api ? ` api="${as.api}"` : ' virtualEntity="true"'}>\n\t<${as.nodeType}>\n`);
      for (const f of as.fields) lines.push(`\t<${f}><![CDATA[]]></${f}>\n`);
      lines.push(`\t</${as.nodeType}>\n</${as.name}>\n`);
    }
    lines.push('</associations>\n');
  }
  lines.push(`</${def.node}>\n`);
  return XML_HEAD + lines.join('') + XML_TAIL;
}
