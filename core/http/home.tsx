/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
// The pragmas keep JSX compiling when tsx runs from another folder (a merchant's), where tsconfig.json is not found.
import { type Context, Hono } from 'hono';
import type { Database } from '../store/database.ts';

/**
 * The hub's home page: what is connected and what moved, server-rendered and refreshed every 3 s (live updates over
 * SSE arrive with the console). Every value that came from a channel or a customer is rendered through hono/jsx,
 * which escapes it.
 */

export interface HomeDeps {
  db: Database;
  /** Configured connections: name → connector. */
  connections: Array<{ name: string; connector: string }>;
  /** When given, customer messages are shown only to requests it admits (a signed-in session); others get a link to sign in. */
  canReadMessages?: (c: Context) => Promise<boolean>;
}

interface Snapshot {
  products: number;
  variants: number;
  states: Map<string, { status: string; reason: string | null; lastHint: Date | null }>;
  links: Map<string, { linked: number; unlinked: number; ambiguous: number }>;
  pending: Array<{ connection: string; lane: string; n: number }>;
  orders: Array<{ connection: string; external_id: string; status: string; state: string; total: string | null; currency: string | null; placed_at: Date | null; lines: string | null }>;
  ledger: Array<{ created_at: Date; sku: string; quantity: number; kind: string; connection: string | null; origin: string }>;
  messages: Array<{ connection: string; author: string | null; direction: string; body: string; created_at: Date; customer: string | null }>;
}

async function snapshot(db: Database): Promise<Snapshot> {
  const [counts, states, links, pending, orders, ledger, messages] = await Promise.all([
    db.query<{ products: string; variants: string }>('SELECT (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM variants) AS variants'),
    db.query<{ connection: string; status: string; status_reason: string | null; last_hint_at: Date | null }>('SELECT connection, status, status_reason, last_hint_at FROM connection_state'),
    db.query<{ connection: string; link_state: string; n: string }>(
      `SELECT connection, link_state, count(*) AS n FROM bindings WHERE kind = 'variant' GROUP BY connection, link_state`,
    ),
    db.query<{ connection: string; lane: string; n: string }>('SELECT connection, lane, count(*) AS n FROM sync_requests GROUP BY connection, lane ORDER BY connection, lane'),
    db.query<Snapshot['orders'][number]>(
      `SELECT o.connection, o.external_id, o.status, o.state, o.total::text AS total, o.currency, o.placed_at,
              (SELECT string_agg(coalesce(l.sku, '?') || ' × ' || l.quantity, ', ') FROM order_lines l WHERE l.order_id = o.id) AS lines
         FROM orders o ORDER BY o.created_at DESC LIMIT 10`,
    ),
    db.query<Snapshot['ledger'][number]>(
      `SELECT s.created_at, v.sku, s.quantity, s.kind, s.connection, s.origin
         FROM stock_ledger s JOIN variants v ON v.id = s.variant_id
        WHERE s.kind <> 'initial' ORDER BY s.id DESC LIMIT 10`,
    ),
    db.query<Snapshot['messages'][number]>(
      `SELECT c.connection, m.author, m.direction, m.body, m.created_at, coalesce(i.display_name, i.external_id) AS customer
         FROM messages m JOIN conversations c ON c.id = m.conversation_id
         LEFT JOIN customer_identities i ON i.id = c.identity_id
        ORDER BY m.created_at DESC LIMIT 15`,
    ),
  ]);
  const linkMap = new Map<string, { linked: number; unlinked: number; ambiguous: number }>();
  for (const r of links.rows) {
    const entry = linkMap.get(r.connection) ?? { linked: 0, unlinked: 0, ambiguous: 0 };
    entry[r.link_state as 'linked' | 'unlinked' | 'ambiguous'] = Number(r.n);
    linkMap.set(r.connection, entry);
  }
  return {
    products: Number(counts.rows[0]?.products ?? 0),
    variants: Number(counts.rows[0]?.variants ?? 0),
    states: new Map(states.rows.map((r) => [r.connection, { status: r.status, reason: r.status_reason, lastHint: r.last_hint_at }])),
    links: linkMap,
    pending: pending.rows.map((r) => ({ connection: r.connection, lane: r.lane, n: Number(r.n) })),
    orders: orders.rows,
    ledger: ledger.rows,
    messages: messages.rows,
  };
}

