/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { Layout, renderPage } from '../layout.tsx';
import type { WebUser } from '../auth/guard.ts';
import { LIVE_SCRIPT } from './live.ts';

/** Console-only styles, added after the shared stylesheet. */
const CONSOLE_STYLE = `
.health{font-weight:600}.health-ok{color:var(--ok)}.health-degraded{color:var(--warn)}.health-needs_reauth,.health-paused{color:var(--bad)}
.cards{display:flex;gap:.75rem;flex-wrap:wrap}.cards .card{min-width:12rem}.cards .n{font-size:1.6rem;font-weight:700}
code.v{white-space:pre-wrap;word-break:break-word;font-size:12px}.step{font-size:12px;text-transform:uppercase;letter-spacing:.03em}
form.filters{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap;margin-bottom:.75rem}form.filters label{margin:0 0 .1rem}
td.num{text-align:right}.outcome-ok{color:var(--ok)}.outcome-retryable,.outcome-partial{color:var(--warn)}
.outcome-business,.outcome-auth,.outcome-failed,.outcome-not_found{color:var(--bad)}
`;

export interface PageProps {
  title: string;
  user: WebUser;
  csrfToken: string;
  active: string;
  /** Subscribes the page to /console/events: elements with data-live attributes follow the hub's state. */
  live?: boolean;
  children?: Child;
}

export function consolePage(props: PageProps): string {
  return renderPage(
    <Layout
      title={props.title}
      user={props.user}
      csrfToken={props.csrfToken}
      active={props.active}
      head={
        <>
          <style>{CONSOLE_STYLE}</style>
          {/* A constant script (no data from the hub or channels), so it can be inlined as is. */}
          {props.live ? <script dangerouslySetInnerHTML={{ __html: LIVE_SCRIPT }} /> : null}
        </>
      }
    >
      {props.children}
    </Layout>,
  );
}

export const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '—');

/** A value from the store or a channel, shown as JSON text (escaped by hono/jsx like every child). */
export function Value(props: { v: unknown }) {
  const text = props.v === undefined ? '—' : typeof props.v === 'string' ? JSON.stringify(props.v) : JSON.stringify(props.v, null, 1);
  return <code class="v">{text}</code>;
}

export function Health(props: { health: string; reason: string | null; connection?: string }) {
  const live = props.connection ? `${props.connection}:health` : undefined;
  return (
    <span>
      <span class={`health health-${props.health}`} data-live={live} data-health={props.health}>{props.health}</span>
      {' '}
      <span class="muted" data-live={props.connection ? `${props.connection}:reason` : undefined}>{props.reason ?? ''}</span>
    </span>
  );
}

export const timelineHref = (kind: 'sku' | 'order' | 'conversation', id: string) => `/console/timeline/${kind}/${encodeURIComponent(id)}`;

export function SkuLink(props: { sku: string | null | undefined }) {
  return props.sku ? <a class="sku" href={timelineHref('sku', props.sku)}>{props.sku}</a> : <span class="muted">—</span>;
}

export function Notice(props: { notice?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {props.notice ? <p class="notice" id="notice" role="status">{props.notice}</p> : null}
      {props.error ? <p class="notice bad" id="error" role="alert">{props.error}</p> : null}
    </>
  );
}
