import { parseOdooDatetime } from './clock.ts';
import { pyRepr, valueError } from './errors.ts';
import { displayName, getValue, type Env, type FieldDef, type Row } from './store.ts';

/**
 * Odoo domains: a list in prefix (Polish) notation of leaves `[field_path, operator, value]` and the operators
 * `&` (arity 2), `|` (arity 2) and `!` (arity 1); consecutive terms without an operator are AND-ed
 * (`normalize_domain`). TRUE_LEAF `[1, "=", 1]` and FALSE_LEAF `[0, "=", 1]` are accepted.
 *
 * SQL semantics are reproduced where clients feel them: NULL never matches `>`, `<`, `like`…; `!=`, `not in`,
 * `not like`, `not ilike` do match NULL (Odoo adds `OR col IS NULL`); `= False` matches NULL (and '' for char);
 * `like`/`ilike` wrap the value in `%…%`, `=like`/`=ilike` use it as the pattern; many2one compared with a string
 * matches the target's display name (name_search); dotted paths follow many2one/x2many fields.
 */
export type DomainNode =
  | { kind: 'and' | 'or'; a: DomainNode; b: DomainNode }
  | { kind: 'not'; a: DomainNode }
  | { kind: 'leaf'; path: string; op: string; value: unknown; raw: unknown[] }
  | { kind: 'const'; value: boolean };

export const OPERATORS = new Set([
  '=', '!=', '<>', '>', '>=', '<', '<=', 'in', 'not in', 'like', 'not like', 'ilike', 'not ilike',
  '=like', '=ilike', 'child_of', 'parent_of', '=?',
]);

function leafRepr(leaf: unknown[]): string {
  return `(${leaf.map(pyRepr).join(', ')})`;
}

export function parseDomain(domain: unknown): DomainNode {
  if (domain === undefined || domain === null || domain === false) return { kind: 'const', value: true };
  if (!Array.isArray(domain)) throw valueError(`Invalid domain: ${pyRepr(domain)}`);
  let i = 0;
  const one = (): DomainNode => {
    if (i >= domain.length) throw valueError(`Invalid domain: ${pyRepr(domain)}`);
    const term = domain[i++];
    if (term === '&' || term === '|') {
      const a = one();
      const b = one();
      return { kind: term === '&' ? 'and' : 'or', a, b };
    }
    if (term === '!') return { kind: 'not', a: one() };
    if (!Array.isArray(term) || term.length !== 3) throw valueError(`Invalid leaf ${pyRepr(term)}`);
    const [path, op, value] = term as [unknown, unknown, unknown];
    if ((path === 1 || path === 0) && op === '=' && value === 1) return { kind: 'const', value: path === 1 };
    if (typeof path !== 'string' || typeof op !== 'string' || !OPERATORS.has(op.toLowerCase())) {
      throw valueError(`Invalid leaf ${leafRepr(term)}`);
    }
    return { kind: 'leaf', path, op: op.toLowerCase() === '<>' ? '!=' : op.toLowerCase(), value, raw: term };
  };
  const nodes: DomainNode[] = [];
  while (i < domain.length) nodes.push(one());
  if (nodes.length === 0) return { kind: 'const', value: true };
  return nodes.reduce((a, b) => ({ kind: 'and', a, b }));
}

/** Validates every field path against the model (Odoo raises before running the query). */
export function checkDomain(env: Env, model: string, node: DomainNode): void {
  if (node.kind === 'and' || node.kind === 'or') {
    checkDomain(env, model, node.a);
    checkDomain(env, model, node.b);
  } else if (node.kind === 'not') {
    checkDomain(env, model, node.a);
  } else if (node.kind === 'leaf') {
    let cur = model;
    const parts = node.path.split('.');
    parts.forEach((p, idx) => {
      const f = p === 'id' ? ({ type: 'integer' } as FieldDef) : env.db.model(cur).fields[p];
      if (!f) throw valueError(`Invalid field ${cur}.${p} in leaf ${leafRepr(node.raw)}`);
      if (idx < parts.length - 1) {
        if (!f.relation) throw valueError(`Invalid field ${cur}.${p} in leaf ${leafRepr(node.raw)}`);
        cur = f.relation;
      }
    });
  }
}

/** Mentions `active` anywhere: then Odoo does not add the implicit `active = True` filter. */
export function mentionsActive(node: DomainNode): boolean {
  if (node.kind === 'and' || node.kind === 'or') return mentionsActive(node.a) || mentionsActive(node.b);
  if (node.kind === 'not') return mentionsActive(node.a);
  return node.kind === 'leaf' && node.path === 'active';
}

export function matches(env: Env, model: string, row: Row, node: DomainNode): boolean {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'and':
      return matches(env, model, row, node.a) && matches(env, model, row, node.b);
    case 'or':
      return matches(env, model, row, node.a) || matches(env, model, row, node.b);
    case 'not':
      return !matches(env, model, row, node.a);
    case 'leaf':
      return matchPath(env, model, row, node.path.split('.'), node.op, node.value);
  }
}

