/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Plan } from '../../sync/plan.ts';
import { SkuLink, Value } from './components.tsx';

/** A whole-catalogue plan can hold thousands of writes; the page shows the first ones and says how many more. */
export const PLAN_ROWS_SHOWN = 500;

export function PlanPage(props: { plan: Plan; connections: string[]; filter: { connection?: string | undefined; sku?: string | undefined } }) {
  const { plan } = props;
  return (
    <>
      <h1>Plan</h1>
      <p class="muted">What every channel would get and why, computed from the catalogue and each connection's rules. Nothing is written and no channel is read.</p>
      <form class="filters" method="get" action="/console/plan">
        <div><label for="connection">Connection</label>
          <select id="connection" name="connection">
            <option value="">all</option>
            {props.connections.map((n) => <option value={n} selected={props.filter.connection === n}>{n}</option>)}
          </select></div>
        <div><label for="sku">SKU</label><input id="sku" name="sku" value={props.filter.sku ?? ''} /></div>
        <button type="submit">Filter</button>
      </form>
      <p>{`${plan.products} product${plan.products === 1 ? '' : 's'} planned.`}</p>
      {plan.connections.map((c) => (
        <section class="card" data-connection={c.connection}>
          <h2>{c.connection} <span class="muted">{c.connector}</span></h2>
          <p>
            Receives: {c.receives.join(', ') || 'nothing'}.{' '}
            {c.status !== 'ok' ? <span class="bad">{`Connection is ${c.status}${c.statusReason ? `: ${c.statusReason}` : ''}.`}</span> : null}
          </p>
          {c.notes.map((n) => <p class="notice">{n}</p>)}
          {c.writes.length === 0 ? <p class="muted plan-none">No writes: the channel already has what it should.</p> : (
            <table class="plan-writes">
              <thead><tr><th>Operation</th><th>SKUs</th><th>Groups</th><th>Value</th><th>Because</th></tr></thead>
              <tbody>
                {c.writes.slice(0, PLAN_ROWS_SHOWN).map((w) => (
                  <tr data-operation={w.operation}>
                    <td>{w.operation}</td>
                    <td>{w.skus.length > 5 ? `${w.skus.length} SKUs` : w.skus.map((s) => <><SkuLink sku={s} />{' '}</>)}</td>
                    <td>{w.groups.join(', ')}</td>
                    <td><Value v={w.value} /></td>
                    <td>{w.because.join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {c.writes.length > PLAN_ROWS_SHOWN ? <p class="notice">{`${c.writes.length - PLAN_ROWS_SHOWN} more writes not shown: filter by SKU, or run "omnihub plan --json".`}</p> : null}
          <p class="muted">
            {`Unlinked: ${c.unlinked.length}. Open drift: ${c.drift.length}. `}
            <a href={`/console/unlinked?connection=${encodeURIComponent(c.connection)}`}>unlinked</a>{' · '}
            <a href={`/console/drift?connection=${encodeURIComponent(c.connection)}`}>drift</a>
          </p>
        </section>
      ))}
    </>
  );
}
