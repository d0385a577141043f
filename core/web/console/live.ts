import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { QueueSystem } from '../../queue/queue-system.ts';
import type { Database } from '../../store/database.ts';
import type { RuntimeConnection } from '../../sync/runtime.ts';
import { statusReport } from '../../sync/status-report.ts';

/** How often the console's event stream looks at the hub's state (it sends only what changed). */
export const LIVE_INTERVAL_MS = 2_000;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** What the console's live elements show, keyed as their data-live attributes: `<connection>:<field>` and `total:<field>`. */
export async function liveValues(db: Database, connections: RuntimeConnection[], queues: QueueSystem): Promise<Record<string, string>> {
  const report = await statusReport(db, connections, queues);
  const out: Record<string, string> = {};
  const totals = { deadLetters: report.otherDeadLetters, drift: 0, unlinked: 0, pending: 0 };
  for (const c of report.connections) {
    out[`${c.connection}:health`] = c.health;
    out[`${c.connection}:reason`] = c.reason ?? '';
    out[`${c.connection}:lastHint`] = c.lastHintAt ? c.lastHintAt.replace('T', ' ').slice(0, 19) : '—';
    out[`${c.connection}:pending`] = `${c.pending.inbound} in / ${c.pending.outbound} out${c.retrying ? ` (${c.retrying} retrying)` : ''}`;
    out[`${c.connection}:deadLetters`] = String(c.deadLetters);
    out[`${c.connection}:drift`] = String(c.drift);
    out[`${c.connection}:unlinked`] = String(c.unlinked);
    totals.deadLetters += c.deadLetters;
    totals.drift += c.drift;
    totals.unlinked += c.unlinked;
    totals.pending += c.pending.inbound + c.pending.outbound;
  }
  for (const [k, v] of Object.entries(totals)) out[`total:${k}`] = String(v);
  if (report.queue.lanes) {
    for (const [lane, n] of Object.entries(report.queue.lanes)) out[`queue:${lane}`] = `${n.waiting ?? 0} waiting, ${n.active ?? 0} active, ${n.delayed ?? 0} delayed, ${n.failed ?? 0} failed`;
  } else out['queue:error'] = `queue unreachable: ${report.queue.error ?? 'unknown error'}`;
  return out;
}

/**
 * The console's server-sent events: a `state` event with every live value when the stream opens, then one with
 * only the values that changed, every LIVE_INTERVAL_MS. Ends when the browser goes away.
 */
export function liveStream(c: Context, deps: { db: Database; connections: RuntimeConnection[]; queues: QueueSystem }) {
  return streamSSE(c, async (stream) => {
    let last: Record<string, string> = {};
    let quietSince = Date.now();
    let id = 0;
    while (!stream.aborted && !stream.closed) {
      try {
        const now = await liveValues(deps.db, deps.connections, deps.queues);
        const changed = Object.fromEntries(Object.entries(now).filter(([k, v]) => last[k] !== v));
        last = now;
        if (Object.keys(changed).length > 0) {
          await stream.writeSSE({ event: 'state', data: JSON.stringify(changed), id: String(++id) });
          quietSince = Date.now();
        } else if (Date.now() - quietSince > KEEPALIVE_MS) {
          await stream.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
      } catch (err) {
        // The database restarting must not kill the page: say so and keep trying.
        await stream.writeSSE({ event: 'problem', data: JSON.stringify({ message: `live updates paused: ${(err as Error).message}` }) }).catch(() => undefined);
      }
      await stream.sleep(LIVE_INTERVAL_MS);
    }
  });
}

/**
 * The browser half: applies each `state` event to the elements whose data-live key it names. Values are set as
 * text (never HTML), so nothing from a channel can become markup.
 */
export const LIVE_SCRIPT = `
document.addEventListener('DOMContentLoaded', function () {
  var source = new EventSource('/console/events');
  var status = document.getElementById('live-status');
  source.addEventListener('state', function (e) {
    var values = JSON.parse(e.data);
    Object.keys(values).forEach(function (key) {
      document.querySelectorAll('[data-live="' + CSS.escape(key) + '"]').forEach(function (el) {
        el.textContent = values[key];
        if (el.hasAttribute('data-health')) { el.setAttribute('data-health', values[key]); el.className = 'health health-' + values[key]; }
      });
    });
    if (status) status.textContent = 'live · updated ' + new Date().toLocaleTimeString();
  });
  source.addEventListener('problem', function (e) { if (status) status.textContent = JSON.parse(e.data).message; });
  source.onerror = function () { if (status) status.textContent = 'live updates reconnecting…'; };
});
`;
