import { odooDatetime, type Clock } from './clock.ts';
import { missingError } from './errors.ts';

/**
 * The simulator's database: one table of rows per model, plus the model registry (field definitions). Rows hold
 * stored values only: many2one as an id or `false`, many2many as an id list. One2many, related and computed fields
 * are derived on access by `getValue`, the single place both protocols read a field through.
 */
export type FieldType =
  | 'integer' | 'float' | 'monetary' | 'char' | 'text' | 'boolean' | 'date' | 'datetime'
  | 'selection' | 'many2one' | 'one2many' | 'many2many';

export type Row = Record<string, unknown> & { id: number };

export interface Env {
  db: Db;
  uid: number;
  /** The call's `context` (lang, warehouse, location, active_test, …). */
  context: Record<string, unknown>;
}

export interface FieldDef {
  type: FieldType;
  string: string;
  relation?: string;
  /** one2many: the many2one on the comodel pointing back. */
  inverseName?: string;
  selection?: Array<[string, string]>;
  required?: boolean;
  readonly?: boolean;
  /** Non-stored computed field (Odoo computes these per request, honouring the context). */
  compute?: (env: Env, row: Row) => unknown;
  /** Inverse of a computed field (e.g. template `default_code` writes its single variant). */
  inverse?: (env: Env, row: Row, value: unknown) => void;
  /** Related field: a path of many2one hops then the target field; writes go through to the target. */
  related?: string[];
  default?: (env: Env, vals: Record<string, unknown>) => unknown;
  help?: string;
}

export interface ModelDef {
  name: string;
  /** `_description`, used in access and constraint messages. */
  description: string;
  /** `_order`, the default sort. */
  order: string;
  fields: Record<string, FieldDef>;
  displayName(env: Env, row: Row): string;
  /** `_parent_name`, enables `child_of` / `parent_of`. */
  parentField?: string;
  /** Called after a row is inserted (sequences, dependent records). */
  afterCreate?(env: Env, row: Row): void;
  /** Raises when a write is not allowed on this model (e.g. stock.quant editing restrictions). */
  beforeWrite?(env: Env, rows: Row[], vals: Record<string, unknown>): void;
  /** Python constraints (`@api.constrains`), run after create and write. */
  constrain?(env: Env, row: Row): void;
  afterWrite?(env: Env, row: Row, vals: Record<string, unknown>): void;
}

export type Registry = Record<string, ModelDef>;

export function isStored(f: FieldDef): boolean {
  return !f.compute && !f.related && f.type !== 'one2many';
}

/**
 * A stock move created by a confirmed sale order line (not exposed as a model: the simulator only needs it to
 * know what is reserved, and what is outgoing for `virtual_available`).
 */
export interface StockMove {
  id: number;
  saleLineId: number;
  productId: number;
  warehouseId: number;
  locationId: number;
  qty: number;
  /** Quantities reserved on each quant, released on cancel, consumed on delivery. */
  reserved: Array<{ quantId: number; qty: number }>;
  state: 'confirmed' | 'partially_available' | 'assigned' | 'done' | 'cancel';
  date: string;
}

export class Db {
  tables = new Map<string, Map<number, Row>>();
  moves: StockMove[] = [];
  private seqs = new Map<string, number>();

  constructor(
    readonly registry: Registry,
    readonly clock: Clock,
    /** Server major version (17, 18, 19…): some fields and messages differ by version. */
    readonly major: number,
  ) {
    for (const name of Object.keys(registry)) this.tables.set(name, new Map());
  }

  now(): string {
    return odooDatetime(this.clock());
  }

  model(name: string): ModelDef {
    const m = this.registry[name];
    if (!m) throw new Error(`unknown model ${name}`);
    return m;
  }

  table(name: string): Map<number, Row> {
    const t = this.tables.get(name);
    if (!t) throw new Error(`unknown model ${name}`);
    return t;
  }

  private forced = new Map<string, number>();

  /** Makes the next record of `model` take this id (seeding records with the ids a test expects). */
  forceNextId(model: string, id: number): void {
    if (this.table(model).has(id)) throw new Error(`${model} id ${id} already exists`);
    this.forced.set(model, id);
  }

