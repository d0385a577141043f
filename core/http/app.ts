import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import type { Logger } from '../log/logger.ts';
import type { HubMetrics } from '../metrics.ts';
import type { QueueSystem } from '../queue/queue-system.ts';
import { LANES } from '../queue/lanes.ts';
import type { HealthReport } from './health.ts';
import { homeRoutes } from './home.tsx';
import type { Database } from '../store/database.ts';
import { hasSession } from '../web/auth/guard.ts';
import { webRoutes, type WebDeps } from '../web/routes.ts';

export interface HttpDeps {
  log: Logger;
  metrics: HubMetrics;
  queues: QueueSystem;
  health(): Promise<HealthReport>;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** Scrubs secrets from texts that leave the process (error details). */
  redact(text: string): string;
  /** The store and the configured connections, for the home page at `/` (served only when given). */
  db?: Database;
  connections?: Array<{ name: string; connector: string }>;
  /** Sign-in, inbox and console (served only when given); customer messages on `/` then need a session. */
  web?: WebDeps;
}

/** The hub's HTTP surface. Later issues mount webhook ingress, the admin API and the console here. */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c) || 'unmatched';
    deps.metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, (performance.now() - started) / 1000);
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.bodyLimit,
      // The rest of the body is not read: the connection cannot carry another request, so the client is told.
      onError: (c) => c.json({ error: `request body larger than ${deps.bodyLimit} bytes` }, 413, { connection: 'close' }),
    }),
  );

  app.get('/healthz', async (c) => {
    const report = await deps.health();
    const checks = Object.fromEntries(
      Object.entries(report.checks).map(([k, v]) => [k, v.ok ? 'ok' : `unavailable: ${deps.redact(v.detail ?? 'unknown error')}`]),
    );
    return c.json({ status: report.ok ? 'ok' : 'unavailable', checks }, report.ok ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    try {
      const counts = await deps.queues.counts();
      for (const lane of LANES) {
        for (const [state, n] of Object.entries(counts[lane])) deps.metrics.queueDepth.set({ lane, state }, n);
      }
    } catch (err) {
      // Queue depths are stale while the queue is unreachable; the rest of the metrics still help diagnose why.
      deps.log.warn({ err: (err as Error).message }, 'metrics: queue depths unavailable');
    }
    return c.body(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType });
  });

  if (deps.web) app.route('/', webRoutes(deps.web));
  if (deps.db) {
    const db = deps.db;
    app.route('/', homeRoutes({ db, connections: deps.connections ?? [], ...(deps.web ? { canReadMessages: (c) => hasSession(db, c) } : {}) }));
  }
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    deps.log.error({ err: err.message, path: c.req.path }, 'unhandled error in HTTP handler');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
