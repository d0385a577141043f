import { userError } from './errors.ts';
import { deliverMove, releaseMove, reserveMove } from './stock.ts';
import { type Env, type Row } from './store.ts';

/**
 * Sale order workflow: `action_confirm` turns a quotation into an order and creates one outgoing move per line,
 * reserved on the order's warehouse stock (so `reserved_quantity` goes up and `free_qty` down); `action_cancel`
 * releases the reservation; delivery (an admin action simulating the warehouse) consumes it.
 */
function storable(env: Env, productId: number): boolean {
  const p = env.db.row('product.product', productId);
  const t = p && env.db.row('product.template', p.product_tmpl_id as number);
  if (!t) return false;
  return env.db.major >= 18 ? t.is_storable === true : t.type === 'product';
}

function lines(env: Env, order: Row): Row[] {
  return env.db.rows('sale.order.line').filter((l) => l.order_id === order.id);
}

/** Creates (and reserves) moves for lines of a confirmed order that have none yet. */
export function ensureMoves(env: Env, order: Row): void {
  if (order.state !== 'sale') return;
  const wh = env.db.row('stock.warehouse', order.warehouse_id as number);
  if (!wh) return;
  for (const line of lines(env, order)) {
    if (typeof line.product_id !== 'number' || !storable(env, line.product_id)) continue;
    if (env.db.moves.some((m) => m.saleLineId === line.id && m.state !== 'cancel')) continue;
    const move = {
      id: env.db.nextId('stock.move'),
      saleLineId: line.id,
      productId: line.product_id,
      warehouseId: wh.id,
      locationId: wh.lot_stock_id as number,
      qty: line.product_uom_qty as number,
      reserved: [],
      state: 'confirmed' as const,
      date: env.db.now(),
    };
    env.db.moves.push(move);
    reserveMove(env, move);
  }
}

export function actionConfirm(env: Env, orders: Row[]): true {
  const wrong = orders.filter((o) => o.state !== 'draft' && o.state !== 'sent');
  if (wrong.length) {
    throw userError(
      `The following orders are not in a state requiring confirmation: ${wrong.map((o) => o.name).join(', ')}`,
    );
  }
  const now = env.db.now();
  for (const o of orders) {
    o.state = 'sale';
    o.date_order = now;
    o.write_date = now;
    o.write_uid = env.uid;
    ensureMoves(env, o);
  }
  return true;
}

export function actionCancel(env: Env, orders: Row[]): true {
  const now = env.db.now();
  for (const o of orders) {
    const lineIds = new Set(lines(env, o).map((l) => l.id));
    for (const m of env.db.moves) {
      if (lineIds.has(m.saleLineId) && m.state !== 'done' && m.state !== 'cancel') releaseMove(env, m);
    }
    o.state = 'cancel';
    o.write_date = now;
    o.write_uid = env.uid;
  }
  return true;
}

export function actionDraft(env: Env, orders: Row[]): true {
  const now = env.db.now();
  for (const o of orders) {
    if (o.state !== 'cancel' && o.state !== 'sent') continue;
    o.state = 'draft';
    o.write_date = now;
  }
  return true;
}

/** Warehouse work: ships every open move of the order and records the delivered quantities on its lines. */
export function deliverOrder(env: Env, order: Row): void {
  const now = env.db.now();
  for (const line of lines(env, order)) {
    for (const m of env.db.moves) {
      if (m.saleLineId !== line.id || m.state === 'done' || m.state === 'cancel') continue;
      deliverMove(env, m);
      line.qty_delivered = (line.qty_delivered as number) + m.qty;
      line.write_date = now;
    }
  }
  order.write_date = now;
}

export function checkUnlinkOrders(orders: Row[]): void {
  if (orders.some((o) => o.state !== 'draft' && o.state !== 'cancel')) {
    throw userError('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
  }
}
