import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { FaultPlan, faultMiddleware, faultRuleSchema } from './faults.ts';

/**
 * What every channel simulator offers besides its channel's own API: seeding and inspecting state, and fault
 * injection, under `/__sandbox/` (never faulted, never rate-limited, no channel auth).
 *
 * - `POST /__sandbox/seed`    body: the simulator's seed document (validated by its own schema) → 200 `{ ok: true }`
 * - `GET  /__sandbox/state`   → the simulator's whole state as JSON
 * - `POST /__sandbox/reset`   → empties the state and clears faults
 * - `POST /__sandbox/faults`  body: a FaultRule → `{ id }`;  `GET` lists them;  `DELETE` clears them
 * - `GET  /__sandbox/requests` → every API request received (method, path, status), oldest first; `DELETE` clears
 *   the log. Tests use it to prove what a connector wrote — and that `plan` wrote nothing.
 */
export interface SimulatorParts {
  /** Short channel name, e.g. `shopify`. */
  name: string;
  /** Routes of the channel's real API, mounted after the fault middleware. */
  api: Hono;
  seed(doc: unknown): void | Promise<void>;
  state(): unknown;
  reset(): void;
  /** Extra admin routes (e.g. `POST /__sandbox/webhooks/trigger`), mounted under `/__sandbox`. */
  admin?: Hono;
}

export interface Simulator {
  name: string;
  app: Hono;
  faults: FaultPlan;
  /** API requests received, oldest first (admin requests excluded). */
  requests: Array<{ method: string; path: string; status: number }>;
}

/** Bounded, so a long benchmark run cannot grow memory without end. */
const MAX_LOGGED_REQUESTS = 100_000;

export function buildSimulator(parts: SimulatorParts): Simulator {
  const faults = new FaultPlan();
  const requests: Simulator['requests'] = [];
  const app = new Hono();
  const admin = new Hono();
  admin.post('/seed', async (c) => {
    try {
      await parts.seed(await c.req.json());
      return c.json({ ok: true });
    } catch (err) {
      return c.json({ ok: false, error: (err as Error).message }, 400);
    }
  });
  admin.get('/state', (c) => c.json(parts.state() as object));
  admin.post('/reset', (c) => {
    parts.reset();
    faults.clear();
    return c.json({ ok: true });
  });
  admin.get('/faults', (c) => c.json(faults.list()));
  admin.post('/faults', async (c) => {
    const parsed = faultRuleSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ ok: false, error: parsed.error.issues }, 400);
    return c.json({ id: faults.add(parsed.data) });
  });
  admin.delete('/faults', (c) => {
    faults.clear();
    return c.json({ ok: true });
  });
  admin.get('/requests', (c) => c.json(requests));
  admin.delete('/requests', (c) => {
    requests.length = 0;
    return c.json({ ok: true });
  });
  if (parts.admin) admin.route('/', parts.admin);
  app.route('/__sandbox', admin);
  app.use('*', async (c, next) => {
    await next();
    if (c.req.path.startsWith('/__sandbox')) return;
    if (requests.length >= MAX_LOGGED_REQUESTS) requests.shift();
    requests.push({ method: c.req.method, path: c.req.path, status: c.res.status });
  });
  app.use('*', faultMiddleware(faults));
  app.route('/', parts.api);
  return { name: parts.name, app, faults, requests };
}

export interface RunningSimulator {
  name: string;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0 = a free one) and returns the base URL. */
export function listen(sim: Simulator, port = 0): Promise<RunningSimulator> {
  return new Promise((resolvePromise, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: sim.app.fetch, hostname: '127.0.0.1', port }, (info: AddressInfo) => {
        resolvePromise({
          name: sim.name,
          url: `http://127.0.0.1:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
              server.close(() => done());
            }),
        });
      });
      server.on('error', reject);
    } catch (err) {
      reject(err);
    }
  });
}
