import { parseOdooDate, parseOdooDatetime } from './clock.ts';
import { checkDomain, matches, mentionsActive, parseDomain, type DomainNode } from './domain.ts';
import { OdooError, pyRepr, validationError, valueError } from './errors.ts';
import {
  displayName, emptyValue, getValue, isStored, mustRow, relatedTarget, type Env, type FieldDef, type Row,
} from './store.ts';

/**
 * The ORM methods both protocols expose (`search`, `search_read`, `read`, `search_count`, `create`, `write`,
 * `unlink`, `name_search`, `fields_get`), implemented once over the in-memory tables.
 */
export const MAGIC_FIELDS = ['id', 'display_name', 'create_date', 'create_uid', 'write_date', 'write_uid'];

export interface SearchOptions {
  offset?: number | false | null;
  limit?: number | false | null;
  order?: string | false | null;
}

export function searchRows(env: Env, model: string, domain: unknown, opts: SearchOptions = {}): Row[] {
  let node: DomainNode = parseDomain(domain);
  checkDomain(env, model, node);
  const m = env.db.model(model);
  // Archived records are hidden unless the domain mentions `active` or the context says active_test=False.
  if (m.fields.active && env.context.active_test !== false && !mentionsActive(node)) {
    node = { kind: 'and', a: { kind: 'leaf', path: 'active', op: '=', value: true, raw: ['active', '=', true] }, b: node };
  }
  const rows = env.db.rows(model).filter((r) => matches(env, model, r, node));
  sortRows(env, model, rows, opts.order || m.order);
  const offset = typeof opts.offset === 'number' ? opts.offset : 0;
  const limit = typeof opts.limit === 'number' ? opts.limit : undefined;
  return rows.slice(offset, limit === undefined ? undefined : offset + limit);
}

