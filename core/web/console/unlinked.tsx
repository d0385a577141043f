/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { UnlinkedItem } from '../../sync/unlinked-report.ts';
import { SkuLink, timelineHref, when } from './components.tsx';

export function UnlinkedPage(props: { items: UnlinkedItem[]; connections: string[]; connection?: string | undefined }) {
  return (
    <>
      <h1>Unlinked items</h1>
      <p class="muted">Channel items the hub could not link to the catalogue (by SKU, then EAN), and orders waiting for a SKU mapping. Nothing here is skipped silently: each waits with its reason.</p>
      <form class="filters" method="get" action="/console/unlinked">
        <div><label for="connection">Connection</label>
          <select id="connection" name="connection">
            <option value="">all</option>
            {props.connections.map((n) => <option value={n} selected={props.connection === n}>{n}</option>)}
          </select></div>
        <button type="submit">Filter</button>
      </form>
      {props.items.length === 0 ? <p class="muted" id="unlinked-empty">Everything is linked.</p> : (
        <table id="unlinked">
          <thead><tr><th>Connection</th><th>Kind</th><th>Channel id</th><th>SKU</th><th>State</th><th>Reason</th><th>Since</th></tr></thead>
          <tbody>
            {props.items.map((i) => (
              <tr data-state={i.state}>
                <td>{i.connection}</td>
                <td>{i.kind}</td>
                <td>{i.orderId ? <a href={timelineHref('order', i.orderId)}>{i.externalId}</a> : i.externalId}</td>
                <td><SkuLink sku={i.sku} /></td>
                <td><span class="badge">{i.state}</span></td>
                <td>{i.reason}</td>
                <td>{when(i.since)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
