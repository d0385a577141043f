/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Timeline } from '../../sync/timeline.ts';
import { ACTIVITY_RETENTION_DAYS } from '../../sync/activity.ts';
import { SkuLink, when } from './components.tsx';

const STEP_TEXT: Record<string, string> = { hint: 'hint', job: 'job', call: 'API call', result: 'result', drift: 'drift' };

export function TimelinePage(props: { timeline: Timeline }) {
  const t = props.timeline;
  return (
    <>
      <h1>Timeline: {t.title ?? `${t.kind} ${t.id}`}</h1>
      <p class="muted">Hints received, jobs processed, connector calls and their results, oldest first (kept {ACTIVITY_RETENTION_DAYS} days).</p>
      {!t.found ? <p class="notice warn" id="timeline-unknown">The hub knows no {t.kind} "{t.id}" and recorded nothing about it.</p> : null}
      {t.truncated ? <p class="notice">Only the newest {String(t.events.length)} events are shown.</p> : null}
      {t.found && t.events.length === 0 ? <p class="muted" id="timeline-empty">Nothing recorded yet.</p> : null}
      {t.events.length > 0 ? (
        <table id="timeline">
          <thead><tr><th>Time</th><th>Step</th><th>Connection</th><th>Outcome</th><th>What happened</th><th>Duration</th><th>SKUs</th></tr></thead>
          <tbody>
            {t.events.map((e) => (
              <tr data-step={e.step} data-outcome={e.outcome}>
                <td>{when(e.at)}</td>
                <td class="step">{STEP_TEXT[e.step] ?? e.step}</td>
                <td>{e.connection ?? '—'}</td>
                <td class={`outcome-${e.outcome}`}>{e.outcome}</td>
                <td>{e.summary}</td>
                <td class="num">{e.durationMs === null ? '' : `${e.durationMs} ms`}</td>
                <td>{e.skus.length > 3 ? `${e.skus.length} SKUs` : e.skus.map((s) => <><SkuLink sku={s} />{' '}</>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
