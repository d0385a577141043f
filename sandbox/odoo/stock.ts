import { getValue, type Env, type Row, type StockMove } from './store.ts';

/**
 * Stock quantities as `addons/stock/models/product.py` computes them, from `stock.quant` rows:
 * - qty_available = Σ quant.quantity in the selected internal locations;
 * - free_qty = Σ (quantity − reserved_quantity);
 * - outgoing_qty = Σ open outgoing moves (confirmed sale order lines) leaving those locations; incoming_qty = 0
 *   (the simulator has no purchases or receipts);
 * - virtual_available = qty_available + incoming_qty − outgoing_qty.
 * The selection comes from the context: `location` (id, name or list) wins over `warehouse` (id, name or list);
 * with neither, every warehouse counts. Only `internal` locations hold countable stock.
 */
function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function ancestors(env: Env, locationId: number): number[] {
  const out: number[] = [];
  let cur: unknown = locationId;
  while (typeof cur === 'number' && !out.includes(cur)) {
    out.push(cur);
    cur = env.db.row('stock.location', cur)?.location_id;
  }
  return out;
}

export function warehouseOfLocation(env: Env, locationId: number): number | false {
  const chain = ancestors(env, locationId);
  for (const wh of env.db.rows('stock.warehouse')) {
    if (chain.includes(wh.view_location_id as number)) return wh.id;
  }
  return false;
}

function resolveWarehouses(env: Env, v: unknown): Row[] {
  const out: Row[] = [];
  for (const x of asList(v)) {
    if (typeof x === 'number') {
      const r = env.db.row('stock.warehouse', x);
      if (r) out.push(r);
    } else if (typeof x === 'string') {
      out.push(...env.db.rows('stock.warehouse').filter((w) => String(w.name).toLowerCase().includes(x.toLowerCase())));
    }
  }
  return out;
}

/** The root locations selected by the context (see module comment). */
export function contextRoots(env: Env): number[] {
  const { location, warehouse } = env.context;
  if (location !== undefined && location !== false && location !== null) {
    const ids: number[] = [];
    for (const x of asList(location)) {
      if (typeof x === 'number') ids.push(x);
      else if (typeof x === 'string') {
        for (const l of env.db.rows('stock.location')) {
          if (String(getValue(env, 'stock.location', l, 'complete_name')).toLowerCase().includes(x.toLowerCase())) ids.push(l.id);
        }
      }
    }
    return ids;
  }
  const whs = warehouse !== undefined && warehouse !== false && warehouse !== null
    ? resolveWarehouses(env, warehouse)
    : env.db.rows('stock.warehouse').filter((w) => w.active !== false);
  return whs.map((w) => w.view_location_id as number);
}

export function isUnder(env: Env, locationId: number, roots: number[]): boolean {
  return ancestors(env, locationId).some((a) => roots.includes(a));
}

function internal(env: Env, locationId: number): boolean {
  return env.db.row('stock.location', locationId)?.usage === 'internal';
}

export function quantsIn(env: Env, productId: number, roots: number[]): Row[] {
  return env.db
    .rows('stock.quant')
    .filter((q) => q.product_id === productId && internal(env, q.location_id as number) && isUnder(env, q.location_id as number, roots));
}

