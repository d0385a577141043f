import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { specPath } from '../common/specs.ts';

/**
 * Allegro's published OpenAPI 3.0 document (`allegro/allegro-rest-api-swagger.yaml`), loaded once per process and
 * turned into JSON Schema draft 7 for ajv, as the samples README describes: `nullable: true` becomes "or null",
 * `discriminator` is dropped, and `#/components/schemas/X` refs point into one registered root document.
 * Parsing the 1.4 MB YAML takes ~2 s, so the parsed document is also cached as JSON in the OS temp folder, keyed
 * by the spec file's size and mtime (a changed spec is re-parsed).
 */

const SPEC_FILE = 'allegro/allegro-rest-api-swagger.yaml';
const ROOT_ID = 'allegro-openapi.json';

export const PUBLIC_MEDIA = 'application/vnd.allegro.public.v1+json';
export const BETA_MEDIA = 'application/vnd.allegro.beta.v1+json';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface SpecParameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

export interface SpecOperation {
  method: string;
  /** The spec's path template, e.g. `/sale/product-offers/{offerId}`. */
  template: string;
  operationId?: string;
  parameters: SpecParameter[];
  /** Media types the request body may have (empty: the operation takes no body). */
  requestMediaTypes: string[];
  requestBodyRequired: boolean;
  /** Media types of the success responses, used for the Accept check. */
  responseMediaTypes: string[];
  /** Security requirements: which token kinds and scopes the operation takes. */
  security: Array<Record<string, string[]>>;
  raw: JsonObject;
}

interface LoadedSpec {
  doc: JsonObject;
  operations: SpecOperation[];
  matchers: Array<{ op: SpecOperation; re: RegExp; literalSegments: number }>;
  ajv: Ajv;
}

let loaded: LoadedSpec | undefined;

function readSpecDocument(): JsonObject {
  const file = specPath(SPEC_FILE);
  const st = statSync(file);
  const key = createHash('sha1').update(`${file}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `omnihub-allegro-spec-${key}.json`);
  if (existsSync(cache)) {
    try {
      return JSON.parse(readFileSync(cache, 'utf8')) as JsonObject;
    } catch {
      // A torn cache file (two processes writing at once) is simply re-parsed below.
    }
  }
  const doc = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as JsonObject;
  try {
    writeFileSync(cache, JSON.stringify(doc));
  } catch {
    // The cache is an optimisation only.
  }
  return doc;
}

/** OpenAPI 3.0 → JSON Schema draft 7 (see the module comment). */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'discriminator' || k === 'nullable' || k === 'example' || k === 'examples' || k === 'xml') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/')) {
      out[k] = `${ROOT_ID}${v}`;
      continue;
    }
    // `properties` and similar maps hold schemas keyed by names, never keywords: convert their values only.
    out[k] = toJsonSchema(v);
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function collectFormats(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectFormats(n, into));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') into.add(v);
      else collectFormats(v, into);
    }
  }
}

function templateRegex(template: string): { re: RegExp; literalSegments: number } {
  const segments = template.split('/').filter(Boolean);
  let literalSegments = 0;
  const pattern = segments
    .map((s) => {
      if (/^\{[^}]+\}$/.test(s)) return '[^/]+';
      literalSegments++;
      return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { re: new RegExp(`^/${pattern}/?$`), literalSegments };
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

function buildOperations(doc: JsonObject): SpecOperation[] {
  const paths = doc.paths as Record<string, JsonObject>;
  const ops: SpecOperation[] = [];
  for (const [template, item] of Object.entries(paths)) {
    const shared = (item.parameters as unknown as SpecParameter[] | undefined) ?? [];
    for (const method of HTTP_METHODS) {
      const raw = item[method] as JsonObject | undefined;
      if (!raw) continue;
      const body = raw.requestBody as JsonObject | undefined;
      const bodyContent = (body?.content as JsonObject | undefined) ?? {};
      const responses = (raw.responses as Record<string, JsonObject>) ?? {};
      const success = Object.entries(responses).filter(([s]) => s.startsWith('2'));
      const mediaOf = (list: Array<[string, JsonObject]>) => [
        ...new Set(list.flatMap(([, r]) => Object.keys((r.content as JsonObject | undefined) ?? {}))),
      ];
      let responseMediaTypes = mediaOf(success);
      if (responseMediaTypes.length === 0) {
        // No success body (e.g. 204): Allegro still negotiates on the vendor type its error bodies use.
        responseMediaTypes = mediaOf(Object.entries(responses)).filter((m) => m.includes('vnd.allegro'));
      }
      ops.push({
        method: method.toUpperCase(),
        template,
        operationId: raw.operationId as string | undefined,
        parameters: [...shared, ...((raw.parameters as unknown as SpecParameter[] | undefined) ?? [])],
        requestMediaTypes: Object.keys(bodyContent),
        requestBodyRequired: body?.required === true,
        responseMediaTypes,
        security: (raw.security as unknown as Array<Record<string, string[]>> | undefined) ?? [],
        raw,
      });
    }
  }
  return ops;
}

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

export function loadSpec(): LoadedSpec {
  if (loaded) return loaded;
  const doc = readSpecDocument();
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  // The spec uses descriptive, non-standard `format` values ("ISO 8601", "BCP-47 language code", ...): they
  // document, they do not constrain, so unknown ones are accepted as-is.
  const formats = new Set<string>();
  collectFormats(doc, formats);
  for (const f of formats) if (!ajv.formats[f]) ajv.addFormat(f, true);
  ajv.addSchema({ $id: ROOT_ID, components: toJsonSchema(doc.components as Json) } as object);
  const operations = buildOperations(doc);
  const matchers = operations.map((op) => ({ op, ...templateRegex(op.template) }));
  loaded = { doc, operations, matchers, ajv };
  return loaded;
}

/** The spec operation serving `method path`, preferring literal segments over `{params}`; undefined if none. */
export function findOperation(method: string, path: string): SpecOperation | undefined {
  const { matchers } = loadSpec();
  const hits = matchers.filter((m) => m.op.method === method.toUpperCase() && m.re.test(path));
  hits.sort((a, b) => b.literalSegments - a.literalSegments);
  return hits[0]?.op;
}

/** True when some operation (any method) serves `path`: distinguishes 405-ish from unknown paths. */
export function pathInSpec(path: string): boolean {
  return loadSpec().matchers.some((m) => m.re.test(path));
}

const compiled = new Map<string, ValidateFunction>();

/** A validator for `#/components/schemas/<name>`. */
export function schemaValidator(name: string): ValidateFunction {
  const key = `schema:${name}`;
  let v = compiled.get(key);
  if (!v) {
    const { ajv, doc } = loadSpec();
    const schemas = (doc.components as JsonObject).schemas as JsonObject;
    if (!schemas[name]) throw new Error(`allegro spec: no schema ${name}`);
    v = ajv.getSchema(`${ROOT_ID}#/components/schemas/${name}`)!;
    compiled.set(key, v);
  }
  return v;
}

function compileInline(key: string, schema: Json): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = loadSpec().ajv.compile(toJsonSchema(schema) as object);
    compiled.set(key, v);
  }
  return v;
}

