/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { z } from 'zod';
import { listDeadLetters, replayAll, replayDeadLetter, ReplayRefused } from '../../sync/dead-letters.ts';
import { driftReport } from '../../sync/drift-report.ts';
import { buildPlan } from '../../sync/plan.ts';
import { statusReport } from '../../sync/status-report.ts';
import { buildTimeline, timelineKind } from '../../sync/timeline.ts';
import { unlinkedReport } from '../../sync/unlinked-report.ts';
import { requireUser, type WebEnv } from '../auth/guard.ts';
import type { WebDeps } from '../deps.ts';
import { consolePage, Notice } from './components.tsx';
import { ConnectionsTable, Overview, QueueDepth } from './connections.tsx';
import { deadLetterLinks, DeadLettersPage } from './dead-letters.tsx';
import { DriftPage } from './drift.tsx';
import { liveStream } from './live.ts';
import { PlanPage } from './plan.tsx';
import { TimelinePage } from './timeline.tsx';
import { UnlinkedPage } from './unlinked.tsx';

/** Query filters: empty fields of a submitted filter form mean "all". */
const text = z.string().trim().max(200).optional().transform((v) => (v ? v : undefined));
const filters = z.object({ connection: text, sku: text, notice: text, error: text });

/**
 * The operator console, mounted at /console: connections with health (live over SSE), drift, unlinked items,
 * dead letters with replay, the plan, and per-entity timelines. Every route is for admins; every form posts with
 * the session's CSRF token (both checked by requireUser). Everything shown is rendered by hono/jsx, escaped.
 */
