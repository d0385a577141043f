import { phpJson } from './errors.ts';
import type { Entity, FieldValue } from './model.ts';
import { isLang } from './model.ts';
import type { ResourceDef } from './resources.ts';

/**
 * JSON output as WebserviceOutputJSON produces it (recorded 004–010, 042, 046, 053, 101, 121–122):
 * - `id` is a number on reads, the string as stored on write echoes (046, 053);
 * - other scalars are strings; multilingual fields are a plain string when one language is rendered, else
 *   `[{"id":"1","value":…}]` (ids as strings);
 * - a single object (no display) goes through `array_filter`: keys whose value is "", "0" or null disappear,
 *   and so do empty associations (042, 101); lists keep every field but drop empty associations (006, 016);
 * - an empty list is `[]` (011).
 */
export interface JsonCtx {
  langs: string[];
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function value(v: FieldValue | undefined, ctx: JsonCtx): Json {
  if (isLang(v)) {
    if (Object.keys(v).length === 0) return '';
    if (ctx.langs.length === 1) return v[ctx.langs[0]!] ?? null;
    return ctx.langs.map((l) => ({ id: l, value: v[l] ?? null }));
  }
  return v ?? '';
}

/** Virtual (getter) fields whose empty value PHP renders as null / false in lists (recorded 006). */
const EMPTY_VIRTUAL: Record<string, Json | false> = { new: null, manufacturer_name: false, low_stock_threshold: null };

function entityObject(def: ResourceDef, e: Entity, ctx: JsonCtx, opts: { only?: Set<string>; idAsString?: boolean; filterEmpty: boolean }): Record<string, Json> {
  const o: Record<string, Json> = {};
  if (!opts.only || opts.only.has('id')) o.id = opts.idAsString ? String(e.id) : e.id;
  for (const f of def.fields) {
    if (opts.only && !opts.only.has(f.name)) continue;
    const v = value(e.fields[f.name], ctx);
    if (opts.filterEmpty && (v === '' || v === '0' || v === null)) continue;
    if (!opts.filterEmpty && v === '' && f.name in EMPTY_VIRTUAL) {
      o[f.name] = EMPTY_VIRTUAL[f.name]!;
      continue;
    }
    // id_default_combination is rendered as an integer by its WS getter (recorded 009).
    o[f.name] = f.name === 'id_default_combination' && !opts.idAsString && typeof v === 'string' && v !== '' ? Number(v) : v;
  }
  if (def.associations.length && (!opts.only || opts.only.has('associations'))) {
    const assoc: Record<string, Json> = {};
    for (const a of def.associations) {
      const items = e.associations[a.name] ?? [];
      if (items.length) assoc[a.name] = items.map((i) => ({ ...i }));
    }
    if (Object.keys(assoc).length) o.associations = assoc;
  }
  return o;
}

export function renderSingleJson(def: ResourceDef, e: Entity, ctx: JsonCtx, echo = false): string {
  return phpJson({ [def.node]: entityObject(def, e, ctx, { filterEmpty: true, idAsString: echo }) });
}

/**
 * A write echo whose multilingual field lacks one of the rendered languages makes the real JSON writer emit
 * "Undefined array key" PHP warnings: the answer becomes HTTP 500 with both the object and `errors`, although the
 * record WAS saved (recorded 126, 127). Returns undefined when no language is missing.
 */
export function renderEchoJsonWithWarnings(def: ResourceDef, e: Entity, ctx: JsonCtx): string | undefined {
  const warnings: Array<{ code: number; message: string }> = [];
  if (ctx.langs.length < 2) return undefined;
  for (const f of def.fields) {
    const v = e.fields[f.name];
    if (!isLang(v) || Object.keys(v).length === 0) continue;
    for (const l of ctx.langs) {
      if (!(l in v)) warnings.push({ code: 3, message: `[PHP Warning #2] Undefined array key ${l} (<shop-root>/classes/webservice/WebserviceOutputJSON.php, line 98)` });
    }
  }
  if (!warnings.length) return undefined;
  return phpJson({ [def.node]: entityObject(def, e, ctx, { filterEmpty: true, idAsString: true }), errors: warnings });
}

export function renderListJson(def: ResourceDef, items: Entity[], ctx: JsonCtx, display: 'refs' | Set<string> | 'full'): string {
  if (!items.length) return '[]';
  const list =
    display === 'refs'
      ? items.map((e) => ({ id: e.id }))
      : items.map((e) => entityObject(def, e, ctx, { filterEmpty: false, ...(display === 'full' ? {} : { only: display }) }));
  return phpJson({ [def.name]: list });
}
