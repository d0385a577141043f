import { accessError, attributeError, OdooError, userError } from './errors.ts';
import * as orm from './orm.ts';
import { actionCancel, actionConfirm, actionDraft } from './sale.ts';
import { setQuantQuantity } from './stock.ts';
import { mustRow, type Env } from './store.ts';

/**
 * The public model methods, described once with their Python signatures so both protocols bind arguments the way
 * Odoo does: JSON-RPC `execute_kw` maps positional `args` (record ids first, unless the method is `@api.model`)
 * and `kwargs`; JSON-2 passes the body's named arguments (plus `ids` and `context`) and rejects a mismatch with 422.
 */
export class Recordset {
  constructor(readonly ids: number[]) {}
}

export interface Param {
  name: string;
  required?: boolean;
  default?: unknown;
}

export interface MethodSpec {
  params: Param[];
  /** `@api.model` (or model_create_multi): no record ids. */
  apiModel: boolean;
  /** Accepts `**kwargs` (search_read forwards them to read). */
  varKw?: boolean;
  run(env: Env, model: string, ids: number[], a: Record<string, unknown>): unknown;
}

const num = (x: unknown) => (typeof x === 'number' ? x : undefined);

function generic(major: number): Record<string, MethodSpec> {
  return {
    search: {
      params: [{ name: 'domain', required: true }, { name: 'offset', default: 0 }, { name: 'limit' }, { name: 'order' }],
      apiModel: true,
      run: (env, model, _ids, a) => new Recordset(orm.search(env, model, a.domain, { offset: num(a.offset), limit: num(a.limit), order: a.order as string })),
    },
    search_read: {
      params: [{ name: 'domain' }, { name: 'fields' }, { name: 'offset', default: 0 }, { name: 'limit' }, { name: 'order' }],
      apiModel: true,
      varKw: true,
      run: (env, model, _ids, a) => {
        const extra = Object.keys(a).filter((k) => !['domain', 'fields', 'offset', 'limit', 'order', 'load'].includes(k));
        if (extra.length) throw new OdooError('builtins.TypeError', `BaseModel.read() got an unexpected keyword argument '${extra[0]}'`, 500);
        return orm.searchRead(env, model, a.domain, a.fields, { offset: num(a.offset), limit: num(a.limit), order: a.order as string }, a.load);
      },
    },
    search_count: {
      params: [{ name: 'domain', required: true }, { name: 'limit' }],
      apiModel: true,
      run: (env, model, _ids, a) => orm.searchCount(env, model, a.domain, num(a.limit)),
    },
    read: {
      params: [{ name: 'fields' }, { name: 'load', default: '_classic_read' }],
      apiModel: false,
      run: (env, model, ids, a) => orm.read(env, model, ids, a.fields, a.load ?? '_classic_read'),
    },
    create: {
      params: [{ name: 'vals_list', required: true }],
      apiModel: true,
      run: (env, model, _ids, a) => new Recordset(orm.create(env, model, a.vals_list)),
    },
    write: {
      params: [{ name: 'vals', required: true }],
      apiModel: false,
      run: (env, model, ids, a) => orm.write(env, model, ids, a.vals),
    },
    unlink: {
      params: [],
      apiModel: false,
      run: (env, model, ids) => orm.unlink(env, model, ids),
    },
    exists: {
      params: [],
      apiModel: false,
      run: (env, model, ids) => new Recordset(orm.exists(env, model, ids)),
    },
    name_search: {
      // The domain argument was renamed from `args` to `domain` in 18.0.
      params: [{ name: 'name', default: '' }, { name: major >= 18 ? 'domain' : 'args' }, { name: 'operator', default: 'ilike' }, { name: 'limit', default: 100 }],
      apiModel: true,
      run: (env, model, _ids, a) => orm.nameSearch(env, model, a.name ?? '', a.domain ?? a.args, a.operator, a.limit ?? 100),
    },
    fields_get: {
      params: [{ name: 'allfields' }, { name: 'attributes' }],
      apiModel: true,
      run: (env, model, _ids, a) => orm.fieldsGet(env, model, a.allfields, a.attributes),
    },
  };
}

