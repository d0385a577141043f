import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { readSpec } from '../common/specs.ts';

/**
 * Validation of Cloud API send bodies against Meta's own OpenAPI 3.1 spec
 * (shared/specs/meta/whatsapp-business-messaging-api_v23.0.yaml), loaded once per process.
 *
 * Read literally, that spec rejects its own examples, so a few corrections are applied before compiling. Each is
 * justified by the examples in the same file (Meta's documented, accepted requests), never by memory:
 *  1. `allOf: [BaseMessageProperties, { additionalProperties: false, … }]` forbids the base's own fields
 *     (`messaging_product`, `to`…) in every message type. The intent is "no fields beyond base + this type", which
 *     JSON Schema 2020-12 (OpenAPI 3.1's dialect) spells `unevaluatedProperties: false` on the allOf.
 *  2. `LanguageObject` requires `policy`; no template example sends it.
 *  3. `TemplateComponent.index` is a string with the broken pattern `^[2-6, 11-14]$`, while its description says
 *     0–9 and examples send `0` and `"0"`: accept an integer or a digit string 0–9.
 *  4. `TemplateComponent.sub_type` lacks `flow` and the upper-case `CATALOG` that the examples send.
 *  5. Location `latitude`/`longitude` are typed string, examples send numbers: accept both.
 * Two documented defaults are applied before validation, as the API applies them: `recipient_type` =
 * `individual` and `type` = `text` (the "Send Test Message" and "Send Text Message with Preview URL" examples rely
 * on them).
 */
const SPEC_FILE = 'meta/whatsapp-business-messaging-api_v23.0.yaml';
const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

interface LoadedSpec {
  doc: Json;
  validators: Map<string, ValidateFunction>;
  webhookStatusValue: ValidateFunction;
  sendTypes: string[];
}

let cached: LoadedSpec | undefined;

function correct(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(correct);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  if (Array.isArray(o.allOf)) {
    let strict = false;
    for (const branch of o.allOf as Json[]) {
      if (branch && branch.additionalProperties === false) {
        delete branch.additionalProperties;
        strict = true;
      }
    }
    if (strict) o.unevaluatedProperties = false;
  }
  for (const v of Object.values(o)) correct(v);
}

function load(): LoadedSpec {
  if (cached) return cached;
  const doc = parse(readSpec(SPEC_FILE)) as Json;
  const components = doc.components as { schemas: Record<string, Json> };
  const s = components.schemas;
  correct(components);
  (s.LanguageObject as Json).required = ['code'];
  const tc = (s.TemplateComponent as { properties: Record<string, Json> }).properties;
  tc.index = { anyOf: [{ type: 'integer', minimum: 0, maximum: 9 }, { type: 'string', pattern: '^[0-9]$' }] };
  tc.sub_type = { type: 'string', enum: [...((tc.sub_type?.enum as string[]) ?? []), 'CATALOG', 'flow'] };
  const loc = ((s.LocationMessage as { allOf: Json[] }).allOf[1] as { properties: { location: { properties: Record<string, Json> } } })
    .properties.location.properties;
  loc.latitude = { type: ['number', 'string'] };
  loc.longitude = { type: ['number', 'string'] };

  const Ajv2020 = require('ajv/dist/2020').default as typeof import('ajv').default;
  const addFormats = require('ajv-formats') as (ajv: unknown) => void;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The spec uses the non-standard format "url" for media links: check it as an absolute http(s) URL.
  ajv.addFormat('url', /^https?:\/\/[^\s]+$/i);
  ajv.addSchema({ $id: 'wa', components }, 'wa');

  const mapping = ((s.Message as Json).discriminator as { mapping: Record<string, string> }).mapping;
  const validators = new Map<string, ValidateFunction>();
  for (const [type, ref] of Object.entries(mapping)) {
    validators.set(type, ajv.getSchema(`wa${ref}`)!);
  }
  cached = {
    doc,
    validators,
    webhookStatusValue: ajv.getSchema('wa#/components/schemas/StatusMessageValue')!,
    sendTypes: Object.keys(mapping),
  };
  return cached;
}

export interface SpecIssue {
  /** Which WhatsApp code the issue maps to: 131008 required parameter missing, 131009 value not valid, 100 unknown parameter. */
  code: 100 | 131008 | 131009;
  details: string;
}

function describe(err: ErrorObject): SpecIssue {
  const at = err.instancePath || '(body)';
  switch (err.keyword) {
    case 'required':
      return { code: 131008, details: `${at === '(body)' ? '' : `${at}: `}missing required parameter ${(err.params as { missingProperty: string }).missingProperty}` };
    case 'unevaluatedProperties':
    case 'additionalProperties': {
      const p = err.params as { unevaluatedProperty?: string; additionalProperty?: string };
      return { code: 100, details: `${at}: unexpected parameter ${p.unevaluatedProperty ?? p.additionalProperty}` };
    }
    default:
      return { code: 131009, details: `${at}: ${err.message ?? 'invalid value'}` };
  }
}

/** Applies the API's documented defaults to a send body (returns a copy). */
export function withSendDefaults(body: Json): Json {
  return { recipient_type: 'individual', type: 'text', ...body };
}

/** Validates a send body (defaults already applied) against the spec; returns the issues, most specific first. */
export function validateSendMessage(body: Json): SpecIssue[] {
  const spec = load();
  const type = body.type;
  const v = typeof type === 'string' ? spec.validators.get(type) : undefined;
  if (!v) {
    return [{ code: 131009, details: `type: must be one of ${spec.sendTypes.join(', ')}` }];
  }
  if (v(body)) return [];
  const errors = v.errors ?? [];
  // Required-field errors are the most useful to a developer; unevaluated-property errors come last because
  // ajv reports every property of a failing branch as unevaluated.
  const rank = (e: ErrorObject) => (e.keyword === 'required' ? 0 : e.keyword === 'unevaluatedProperties' ? 2 : 1);
  return [...errors].sort((a, b) => rank(a) - rank(b)).map(describe);
}

/** Validates a `statuses` change value of a webhook against `components.schemas.StatusMessageValue`. */
export function validateStatusValue(value: unknown): string[] {
  const v = load().webhookStatusValue;
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Meta's own request examples for the send operation (tests replay them all). */
export function sendExamples(): Record<string, Json> {
  const doc = load().doc as {
    paths: Record<string, { post: { requestBody: { content: Record<string, { examples: Record<string, { value: Json }> }> } } }>;
  };
  const ex = doc.paths['/{Version}/{Phone-Number-ID}/messages']!.post.requestBody.content['application/json']!.examples;
  return Object.fromEntries(Object.entries(ex).map(([k, e]) => [k, e.value]));
}

/** Forces the one-off spec load (about a second) at a moment of the caller's choosing. */
export function preloadWhatsAppSpec(): void {
  load();
}
