import { Hono } from 'hono';
import type { ServerContext } from './context.ts';

/**
 * `GET /web/version` → `{"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}` (no authentication),
 * the documented replacement for `common.version()`; 19.0 also serves it as `/json/version`.
 */
export function versionRoutes(s: ServerContext): Hono {
  const app = new Hono();
  const body = () => ({ version_info: s.versionInfo, version: s.version });
  app.get('/web/version', (c) => c.json(body()));
  if (s.major >= 19) app.get('/json/version', (c) => c.json(body()));
  return app;
}
