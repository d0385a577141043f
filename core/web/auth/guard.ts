import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Database } from '../../store/database.ts';
import { forbiddenPage } from '../pages.tsx';
import { readSession, SESSION_COOKIE } from './sessions.ts';

export type Role = 'admin' | 'agent';
export interface WebUser { id: string; email: string; name: string; role: Role }
export type WebEnv = { Variables: { user: WebUser; csrfToken: string } };

/** A browser navigating to a page (redirect it to sign in), as opposed to a fetch, form post, or event stream. */
export function isPageRequest(c: Context): boolean {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return false;
  if (c.req.path.startsWith('/api/')) return false;
  const accept = c.req.header('accept') ?? '';
  return !/application\/json|text\/event-stream/.test(accept);
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The CSRF token a request presents: the `x-csrf-token` header, or the `_csrf` field of a form body. */
export async function presentedCsrf(c: Context): Promise<string | undefined> {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!/application\/x-www-form-urlencoded|multipart\/form-data/.test(type)) return undefined;
  // Hono caches the parsed body, so the handler can parse it again.
  const body = await c.req.parseBody();
  return typeof body['_csrf'] === 'string' ? body['_csrf'] : undefined;
}

/**
 * Admits only signed-in users (of `role`, when given). Without a session, a page request is redirected to the
 * sign-in page (and comes back afterwards); anything else gets 401. A signed-in user without the role gets 403.
 * Every request that can change something (not GET/HEAD) must present the session's CSRF token.
 */
export function requireUser(deps: { db: Database }, role?: Role): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const session = await readSession(deps.db, getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (isPageRequest(c)) {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      return c.json({ error: 'sign in first: this needs a session' }, 401);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const token = await presentedCsrf(c);
      if (!token || !sameToken(token, session.csrfToken)) {
        return c.json({ error: 'missing or wrong CSRF token: reload the page and try again' }, 403);
      }
    }
    c.set('user', session.user);
    c.set('csrfToken', session.csrfToken);
    if (role && session.user.role !== role) {
      if (isPageRequest(c)) return c.html(forbiddenPage(session.user, session.csrfToken), 403);
      return c.json({ error: `this needs the ${role} role` }, 403);
    }
    // Pages show customer data: never let a shared cache keep them.
    c.header('cache-control', 'no-store');
    await next();
  };
}

/** Whether the request carries a valid session (for public pages that show more to signed-in users). */
export async function hasSession(db: Database, c: Context): Promise<boolean> {
  return (await readSession(db, getCookie(c, SESSION_COOKIE))) !== undefined;
}
