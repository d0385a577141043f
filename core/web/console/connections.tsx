/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { ConnectionStatus, StatusReport } from '../../sync/status-report.ts';
import { CsrfField } from '../csrf-field.tsx';
import { Health, when } from './components.tsx';

/** Per connection health and work, with live cells (data-live) that the event stream keeps current. */
export function ConnectionsTable(props: { connections: ConnectionStatus[]; detailed?: boolean; csrfToken?: string }) {
  if (props.connections.length === 0) return <p class="muted">No connections are configured.</p>;
  return (
    <table id="connections">
      <thead>
        <tr>
          <th>Connection</th><th>Health</th><th>Last hint</th><th>Pending sync requests</th><th>Dead letters</th><th>Drift</th><th>Unlinked</th>
          {props.detailed ? <><th>Owns</th><th>Receives</th></> : null}
        </tr>
      </thead>
      <tbody>
        {props.connections.map((c) => (
          <tr data-connection={c.connection}>
            <td><strong>{c.connection}</strong><br /><span class="muted">{c.connector}</span></td>
            <td>
              <Health health={c.health} reason={c.reason} connection={c.connection} />
              {c.health === 'needs_reauth' && props.csrfToken ? (
                <form method="post" action={`/console/connections/${encodeURIComponent(c.connection)}/reauth`} class="reauth">
                  <CsrfField token={props.csrfToken} />
                  <span class="muted">Fix the credentials in omnihub.yaml, then: </span>
                  <button type="submit">Resume (credentials fixed)</button>
                </form>
              ) : c.health === 'needs_reauth' ? <div class="muted">Fix the credentials, then resume it on the Connections page or run <code>omnihub reauth {c.connection}</code>.</div> : null}
            </td>
            <td data-live={`${c.connection}:lastHint`}>{when(c.lastHintAt)}</td>
            <td data-live={`${c.connection}:pending`}>{`${c.pending.inbound} in / ${c.pending.outbound} out${c.retrying ? ` (${c.retrying} retrying)` : ''}`}</td>
            <td class="num"><a href="/console/dead-letters" data-live={`${c.connection}:deadLetters`}>{String(c.deadLetters)}</a></td>
            <td class="num"><a href={`/console/drift?connection=${encodeURIComponent(c.connection)}`} data-live={`${c.connection}:drift`}>{String(c.drift)}</a></td>
            <td class="num"><a href={`/console/unlinked?connection=${encodeURIComponent(c.connection)}`} data-live={`${c.connection}:unlinked`}>{String(c.unlinked)}</a></td>
            {props.detailed ? <><td>{c.owns.join(', ') || '—'}</td><td>{c.receives.join(', ') || '—'}</td></> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function QueueDepth(props: { queue: StatusReport['queue'] }) {
  const { queue } = props;
  if (!queue.lanes) return <p class="notice bad" data-live="queue:error">{`queue (${queue.backend}) unreachable: ${queue.error ?? 'unknown error'}`}</p>;
  return (
    <table id="queue">
      <thead><tr><th>Lane ({queue.backend})</th><th>Jobs</th></tr></thead>
      <tbody>
        {Object.entries(queue.lanes).map(([lane, n]) => (
          <tr><td>{lane}</td><td data-live={`queue:${lane}`}>{`${n.waiting ?? 0} waiting, ${n.active ?? 0} active, ${n.delayed ?? 0} delayed, ${n.failed ?? 0} failed`}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function Overview(props: { report: StatusReport }) {
  const { report } = props;
  const sum = (f: (c: ConnectionStatus) => number) => report.connections.reduce((s, c) => s + f(c), 0);
  const unhealthy = report.connections.filter((c) => c.health !== 'ok');
  return (
    <>
      <h1>Operator console</h1>
      <p class="muted" id="live-status">live updates starting…</p>
      {unhealthy.length > 0 ? (
        <p class="notice warn" id="attention">Needs attention: {unhealthy.map((c) => `${c.connection} (${c.health})`).join(', ')}</p>
      ) : null}
      <div class="cards">
        <a class="card" href="/console/connections"><div class="n">{String(report.connections.length)}</div>connections</a>
        <a class="card" href="/console/drift"><div class="n" data-live="total:drift">{String(sum((c) => c.drift))}</div>open drift</a>
        <a class="card" href="/console/unlinked"><div class="n" data-live="total:unlinked">{String(sum((c) => c.unlinked))}</div>unlinked items</a>
        <a class="card" href="/console/dead-letters"><div class="n" data-live="total:deadLetters">{String(sum((c) => c.deadLetters) + report.otherDeadLetters)}</div>dead letters</a>
        <a class="card" href="/console/plan"><div class="n" data-live="total:pending">{String(sum((c) => c.pending.inbound + c.pending.outbound))}</div>pending sync requests</a>
      </div>
      <h2>Connections</h2>
      <ConnectionsTable connections={report.connections} />
      <h2>Queue depth</h2>
      <QueueDepth queue={report.queue} />
    </>
  );
}