const ORDER_TERM = /^\s*([a-z0-9_]+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i;

function sortRows(env: Env, model: string, rows: Row[], order: string): void {
  const m = env.db.model(model);
  const terms = order.split(',').map((t) => {
    const hit = ORDER_TERM.exec(t);
    if (!hit || (hit[1] !== 'id' && !m.fields[hit[1]!])) {
      throw valueError(
        `Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
      );
    }
    const desc = (hit[2] ?? 'asc').toLowerCase() === 'desc';
    // PostgreSQL: NULLS LAST for ASC, NULLS FIRST for DESC unless told otherwise.
    const nullsFirst = hit[3] ? hit[3].toLowerCase() === 'first' : desc;
    return { field: hit[1]!, desc, nullsFirst };
  });
  const key = (r: Row, fname: string): unknown => {
    const v = getValue(env, model, r, fname);
    const f = m.fields[fname];
    if (f?.type === 'many2one' && typeof v === 'number') return displayName(env, f.relation!, v).toLowerCase();
    if (f?.type === 'boolean') return v ? 1 : 0; // a stored boolean is never NULL
    if (v === false || v === null || v === undefined) return null;
    return typeof v === 'string' ? v.toLowerCase() : v;
  };
  rows.sort((a, b) => {
    for (const t of terms) {
      const x = key(a, t.field);
      const y = key(b, t.field);
      if (x === y) continue;
      if (x === null) return t.nullsFirst ? -1 : 1;
      if (y === null) return t.nullsFirst ? 1 : -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
      if (c !== 0) return t.desc ? -c : c;
    }
    return a.id - b.id;
  });
}

export function search(env: Env, model: string, domain: unknown, opts: SearchOptions = {}): number[] {
  return searchRows(env, model, domain, opts).map((r) => r.id);
}

export function searchCount(env: Env, model: string, domain: unknown, limit?: number | null): number {
  const n = searchRows(env, model, domain).length;
  return typeof limit === 'number' ? Math.min(n, limit) : n;
}

/** `fields` defaults to every field; `load` other than `_classic_read` returns bare many2one ids. */
export function read(env: Env, model: string, ids: number[], fields?: unknown, load: unknown = '_classic_read'): Record<string, unknown>[] {
  const m = env.db.model(model);
  const names = normalizeFields(model, m.fields, fields);
  const out: Record<string, unknown>[] = [];
  for (const id of ids) {
    const row = env.db.row(model, id);
    if (!row) continue; // read() silently skips records deleted meanwhile
    const rec: Record<string, unknown> = { id };
    for (const name of names) {
      if (name === 'id') continue;
      rec[name] = toRead(env, m.fields[name]!, getValue(env, model, row, name), load);
    }
    out.push(rec);
  }
  return out;
}

function normalizeFields(model: string, defs: Record<string, FieldDef>, fields: unknown): string[] {
  if (fields === undefined || fields === null || fields === false || (Array.isArray(fields) && fields.length === 0)) {
    return Object.keys(defs);
  }
  if (!Array.isArray(fields)) throw valueError(`Invalid field ${pyRepr(fields)} on model ${pyRepr(model)}`);
  for (const f of fields) {
    if (typeof f !== 'string' || (f !== 'id' && !defs[f])) throw valueError(`Invalid field ${pyRepr(f)} on model ${pyRepr(model)}`);
  }
  return fields as string[];
}

function toRead(env: Env, f: FieldDef, v: unknown, load: unknown): unknown {
  if (f.type === 'many2one') {
    if (typeof v !== 'number') return false;
    return load === '_classic_read' ? [v, displayName(env, f.relation!, v)] : v;
  }
  if (f.type === 'one2many' || f.type === 'many2many') return Array.isArray(v) ? [...v] : [];
  if ((f.type === 'char' || f.type === 'text' || f.type === 'date' || f.type === 'datetime' || f.type === 'selection') && (v === null || v === undefined)) return false;
  return v;
}

export function searchRead(
  env: Env, model: string, domain: unknown, fields: unknown, opts: SearchOptions, load?: unknown,
): Record<string, unknown>[] {
  const ids = search(env, model, domain, opts);
  return read(env, model, ids, fields, load ?? '_classic_read');
}

// ---------------------------------------------------------------- writes

function coerce(env: Env, model: string, fname: string, f: FieldDef, value: unknown): unknown {
  const wrong = () => valueError(`Wrong value for ${model}.${fname}: ${pyRepr(value)}`);
  if (value === null) value = false;
  switch (f.type) {
    case 'integer':
      if (value === false) return 0;
      if (typeof value !== 'number') throw wrong();
      return Math.trunc(value);
    case 'float':
    case 'monetary':
      if (value === false) return 0;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      if (typeof value !== 'number') throw wrong();
      return value;
    case 'boolean':
      return Boolean(value);
    case 'char':
    case 'text':
      if (value === false) return false;
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') throw wrong();
      return value;
    case 'selection':
      if (value === false) return false;
      if (!f.selection!.some(([k]) => k === value)) throw wrong();
      return value;
    case 'date':
      if (value === false) return false;
      if (typeof value !== 'string' || !parseOdooDate(value)) {
        throw valueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d'`);
      }
      return parseOdooDate(value);
    case 'datetime':
      if (value === false) return false;
      if (typeof value !== 'string' || !parseOdooDatetime(value)) {
        throw valueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
      }
      return parseOdooDatetime(value);
    case 'many2one': {
      if (value === false) return false;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong();
      if (!env.db.row(f.relation!, value)) {
        throw validationError(
          `The operation cannot be completed: Another model is using the record you are trying to delete.\n\nThe troublemaker is: ${env.db.model(model).description} (${model}), field ${f.string} (${fname}) = ${f.relation}(${value},)`,
        );
      }
      return value;
    }
    default:
      throw wrong();
  }
}

function checkKeys(model: string, defs: Record<string, FieldDef>, vals: unknown): Record<string, unknown> {
  if (!vals || typeof vals !== 'object' || Array.isArray(vals)) {
    throw new OdooError('builtins.TypeError', `'${Array.isArray(vals) ? 'list' : typeof vals}' object is not a mapping`, 500);
  }
  for (const k of Object.keys(vals)) {
    if (!defs[k] && k !== 'id') throw valueError(`Invalid field ${pyRepr(k)} on model ${pyRepr(model)}`);
  }
  return vals as Record<string, unknown>;
}

function notNullMessage(env: Env, model: string, fname: string): string {
  const m = env.db.model(model);
  const f = m.fields[fname]!;
  return (
    'The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n' +
    '- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
    `Model: ${m.description} (${model}), Field: ${f.string} (${fname})`
  );
}

export function create(env: Env, model: string, valsList: unknown): number[] {
  const list = Array.isArray(valsList) ? valsList : [valsList];
  return list.map((vals) => createOne(env, model, vals));
}

function createOne(env: Env, model: string, rawVals: unknown): number {
  const m = env.db.model(model);
  const vals = { ...checkKeys(model, m.fields, rawVals) };
  delete vals.id;
  for (const k of MAGIC_FIELDS) delete vals[k];
  const now = env.db.now();
  const id = env.db.nextId(model);
  const row: Row = { id, create_date: now, write_date: now, create_uid: env.uid, write_uid: env.uid };
  const later: Array<[string, FieldDef, unknown]> = [];
  for (const [fname, f] of Object.entries(m.fields)) {
    if (MAGIC_FIELDS.includes(fname)) continue;
    let value: unknown = fname in vals ? vals[fname] : f.default ? f.default(env, vals) : undefined;
    if (value === undefined) {
      if (isStored(f)) row[fname] = emptyValue(f) === 0 ? 0 : f.type === 'many2many' ? [] : false;
      continue;
    }
    if (f.type === 'one2many' || f.type === 'many2many' || f.related || f.inverse) {
      later.push([fname, f, value]);
      if (f.type === 'many2many' && !f.related) row[fname] = [];
      continue;
    }
    if (f.compute) continue; // non-stored computed without inverse: ignored, as Odoo does
    row[fname] = coerce(env, model, fname, f, value);
  }
  for (const [fname, f] of Object.entries(m.fields)) {
    if (f.required && isStored(f) && (row[fname] === false || row[fname] === undefined) && f.type !== 'boolean') {
      throw validationError(notNullMessage(env, model, fname));
    }
  }
  env.db.table(model).set(id, row);
  try {
    m.afterCreate?.(env, row);
    for (const [fname, f, value] of later) writeField(env, model, row, fname, f, value);
    m.constrain?.(env, row);
  } catch (err) {
    // A failed create leaves nothing behind (each call is one transaction).
    unlinkRows(env, model, [row]);
    throw err;
  }
  return id;
}

export function write(env: Env, model: string, ids: number[], rawVals: unknown): true {
  const m = env.db.model(model);
  const vals = { ...checkKeys(model, m.fields, rawVals) };
  for (const k of MAGIC_FIELDS) delete vals[k];
  const rows = ids.map((id) => mustRow(env, model, id));
  m.beforeWrite?.(env, rows, vals);
  const now = env.db.now();
  for (const row of rows) {
    for (const [fname, value] of Object.entries(vals)) writeField(env, model, row, fname, m.fields[fname]!, value);
    for (const [fname, f] of Object.entries(m.fields)) {
      if (fname in vals && f.required && isStored(f) && row[fname] === false && f.type !== 'boolean') {
        throw validationError(notNullMessage(env, model, fname));
      }
    }
    row.write_date = now;
    row.write_uid = env.uid;
    m.constrain?.(env, row);
    m.afterWrite?.(env, row, vals);
  }
  return true;
}

function writeField(env: Env, model: string, row: Row, fname: string, f: FieldDef, value: unknown): void {
  if (f.related) {
    const target = relatedTarget(env, model, row, f.related);
    if (target) write(env, target.model, [target.row.id], { [target.field]: value });
    return;
  }
  if (f.inverse) return f.inverse(env, row, value);
  if (f.compute) return;
  if (f.type === 'one2many') return x2manyCommands(env, model, row, fname, f, value);
  if (f.type === 'many2many') return x2manyCommands(env, model, row, fname, f, value);
  row[fname] = coerce(env, model, fname, f, value);
}

/** x2many commands: (0,0,vals) create, (1,id,vals) update, (2,id) delete, (3,id) unlink, (4,id) link, (5,) clear, (6,0,ids) set. */
function x2manyCommands(env: Env, model: string, row: Row, fname: string, f: FieldDef, value: unknown): void {
  const rel = f.relation!;
  const o2m = f.type === 'one2many';
  const current = (): number[] => getValue(env, model, row, fname) as number[];
  const setM2m = (ids: number[]) => {
    row[fname] = [...new Set(ids)];
  };
  const link = (id: number) => {
    if (!env.db.row(rel, id)) throw validationError(`The operation cannot be completed: ${rel}(${id},) does not exist`);
    if (o2m) write(env, rel, [id], { [f.inverseName!]: row.id });
    else setM2m([...current(), id]);
  };
  const drop = (id: number, destroy: boolean) => {
    if (o2m || destroy) unlink(env, rel, [id]);
    else setM2m(current().filter((x) => x !== id));
  };
  if (!Array.isArray(value)) throw valueError(`Wrong value for ${model}.${fname}: ${pyRepr(value)}`);
  // A plain list of ids on a many2many means "set" (accepted by the ORM).
  if (value.every((x) => typeof x === 'number')) {
    if (o2m) throw valueError(`Wrong value for ${model}.${fname}: ${pyRepr(value)}`);
    value.forEach((id) => { if (!env.db.row(rel, id as number)) throw validationError(`The operation cannot be completed: ${rel}(${id},) does not exist`); });
    return setM2m(value as number[]);
  }
  for (const cmd of value) {
    if (!Array.isArray(cmd) || typeof cmd[0] !== 'number') throw valueError(`Wrong value for ${model}.${fname}: ${pyRepr(value)}`);
    const [code, id, vals] = cmd as [number, number, unknown];
    switch (code) {
      case 0: {
        const childVals = { ...(vals as Record<string, unknown>) };
        if (o2m) childVals[f.inverseName!] = row.id;
        const [newId] = create(env, rel, [childVals]);
        if (!o2m) setM2m([...current(), newId!]);
        break;
      }
      case 1:
        write(env, rel, [id], vals);
        break;
      case 2:
        drop(id, true);
        break;
      case 3:
        drop(id, false);
        break;
      case 4:
        link(id);
        break;
      case 5:
        for (const x of current()) drop(x, false);
        break;
      case 6: {
        const ids = (cmd[2] as number[]) ?? [];
        for (const x of current()) if (!ids.includes(x)) drop(x, false);
        for (const x of ids) if (!current().includes(x)) link(x);
        break;
      }
      default:
        throw valueError(`Wrong value for ${model}.${fname}: ${pyRepr(value)}`);
    }
  }
}

/** ondelete="cascade" children, by parent model. */
const CASCADE: Record<string, Array<[string, string]>> = {
  'product.template': [['product.product', 'product_tmpl_id'], ['product.template.attribute.value', 'product_tmpl_id']],
  'product.pricelist': [['product.pricelist.item', 'pricelist_id']],
  'sale.order': [['sale.order.line', 'order_id']],
  'product.product': [['product.pricelist.item', 'product_id']],
};

export const unlinkHooks: Record<string, (env: Env, rows: Row[]) => void> = {};

export function unlink(env: Env, model: string, ids: number[]): true {
  const rows = ids.map((id) => mustRow(env, model, id));
  unlinkHooks[model]?.(env, rows);
  unlinkRows(env, model, rows);
  return true;
}

function unlinkRows(env: Env, model: string, rows: Row[]): void {
  for (const row of rows) {
    for (const [child, field] of CASCADE[model] ?? []) {
      const kids = env.db.rows(child).filter((r) => r[field] === row.id);
      unlinkHooks[child]?.(env, kids);
      unlinkRows(env, child, kids);
    }
    env.db.table(model).delete(row.id);
  }
}

export function nameSearch(env: Env, model: string, name: unknown, domain: unknown, operator: unknown, limit: unknown): Array<[number, string]> {
  const op = typeof operator === 'string' ? operator : 'ilike';
  const rows = searchRows(env, model, domain ?? []);
  const hits = rows.filter((r) => {
    if (name === '' || name === false || name === undefined || name === null) return true;
    return matches(env, model, r, { kind: 'leaf', path: 'display_name', op, value: name, raw: ['display_name', op, name] });
  });
  return hits.slice(0, typeof limit === 'number' ? limit : 100).map((r) => [r.id, displayName(env, model, r.id)]);
}

export function exists(env: Env, model: string, ids: number[]): number[] {
  return ids.filter((id) => env.db.row(model, id));
}

export function fieldsGet(env: Env, model: string, allfields: unknown, attributes: unknown): Record<string, Record<string, unknown>> {
  const m = env.db.model(model);
  const names = Array.isArray(allfields) && allfields.length ? (allfields as string[]) : Object.keys(m.fields);
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    const f = m.fields[name];
    if (!f) continue;
    const desc: Record<string, unknown> = {
      type: f.type,
      string: f.string,
      help: f.help ?? false,
      readonly: Boolean(f.readonly || (f.compute && !f.related)),
      required: Boolean(f.required),
      store: isStored(f) || MAGIC_FIELDS.includes(name),
      searchable: true,
      sortable: isStored(f),
      ...(f.relation ? { relation: f.relation } : {}),
      ...(f.inverseName ? { relation_field: f.inverseName } : {}),
      ...(f.selection ? { selection: f.selection } : {}),
      ...(f.related ? { related: f.related.join('.') } : {}),
    };
    if (Array.isArray(attributes) && attributes.length) {
      for (const k of Object.keys(desc)) if (!attributes.includes(k)) delete desc[k];
    }
    out[name] = desc;
  }
  return out;
}

