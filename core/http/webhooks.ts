import { Hono } from 'hono';
import type { Logger } from '../log/logger.ts';
import type { WebhookRequest } from '../sdk/webhooks.ts';
import type { Database } from '../store/database.ts';
import type { Engine } from '../sync/engine.ts';
import { storable, unstorableReason } from './storable.ts';

/**
 * Webhook ingress: `POST|GET /webhooks/:connection`. Verifies the signature over the raw body, deduplicates by the
 * channel's event id and records the hints in one statement, then answers 200. Channel reads happen in workers,
 * so the answer is fast and a slow channel never makes its own webhooks time out.
 */
export function webhookRoutes(deps: { db: Database; engine: Engine; log: Logger }): Hono {
  const app = new Hono();
  app.all('/:connection', async (c) => {
    const name = c.req.param('connection');
    const conn = deps.engine.connection(name);
    const hooks = conn?.def.webhooks;
    if (!conn || !hooks) return c.json({ error: `no webhooks for connection "${name}"` }, 404);
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    const req: WebhookRequest = {
      method: c.req.method,
      headers,
      query: Object.fromEntries(new URL(c.req.url).searchParams),
      rawBody: Buffer.from(await c.req.arrayBuffer()),
    };
    const handshake = hooks.handshake?.(req, conn.ctx.config);
    if (handshake) return c.body(handshake.body, handshake.status as 200);
    if (c.req.method !== 'POST') return c.json({ error: 'webhooks are delivered with POST' }, 405);

    const verified = hooks.verify(req, conn.ctx.config, conn.ctx.now());
    if (!verified.ok) {
      deps.log.warn({ connection: name, reason: verified.reason }, 'webhook rejected');
      return c.json({ error: `signature rejected: ${verified.reason}` }, 401);
    }
    let parsed: ReturnType<typeof hooks.parse>;
    try {
      parsed = storable(hooks.parse(req, conn.ctx.config));
      const unstorable = unstorableReason(parsed);
      if (unstorable) throw new Error(unstorable);
    } catch (err) {
      deps.log.warn({ connection: name, reason: (err as Error).message }, 'webhook body not understood');
      return c.json({ error: `body not understood: ${(err as Error).message}` }, 400);
    }
    if (!(await deps.engine.intake(name, parsed.eventId, parsed.hints))) return c.json({ ok: true, duplicate: true });
    return c.json({ ok: true, hints: parsed.hints.length });
  });
  return app;
}
