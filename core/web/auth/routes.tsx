/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Database } from '../../store/database.ts';
import { loginPage } from '../pages.tsx';
import { presentedCsrf } from './guard.ts';
import { login } from './login.ts';
import { endSession, readSession, SESSION_COOKIE, SESSION_MAX_MS } from './sessions.ts';

/** Before sign-in there is no session to hold a CSRF secret: the form's token is also set as a cookie (double submit). */
const LOGIN_CSRF_COOKIE = 'omnihub_login_csrf';

/** Only same-site paths: `next=https://evil.example` or `//evil.example` would make the sign-in an open redirect. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/inbox';
}

/** The peer's address (the hub does not trust X-Forwarded-For: a client could set it to dodge the rate limit). */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function authRoutes(deps: { db: Database; secureCookies: boolean }): Hono {
  const app = new Hono();
  const cookieBase = { httpOnly: true, sameSite: 'Strict' as const, secure: deps.secureCookies, path: '/' };

  const showLogin = (c: Context, status: 200 | 401 | 403 | 429, props: { next: string; email?: string; error?: string; notice?: string }) => {
    const csrf = randomBytes(24).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, { ...cookieBase, maxAge: 3600 });
    c.header('cache-control', 'no-store');
    return c.html(loginPage({ ...props, csrf }), status);
  };

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (await readSession(deps.db, getCookie(c, SESSION_COOKIE))) return c.redirect(next, 303);
    return showLogin(c, 200, { next, ...(c.req.query('signed_out') ? { notice: 'You are signed out.' } : {}) });
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(body['next']);
    const email = typeof body['email'] === 'string' ? body['email'] : '';
    const password = typeof body['password'] === 'string' ? body['password'] : '';
    const expected = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    const presented = (await presentedCsrf(c)) ?? '';
    if (!expected || expected.length !== presented.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(presented))) {
      return showLogin(c, 403, { next, email, error: 'The sign-in form expired. Please sign in again.' });
    }
    const result = await login(deps.db, { email, password, ip: clientIp(c), ...(c.req.header('user-agent') ? { userAgent: c.req.header('user-agent')! } : {}) });
    if (!result.ok) return showLogin(c, result.status, { next, email, error: result.message });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/' });
    setCookie(c, SESSION_COOKIE, result.token, { ...cookieBase, maxAge: SESSION_MAX_MS / 1000 });
    return c.redirect(next, 303);
  });

  // Sign-out is a POST with the session's CSRF token (a link or image elsewhere must not sign anyone out).
  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = await readSession(deps.db, token);
    if (session) {
      const presented = (await presentedCsrf(c)) ?? '';
      if (presented !== session.csrfToken) return c.json({ error: 'missing or wrong CSRF token: reload the page and try again' }, 403);
      await endSession(deps.db, token);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login?signed_out=1', 303);
  });

  return app;
}
