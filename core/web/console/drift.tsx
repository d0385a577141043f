/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { DriftRow } from '../../sync/drift-report.ts';
import { RESOLVED_DRIFT_HOURS } from '../../sync/drift-report.ts';
import { SkuLink, Value, when } from './components.tsx';

const ACTION_TEXT: Record<DriftRow['action'], string> = {
  overwrite: 'overwrite (the desired value is written back)',
  report: 'report only (policy: report)',
  adopt: 'adopt (the channel\'s value is taken in)',
  overwritten: 'overwritten',
  adopted: 'adopted',
  converged: 'converged (the channel shows the right value again)',
};

export function DriftPage(props: { rows: DriftRow[]; connections: string[]; filter: { connection?: string | undefined; sku?: string | undefined } }) {
  const open = props.rows.filter((r) => r.open);
  const resolved = props.rows.filter((r) => !r.open);
  return (
    <>
      <h1>Drift</h1>
      <p class="muted">What a channel shows that differs from what it should, per SKU and field. Open first; resolved in the last {RESOLVED_DRIFT_HOURS} h below.</p>
      <form class="filters" method="get" action="/console/drift">
        <div><label for="connection">Connection</label>
          <select id="connection" name="connection">
            <option value="">all</option>
            {props.connections.map((n) => <option value={n} selected={props.filter.connection === n}>{n}</option>)}
          </select></div>
        <div><label for="sku">SKU</label><input id="sku" name="sku" value={props.filter.sku ?? ''} /></div>
        <button type="submit">Filter</button>
      </form>
      <h2>Open ({String(open.length)})</h2>
      <DriftTable rows={open} id="drift-open" empty="No open drift: every channel shows what it should." />
      <h2>Recently resolved ({String(resolved.length)})</h2>
      <DriftTable rows={resolved} id="drift-resolved" empty="Nothing resolved recently." />
    </>
  );
}

function DriftTable(props: { rows: DriftRow[]; id: string; empty: string }) {
  if (props.rows.length === 0) return <p class="muted" id={`${props.id}-empty`}>{props.empty}</p>;
  return (
    <table id={props.id}>
      <thead><tr><th>SKU</th><th>Connection</th><th>Field</th><th>Expected</th><th>Actual</th><th>Owner</th><th>Action</th><th>Detected</th></tr></thead>
      <tbody>
        {props.rows.map((r) => (
          <tr data-sku={r.sku ?? ''} data-field={r.field}>
            <td><SkuLink sku={r.sku} /></td>
            <td>{r.connection}<br /><span class="muted">{`${r.kind} ${r.externalId ?? ''}`}</span></td>
            <td>{r.field}<br /><span class="muted">{r.fieldGroup}</span></td>
            <td><Value v={r.expected} /></td>
            <td><Value v={r.actual} /></td>
            <td>{r.owner ?? <span class="muted">nobody</span>}</td>
            <td class="action">{ACTION_TEXT[r.action]}</td>
            <td>{when(r.detectedAt)}{r.resolvedAt ? <><br /><span class="muted">resolved {when(r.resolvedAt)}</span></> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