export function consoleRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  // Also guarded where mounted; guarding here keeps the console closed wherever it is mounted.
  app.use('*', requireUser(deps, 'admin'));
  const connections = () => deps.engine.connections;
  const names = () => connections().map((c) => c.name);
  const query = (q: Record<string, string>) => {
    const parsed = filters.safeParse(q);
    return parsed.success ? parsed.data : { connection: undefined, sku: undefined, notice: undefined, error: 'unreadable filter: ignored' };
  };
  const page = (c: { get(k: 'user'): WebEnv['Variables']['user']; get(k: 'csrfToken'): string }, title: string, active: string, body: unknown, live = false) =>
    consolePage({ title, user: c.get('user'), csrfToken: c.get('csrfToken'), active, live, children: body as never });

  app.get('/', async (c) => {
    const report = await statusReport(deps.db, connections(), deps.queues);
    return c.html(page(c, 'Console', 'console', <Overview report={report} />, true));
  });

  app.get('/connections', async (c) => {
    const f = query(c.req.query());
    const report = await statusReport(deps.db, connections(), deps.queues);
    return c.html(page(c, 'Connections', 'connections', (
      <>
        <h1>Connections</h1>
        <Notice notice={f.notice} error={f.error} />
        <p class="muted" id="live-status">live updates starting…</p>
        <p class="muted">Health: <b>ok</b>; <b>degraded</b> — work is being retried, or the channel answered with rate limits, timeouts or 5xx in the last minutes; <b>needs_reauth</b> — the channel refused the credentials and this connection's work waits.</p>
        <ConnectionsTable connections={report.connections} detailed csrfToken={c.get('csrfToken')} />
        <h2>Queue depth</h2>
        <QueueDepth queue={report.queue} />
      </>
    ), true));
  });

  // The console's `omnihub reauth`: after the credentials were fixed, the connection's paused work resumes.
  app.post('/connections/:name/reauth', async (c) => {
    const name = c.req.param('name');
    const to = (kind: 'notice' | 'error', message: string) => `/console/connections?${kind}=${encodeURIComponent(message)}`;
    if (!deps.engine.connection(name)) return c.redirect(to('error', `no connection "${name}" is configured`), 303);
    const { rows } = await deps.db.query<{ status: string; status_reason: string | null }>('SELECT status, status_reason FROM connection_state WHERE connection = $1', [name]);
    const was = rows[0];
    if (!was || was.status !== 'needs_reauth') return c.redirect(to('error', `${name} is ${was?.status ?? 'ok'}, not needs_reauth: nothing to resume`), 303);
    await deps.engine.setConnectionState(name, 'ok', null);
    await deps.db.query("INSERT INTO audit_log (actor, action, subject_kind, subject_id, details) VALUES ($1, 'connection.reauth', 'connection', $2, $3)", [
      c.get('user').email, name, JSON.stringify({ previous: was.status, reason: was.status_reason }),
    ]);
    await deps.engine.kick(name, 'inbound');
    await deps.engine.kick(name, 'outbound');
    return c.redirect(to('notice', `${name} is ok again (was needs_reauth: ${was.status_reason ?? 'no reason recorded'}); its paused work resumes`), 303);
  });

  app.get('/events', (c) => liveStream(c, { db: deps.db, connections: connections(), queues: deps.queues }));

  app.get('/drift', async (c) => {
    const f = query(c.req.query());
    const rows = await driftReport(deps.db, connections(), f);
    return c.html(page(c, 'Drift', 'drift', <><Notice error={f.error} /><DriftPage rows={rows} connections={names()} filter={f} /></>));
  });

  app.get('/unlinked', async (c) => {
    const f = query(c.req.query());
    const items = await unlinkedReport(deps.db, f);
    return c.html(page(c, 'Unlinked', 'unlinked', <><Notice error={f.error} /><UnlinkedPage items={items} connections={names()} connection={f.connection} /></>));
  });

  app.get('/dead-letters', async (c) => {
    const f = query(c.req.query());
    const all = await listDeadLetters(deps.db, { includeReplayed: true });
    const open = all.filter((d) => !d.replayedAt);
    const letters = await Promise.all(open.map(async (d) => ({ ...d, links: await deadLetterLinks(deps.db, d) })));
    const replayed = all.filter((d) => d.replayedAt).slice(-50).reverse();
    return c.html(page(c, 'Dead letters', 'dead-letters', (
      <><Notice notice={f.notice} error={f.error} /><DeadLettersPage letters={letters} replayed={replayed} csrfToken={c.get('csrfToken')} /></>
    )));
  });

  const audit = (actor: string, action: string, subject: string | null, details: unknown) =>
    deps.db.query("INSERT INTO audit_log (actor, action, subject_kind, subject_id, details) VALUES ($1, $2, 'dead_letter', $3, $4)", [actor, action, subject, JSON.stringify(details)]);
  const replayDeps = { db: deps.db, queues: deps.queues, kick: (connection: string, lane: 'inbound' | 'outbound') => deps.engine.kick(connection, lane) };
  const back = (kind: 'notice' | 'error', message: string) => `/console/dead-letters?${kind}=${encodeURIComponent(message)}`;

  app.post('/dead-letters/replay-all', async (c) => {
    const { replayed, refused } = await replayAll(replayDeps);
    const said = `${replayed.length} dead letter${replayed.length === 1 ? '' : 's'} replayed${refused.length ? `; ${refused.length} refused: ${refused.map((r) => r.reason).join('; ')}` : ''}`;
    deps.log.info({ user: c.get('user').email, replayed: replayed.length, refused: refused.length }, 'console: dead letters replayed');
    await audit(c.get('user').email, 'dead_letters.replay_all', null, { replayed: replayed.map((r) => r.id), refused });
    return c.redirect(back(refused.length ? 'error' : 'notice', said), 303);
  });

  app.post('/dead-letters/:id/replay', async (c) => {
    const id = z.coerce.number().int().positive().safeParse(c.req.param('id'));
    if (!id.success) return c.redirect(back('error', `"${c.req.param('id')}" is not a dead letter id`), 303);
    try {
      const r = await replayDeadLetter(replayDeps, id.data);
      deps.log.info({ user: c.get('user').email, deadLetter: r.id, as: r.replayJobId }, 'console: dead letter replayed');
      await audit(c.get('user').email, 'dead_letter.replay', String(r.id), { as: r.replayJobId });
      return c.redirect(back('notice', `dead letter ${r.id} replayed as ${r.replayJobId}`), 303);
    } catch (err) {
      if (!(err instanceof ReplayRefused)) throw err;
      return c.redirect(back('error', err.message), 303);
    }
  });

  app.get('/plan', async (c) => {
    const f = query(c.req.query());
    const chosen = connections().filter((x) => !f.connection || x.name === f.connection);
    const plan = await buildPlan(deps.db, deps.engine.bindings, chosen, f.sku ? { sku: f.sku } : {});
    return c.html(page(c, 'Plan', 'plan', <><Notice error={f.error} /><PlanPage plan={plan} connections={names()} filter={f} /></>));
  });

  app.get('/timeline/:kind/:id', async (c) => {
    const kind = timelineKind.safeParse(c.req.param('kind'));
    if (!kind.success) return c.html(page(c, 'Timeline', 'console', <Notice error={`No timeline for "${c.req.param('kind')}": use sku, order or conversation.`} />), 404);
    const timeline = await buildTimeline(deps.db, kind.data, c.req.param('id'));
    return c.html(page(c, 'Timeline', 'console', <TimelinePage timeline={timeline} />), timeline.found ? 200 : 404);
  });

  return app;
}