const SPECIFIC: Record<string, Record<string, MethodSpec>> = {
  'res.users': {
    context_get: {
      params: [],
      apiModel: true,
      run: (env) => {
        const u = env.db.row('res.users', env.uid);
        return { lang: u?.lang || 'en_US', tz: u?.tz || false, uid: env.uid };
      },
    },
  },
  'sale.order': {
    action_confirm: { params: [], apiModel: false, run: (env, _m, ids) => actionConfirm(env, ids.map((id) => mustRow(env, 'sale.order', id))) },
    action_cancel: { params: [], apiModel: false, run: (env, _m, ids) => actionCancel(env, ids.map((id) => mustRow(env, 'sale.order', id))) },
    action_draft: { params: [], apiModel: false, run: (env, _m, ids) => actionDraft(env, ids.map((id) => mustRow(env, 'sale.order', id))) },
  },
  'stock.quant': {
    // Quants are created only in inventory mode, as counted quantities to apply; an existing quant is reused.
    create: {
      params: [{ name: 'vals_list', required: true }],
      apiModel: true,
      run: (env, _m, _ids, a) => {
        if (!env.context.inventory_mode) throw userError("Quant's creation is restricted, you can't do this operation.");
        const list = (Array.isArray(a.vals_list) ? a.vals_list : [a.vals_list]) as Array<Record<string, unknown>>;
        const allowed = new Set(['product_id', 'location_id', 'lot_id', 'owner_id', 'inventory_quantity', 'inventory_quantity_set']);
        const ids = list.map((vals) => {
          if (Object.keys(vals ?? {}).some((k) => !allowed.has(k))) throw userError("Quant's creation is restricted, you can't do this operation.");
          const same = env.db.rows('stock.quant').find(
            (q) => q.product_id === vals.product_id && q.location_id === vals.location_id && q.lot_id === (vals.lot_id ?? false) && q.owner_id === (vals.owner_id ?? false),
          );
          if (same) {
            if ('inventory_quantity' in vals) orm.write(env, 'stock.quant', [same.id], { inventory_quantity: vals.inventory_quantity });
            return same.id;
          }
          const [id] = orm.create(env, 'stock.quant', [{ ...vals, inventory_quantity_set: 'inventory_quantity' in vals }]);
          return id!;
        });
        return new Recordset(ids);
      },
    },
    action_apply_inventory: {
      params: [],
      apiModel: false,
      run: (env, _m, ids) => {
        for (const id of ids) {
          const q = mustRow(env, 'stock.quant', id);
          if (!q.inventory_quantity_set) continue;
          setQuantQuantity(env, q, q.inventory_quantity as number);
          q.inventory_quantity = 0;
          q.inventory_quantity_set = false;
        }
        return null;
      },
    },
  },
};

export function privateMethodError(major: number, model: string, method: string): OdooError {
  return accessError(
    major >= 18
      ? `Private methods (such as '${model}.${method}') cannot be called remotely.`
      : `Private methods (such as ${method}) cannot be called remotely.`,
  );
}

/** Finds a public method; `undefined` when it does not exist on the model. Private names raise AccessError. */
export function lookupMethod(major: number, model: string, method: string): MethodSpec | undefined {
  if (method.startsWith('_')) throw privateMethodError(major, model, method);
  return SPECIFIC[model]?.[method] ?? generic(major)[method];
}

export function unknownMethodRpc(model: string, method: string): OdooError {
  return attributeError(`The method '${method}' does not exist on the model '${model}'`);
}

export function toIds(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  if (v === false || v === null || v === undefined) return [];
  throw new OdooError('builtins.TypeError', `unhashable type: '${Array.isArray(v) ? 'list' : typeof v}'`, 500);
}
