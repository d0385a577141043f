import { Hono } from 'hono';
import { requireUser, type WebEnv } from './auth/guard.ts';
import { authRoutes } from './auth/routes.tsx';
import { consoleRoutes } from './console/routes.tsx';
import type { WebDeps } from './deps.ts';
import { inboxRoutes } from './inbox/routes.tsx';
import { usersRoutes } from './users/routes.tsx';

export type { WebDeps } from './deps.ts';

/**
 * The web pages: sign-in, the inbox (every signed-in user), user management and the console (admins). Mounted at
 * `/` before anything else under /api, /inbox and /console, whose guards here then cover every route below those
 * paths, whoever defines it. /healthz, /metrics and /webhooks stay public.
 */
export function webRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.route('/', authRoutes(deps));

  app.use('/inbox', requireUser(deps));
  app.use('/inbox/*', requireUser(deps));
  app.use('/api/*', requireUser(deps));
  app.use('/console', requireUser(deps, 'admin'));
  app.use('/console/*', requireUser(deps, 'admin'));

  app.route('/inbox', inboxRoutes(deps));
  app.route('/console/users', usersRoutes(deps));
  app.route('/console', consoleRoutes(deps));
  return app;
}