const time = (d: Date | null) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) : '—');

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
table{border-collapse:collapse;min-width:40rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.ok{color:#176117}.bad{color:#a11}.muted{color:#777}`;

function Page(props: { s: Snapshot; connections: HomeDeps['connections']; hideMessages?: boolean }) {
  const { s } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="refresh" content="3" />
        <title>omnihub</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <h1>omnihub</h1>
        <p>
          Catalogue: <strong id="products">{s.products} products</strong>, <strong id="variants">{s.variants} variants</strong>.{' '}
          <span class="muted">This page refreshes every 3 seconds.</span>
        </p>

        <h2>Connections</h2>
        <table id="connections">
          <tr><th>connection</th><th>connector</th><th>state</th><th>variants linked</th><th>unlinked</th><th>ambiguous</th><th>last hint</th></tr>
          {props.connections.map((c) => {
            const st = s.states.get(c.name);
            const l = s.links.get(c.name) ?? { linked: 0, unlinked: 0, ambiguous: 0 };
            return (
              <tr>
                <td>{c.name}</td>
                <td>{c.connector}</td>
                <td class={st && st.status !== 'ok' ? 'bad' : 'ok'}>{st ? `${st.status}${st.reason ? `: ${st.reason}` : ''}` : 'ok'}</td>
                <td>{l.linked}</td>
                <td>{l.unlinked}</td>
                <td>{l.ambiguous}</td>
                <td>{time(st?.lastHint ?? null)}</td>
              </tr>
            );
          })}
        </table>

        <h2>Pending work</h2>
        {s.pending.length === 0 ? <p class="muted">Nothing pending: every channel has what it should.</p> : (
          <table id="pending">
            <tr><th>connection</th><th>lane</th><th>requests</th></tr>
            {s.pending.map((p) => <tr><td>{p.connection}</td><td>{p.lane}</td><td>{p.n}</td></tr>)}
          </table>
        )}

        <h2>Latest orders</h2>
        {s.orders.length === 0 ? <p class="muted">No orders yet.</p> : (
          <table id="orders">
            <tr><th>placed</th><th>channel</th><th>order</th><th>status</th><th>lines</th><th>total</th></tr>
            {s.orders.map((o) => (
              <tr>
                <td>{time(o.placed_at)}</td><td>{o.connection}</td><td>{o.external_id}</td>
                <td>{o.status}{o.state === 'needs_mapping' ? ' (needs mapping)' : ''}</td><td>{o.lines ?? ''}</td>
                <td>{o.total ? `${Number(o.total).toFixed(2)} ${o.currency ?? ''}` : ''}</td>
              </tr>
            ))}
          </table>
        )}

        <h2>Latest stock movements</h2>
        {s.ledger.length === 0 ? <p class="muted">No stock movements yet.</p> : (
          <table id="ledger">
            <tr><th>when</th><th>SKU</th><th>change</th><th>kind</th><th>from</th></tr>
            {s.ledger.map((e) => (
              <tr><td>{time(e.created_at)}</td><td>{e.sku}</td><td>{e.quantity > 0 ? `+${e.quantity}` : String(e.quantity)}</td><td>{e.kind}</td><td>{e.connection ?? ''}</td></tr>
            ))}
          </table>
        )}

        <h2>Latest customer messages</h2>
        {props.hideMessages ? <p id="messages-sign-in">Customer messages are in the <a href="/login?next=%2Finbox">inbox: sign in to read them</a>.</p> : s.messages.length === 0 ? <p class="muted">No conversations yet.</p> : (
          <table id="messages">
            <tr><th>when</th><th>channel</th><th>customer</th><th>direction</th><th>message</th></tr>
            {s.messages.map((m) => (
              <tr><td>{time(m.created_at)}</td><td>{m.connection}</td><td>{m.customer ?? m.author ?? ''}</td><td>{m.direction}</td><td>{m.body}</td></tr>
            ))}
          </table>
        )}
      </body>
    </html>
  );
}

export function homeRoutes(deps: HomeDeps): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const hideMessages = deps.canReadMessages ? !(await deps.canReadMessages(c)) : false;
    const s = await snapshot(deps.db);
    if (hideMessages) s.messages = [];
    return c.html(`<!doctype html>${(<Page s={s} connections={deps.connections} hideMessages={hideMessages} />).toString()}`);
  });
  return app;
}