  nextId(model: string, wanted?: number): number {
    const current = this.seqs.get(model) ?? 0;
    const forced = this.forced.get(model);
    this.forced.delete(model);
    const id = wanted ?? forced ?? current + 1;
    this.seqs.set(model, Math.max(current, id));
    return id;
  }

  /** Named sequences (`ir.sequence`), e.g. sale orders "S00001". */
  nextSequence(code: string): number {
    return this.nextId(`ir.sequence:${code}`);
  }

  row(model: string, id: number): Row | undefined {
    return this.table(model).get(id);
  }

  rows(model: string): Row[] {
    return [...this.table(model).values()];
  }

  /** The whole state as JSON (for `GET /__sandbox/state`). */
  dump(): Record<string, Row[]> {
    const out: Record<string, Row[]> = {};
    for (const [name, t] of this.tables) out[name] = [...t.values()];
    return { ...out, '__stock_moves__': this.moves as unknown as Row[] };
  }
}

/** Python's repr of a recordset, as in Odoo's MissingError message: `product.product(999,)`. */
export function recordsetRepr(model: string, ids: number[]): string {
  return `${model}(${ids.join(', ')}${ids.length === 1 ? ',' : ''})`;
}

export function mustRow(env: Env, model: string, id: number): Row {
  const row = env.db.row(model, id);
  if (!row) {
    throw missingError(
      `Record does not exist or has been deleted.\n(Record: ${recordsetRepr(model, [id])}, User: ${env.uid})`,
    );
  }
  return row;
}

/** The logical value of a field on a row: stored value, or computed/related/one2many derived on the fly. */
export function getValue(env: Env, model: string, row: Row, fname: string): unknown {
  const m = env.db.model(model);
  if (fname === 'id') return row.id;
  const f = m.fields[fname];
  if (!f) return undefined;
  if (f.compute) return f.compute(env, row);
  if (f.related) return getRelated(env, model, row, f.related);
  if (f.type === 'one2many') {
    const inv = f.inverseName!;
    return env.db
      .rows(f.relation!)
      .filter((r) => r[inv] === row.id)
      .map((r) => r.id)
      .sort((a, b) => a - b);
  }
  const v = row[fname];
  if (v === undefined) return emptyValue(f);
  return v;
}

function getRelated(env: Env, model: string, row: Row, path: string[]): unknown {
  let curModel = model;
  let cur: Row | undefined = row;
  for (let i = 0; i < path.length - 1; i++) {
    const hop = env.db.model(curModel).fields[path[i]!]!;
    const id = getValue(env, curModel, cur, path[i]!);
    curModel = hop.relation!;
    if (typeof id !== 'number') return emptyValue(env.db.model(curModel).fields[path[path.length - 1]!]!);
    cur = env.db.row(curModel, id);
    if (!cur) return false;
  }
  return getValue(env, curModel, cur, path[path.length - 1]!);
}

/** Where a related field writes to: the target model, row and field. */
export function relatedTarget(
  env: Env,
  model: string,
  row: Row,
  path: string[],
): { model: string; row: Row; field: string } | undefined {
  let curModel = model;
  let cur: Row = row;
  for (let i = 0; i < path.length - 1; i++) {
    const hop = env.db.model(curModel).fields[path[i]!]!;
    const id = getValue(env, curModel, cur, path[i]!);
    if (typeof id !== 'number') return undefined;
    curModel = hop.relation!;
    const next = env.db.row(curModel, id);
    if (!next) return undefined;
    cur = next;
  }
  return { model: curModel, row: cur, field: path[path.length - 1]! };
}

export function emptyValue(f: FieldDef): unknown {
  switch (f.type) {
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    case 'one2many':
    case 'many2many':
      return [];
    default:
      return false;
  }
}

export function displayName(env: Env, model: string, id: number): string {
  const row = env.db.row(model, id);
  if (!row) return '';
  return env.db.model(model).displayName(env, row);
}