export interface Quantities {
  qty_available: number;
  free_qty: number;
  incoming_qty: number;
  outgoing_qty: number;
  virtual_available: number;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

export function productQuantities(env: Env, productId: number): Quantities {
  const roots = contextRoots(env);
  const quants = quantsIn(env, productId, roots);
  const onHand = quants.reduce((s, q) => s + (q.quantity as number), 0);
  const reserved = quants.reduce((s, q) => s + (q.reserved_quantity as number), 0);
  const outgoing = env.db.moves
    .filter((m) => m.productId === productId && m.state !== 'done' && m.state !== 'cancel' && isUnder(env, m.locationId, roots))
    .reduce((s, m) => s + m.qty, 0);
  return {
    qty_available: round(onHand),
    free_qty: round(onHand - reserved),
    incoming_qty: 0,
    outgoing_qty: round(outgoing),
    virtual_available: round(onHand - outgoing),
  };
}

function touch(env: Env, quant: Row): void {
  quant.write_date = env.db.now();
  quant.write_uid = env.uid;
}

/** Reserves a confirmed sale line on the warehouse's quants, oldest first; a shortfall stays unreserved. */
export function reserveMove(env: Env, move: StockMove): void {
  let remaining = move.qty - move.reserved.reduce((s, r) => s + r.qty, 0);
  const quants = quantsIn(env, move.productId, [move.locationId]).sort(
    (a, b) => String(a.in_date).localeCompare(String(b.in_date)) || a.id - b.id,
  );
  for (const q of quants) {
    if (remaining <= 0) break;
    const free = (q.quantity as number) - (q.reserved_quantity as number);
    if (free <= 0) continue;
    const take = Math.min(free, remaining);
    q.reserved_quantity = round((q.reserved_quantity as number) + take);
    touch(env, q);
    const existing = move.reserved.find((r) => r.quantId === q.id);
    if (existing) existing.qty = round(existing.qty + take);
    else move.reserved.push({ quantId: q.id, qty: take });
    remaining = round(remaining - take);
  }
  move.state = moveState(move);
}

function moveState(move: StockMove): StockMove['state'] {
  const reserved = move.reserved.reduce((s, r) => s + r.qty, 0);
  if (reserved <= 0) return 'confirmed';
  return reserved >= move.qty ? 'assigned' : 'partially_available';
}

export function releaseMove(env: Env, move: StockMove): void {
  for (const r of move.reserved) {
    const q = env.db.row('stock.quant', r.quantId);
    if (!q) continue;
    q.reserved_quantity = round(Math.max(0, (q.reserved_quantity as number) - r.qty));
    touch(env, q);
  }
  move.reserved = [];
  move.state = 'cancel';
}

/** Ships a move: reserved quantities leave their quants; any unreserved rest leaves the stock location (may go negative). */
export function deliverMove(env: Env, move: StockMove): void {
  for (const r of move.reserved) {
    const q = env.db.row('stock.quant', r.quantId);
    if (!q) continue;
    q.quantity = round((q.quantity as number) - r.qty);
    q.reserved_quantity = round(Math.max(0, (q.reserved_quantity as number) - r.qty));
    touch(env, q);
  }
  const rest = round(move.qty - move.reserved.reduce((s, r) => s + r.qty, 0));
  if (rest > 0) {
    const q = findOrCreateQuant(env, move.productId, move.locationId);
    q.quantity = round((q.quantity as number) - rest);
    touch(env, q);
  }
  move.state = 'done';
  move.date = env.db.now();
}

export function findOrCreateQuant(env: Env, productId: number, locationId: number): Row {
  const found = env.db.rows('stock.quant').find((q) => q.product_id === productId && q.location_id === locationId && q.lot_id === false);
  if (found) return found;
  const now = env.db.now();
  const id = env.db.nextId('stock.quant');
  const row: Row = {
    id, product_id: productId, location_id: locationId, lot_id: false, owner_id: false, quantity: 0, reserved_quantity: 0,
    inventory_quantity: 0, inventory_quantity_set: false, in_date: now,
    create_date: now, write_date: now, create_uid: env.uid, write_uid: env.uid,
  };
  env.db.table('stock.quant').set(id, row);
  return row;
}

/**
 * Sets a quant's on-hand quantity (inventory adjustment or warehouse work). If fewer units remain than are
 * reserved, reservations are taken back from the moves holding them, newest first, as Odoo unreserves.
 */
export function setQuantQuantity(env: Env, quant: Row, quantity: number): void {
  quant.quantity = round(quantity);
  let excess = round((quant.reserved_quantity as number) - Math.max(0, quantity));
  for (const move of [...env.db.moves].reverse()) {
    if (excess <= 0) break;
    const r = move.reserved.find((x) => x.quantId === quant.id);
    if (!r || move.state === 'done' || move.state === 'cancel') continue;
    const give = Math.min(r.qty, excess);
    r.qty = round(r.qty - give);
    excess = round(excess - give);
    quant.reserved_quantity = round((quant.reserved_quantity as number) - give);
    move.reserved = move.reserved.filter((x) => x.qty > 0);
    move.state = moveState(move);
  }
  touch(env, quant);
}