function contentSchema(content: Json | undefined, mediaType: string): Json | undefined {
  if (!content || typeof content !== 'object' || Array.isArray(content)) return undefined;
  const entry = (content[mediaType] ?? Object.values(content)[0]) as JsonObject | undefined;
  return entry?.schema;
}

/** Validator for the request body of `op` in `mediaType` (undefined if the spec gives no schema). */
export function requestValidator(op: SpecOperation, mediaType: string): ValidateFunction | undefined {
  const schema = contentSchema((op.raw.requestBody as JsonObject | undefined)?.content, mediaType);
  if (!schema) return undefined;
  return compileInline(`req:${op.method} ${op.template} ${mediaType}`, schema);
}

/** Validator for the `status` response of `op` (undefined when the spec documents no JSON body for it). */
export function responseValidator(op: SpecOperation, status: number): ValidateFunction | undefined {
  const responses = op.raw.responses as Record<string, JsonObject>;
  const response = responses[String(status)];
  if (!response?.content) return undefined;
  const content = response.content as JsonObject;
  const media = Object.keys(content).find((m) => m.includes('json'));
  if (!media) return undefined;
  const schema = contentSchema(content, media);
  if (!schema) return undefined;
  return compileInline(`res:${op.method} ${op.template} ${status}`, schema);
}

/** Validator for the query parameters of `op`, applied to values already coerced by `coerceQuery`. */
export function queryValidator(op: SpecOperation): ValidateFunction {
  const params = op.parameters.filter((p) => p.in === 'query' && p.schema);
  const properties: JsonObject = {};
  for (const p of params) properties[p.name] = p.schema!;
  const required = params.filter((p) => p.required).map((p) => p.name);
  return compileInline(`query:${op.method} ${op.template}`, { type: 'object', properties, required });
}

/** Query strings are text: turn them into the types the spec declares so the schema can judge them. */
export function coerceQuery(op: SpecOperation, queries: Record<string, string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const coerce = (value: string, schema: JsonObject | undefined): unknown => {
    const type = schema?.type;
    if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value))) {
      return Number(value);
    }
    if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
    return value;
  };
  for (const p of op.parameters) {
    if (p.in !== 'query') continue;
    const values = queries[p.name];
    if (!values || values.length === 0) continue;
    const schema = p.schema;
    if (schema?.type === 'array') {
      const items = schema.items as JsonObject | undefined;
      // Allegro accepts both repeated parameters and comma-separated lists.
      out[p.name] = values.flatMap((v) => v.split(',')).map((v) => coerce(v, items));
    } else {
      out[p.name] = coerce(values[values.length - 1]!, schema);
    }
  }
  return out;
}

/** ajv's instance path (`/stock/available`, `/offerCriteria/0/offers`) in Allegro's dotted style. */
export function dottedPath(err: ErrorObject): string {
  const parts = err.instancePath.split('/').filter(Boolean);
  if (err.keyword === 'required') parts.push(String((err.params as { missingProperty: string }).missingProperty));
  return parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}