function matchPath(env: Env, model: string, row: Row, path: string[], op: string, value: unknown): boolean {
  const [head, ...rest] = path as [string, ...string[]];
  const f: FieldDef = head === 'id' ? { type: 'integer', string: 'ID' } : env.db.model(model).fields[head]!;
  const v = getValue(env, model, row, head);
  if (rest.length > 0) {
    const ids = f.type === 'many2one' ? (typeof v === 'number' ? [v] : []) : ((v as number[]) ?? []);
    const rows = ids.map((id) => env.db.row(f.relation!, id)).filter((r): r is Row => !!r);
    const negative = op === '!=' || op === 'not in' || op === 'not like' || op === 'not ilike';
    // Odoo 17+: a negative operator on a path means "no related record matches the positive condition".
    if (negative) {
      const positive = { '!=': '=', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike' }[op]!;
      return !rows.some((r) => matchPath(env, f.relation!, r, rest, positive, value));
    }
    return rows.some((r) => matchPath(env, f.relation!, r, rest, op, value));
  }
  if (op === '=?') return value === false || value === null || value === undefined ? true : matchValue(env, f, v, '=', value);
  if (op === 'child_of' || op === 'parent_of') return hierarchy(env, f, model, row, v, op, value);
  return matchValue(env, f, v, op, value);
}

function hierarchy(env: Env, f: FieldDef, model: string, row: Row, v: unknown, op: string, value: unknown): boolean {
  const target = head2model(f, model);
  const parentField = env.db.model(target).parentField;
  if (!parentField) throw valueError(`Invalid operator ${pyRepr(op)} on a model without a parent hierarchy: ${target}`);
  const roots = new Set(toIdList(env, target, value));
  const own = f.type === 'integer' ? [row.id] : f.type === 'many2one' ? (typeof v === 'number' ? [v] : []) : (v as number[]);
  const ancestors = (id: number): number[] => {
    const out: number[] = [];
    let cur: number | false = id;
    const seen = new Set<number>();
    while (typeof cur === 'number' && !seen.has(cur)) {
      seen.add(cur);
      out.push(cur);
      const r = env.db.row(target, cur);
      cur = r ? ((r[parentField] as number | false) ?? false) : false;
    }
    return out;
  };
  if (op === 'child_of') return own.some((id) => ancestors(id).some((a) => roots.has(a)));
  // parent_of: the record is an ancestor of one of the given ids.
  return [...roots].some((id) => ancestors(id).some((a) => own.includes(a)));
}

function head2model(f: FieldDef, model: string): string {
  return f.relation ?? model;
}

function toIdList(env: Env, model: string, value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  const ids: number[] = [];
  for (const x of list) {
    if (typeof x === 'number') ids.push(x);
    else if (typeof x === 'string') {
      for (const r of env.db.rows(model)) if (displayName(env, model, r.id).toLowerCase().includes(x.toLowerCase())) ids.push(r.id);
    }
  }
  return ids;
}

function isNull(f: FieldDef, v: unknown): boolean {
  if (v === false || v === null || v === undefined) return true;
  if ((f.type === 'char' || f.type === 'text') && v === '') return true;
  if ((f.type === 'many2many' || f.type === 'one2many') && Array.isArray(v) && v.length === 0) return true;
  return false;
}

function likeToRegExp(pattern: string, insensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, insensitive ? 'is' : 's');
}

function normalizeScalar(f: FieldDef, x: unknown): unknown {
  if (f.type === 'datetime' && typeof x === 'string') return parseOdooDatetime(x) ?? x;
  return x;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function matchValue(env: Env, f: FieldDef, v: unknown, op: string, value: unknown): boolean {
  // x2many: the condition holds if any linked id satisfies it (or, for `= False`, if there is none).
  if (f.type === 'one2many' || f.type === 'many2many') {
    const ids = (v as number[]) ?? [];
    if (value === false || value === null) return op === '=' ? ids.length === 0 : ids.length > 0;
    const rel = f.relation!;
    const one = (id: number, o: string) => matchValue(env, { type: 'many2one', string: '', relation: rel }, id, o, value);
    if (op === '!=' || op === 'not in' || op === 'not like' || op === 'not ilike') {
      const positive = { '!=': '=', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike' }[op]!;
      return !ids.some((id) => one(id, positive));
    }
    return ids.some((id) => one(id, op));
  }
  // many2one against a string (or list of strings): compare the target's display name (name_search).
  if (f.type === 'many2one' && (typeof value === 'string' || (Array.isArray(value) && value.some((x) => typeof x === 'string')))) {
    const name = typeof v === 'number' ? displayName(env, f.relation!, v) : false;
    return matchValue(env, { type: 'char', string: '' }, name, op, value);
  }
  const nullish = isNull(f, v);
  const val = normalizeScalar(f, value);
  switch (op) {
    case '=':
      if (val === false || val === null) return nullish || (f.type === 'boolean' && v === false);
      return !nullish && compare(v, val) === 0;
    case '!=':
      if (val === false || val === null) return !nullish && !(f.type === 'boolean' && v === false);
      return nullish || compare(v, val) !== 0;
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (nullish || val === false || val === null) return false;
      const c = compare(v, val);
      return op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0;
    }
    case 'in':
    case 'not in': {
      if (!Array.isArray(value) && typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
        throw valueError(`Invalid value for operator ${op}: ${pyRepr(value)}`);
      }
      const list = (Array.isArray(value) ? value : [value]).map((x) => normalizeScalar(f, x));
      const hit = list.some((x) => (x === false || x === null ? nullish : !nullish && compare(v, x) === 0));
      return op === 'in' ? hit : !hit;
    }
    case 'like':
    case 'ilike':
    case 'not like':
    case 'not ilike':
    case '=like':
    case '=ilike': {
      const insensitive = op.includes('ilike');
      const raw = String(value ?? '');
      const pattern = op.startsWith('=') ? raw : `%${raw}%`;
      const negative = op.startsWith('not');
      if (nullish) return negative;
      const hit = likeToRegExp(pattern, insensitive).test(String(v));
      return negative ? !hit : hit;
    }
    default:
      throw valueError(`Invalid operator ${pyRepr(op)}`);
  }
}
