import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../core/web/auth/users.ts';
import { createSession, SESSION_COOKIE } from '../../core/web/auth/sessions.ts';
import { messengerText } from './support/deliveries.ts';
import { SECRETS, type SecurityHub, startSecurityHub } from './support/hub.ts';

/**
 * Issue #11, authentication: every route the running hub's app registers (`app.routes`, so a route added later is
 * walked too) answers only with a valid session — 401, or 303 to /login for a page — except the documented public
 * ones; an agent's session gets 403 on every admin route (/console…). Public by design: /healthz and /metrics
 * (probes), /webhooks/* (signed by the channel instead), /login and /logout, and the home page `/`, which shows
 * customer messages only to a session.
 */
const PUBLIC = [/^\/healthz$/, /^\/metrics$/, /^\/webhooks\//, /^\/login$/, /^\/logout$/, /^\/$/, /^\/static\//, /^\/favicon/];
const ADMIN = /^\/console(\/|$)/;

let h: SecurityHub;
let agentCookie: string;

beforeAll(async () => {
  h = await startSecurityHub();
  const agent = await addUser(h.hub.store.db, { email: 'agent@shop.example', name: 'Agent', role: 'agent', password: 'correct horse battery staple 42' });
  agentCookie = `${SESSION_COOKIE}=${await createSession(h.hub.store.db, agent.id)}`;
});
afterAll(async () => h?.close());

/** Every concrete route (method, path with its parameters filled in); middleware entries (paths with `*`) are not routes. */
function routes(): Array<{ method: string; path: string; pattern: string }> {
  const seen = new Map<string, { method: string; path: string; pattern: string }>();
  for (const r of h.hub.app!.routes) {
    if (r.path.includes('*')) continue;
    const methods = r.method === 'ALL' ? ['GET', 'POST'] : [r.method];
    const path = r.path.replace(/:connection/g, 'shopify').replace(/:[A-Za-z_]+(\{[^}]*\})?/g, '00000000-0000-0000-0000-000000000001');
    for (const method of methods) seen.set(`${method} ${path}`, { method, path, pattern: r.path });
  }
  return [...seen.values()];
}

const call = (method: string, path: string, headers: Record<string, string> = {}) =>
  h.hub.app!.request(path, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }) });

describe('route authentication walk', () => {
  it('finds the routes to walk (the web console and inbox are mounted)', () => {
    const all = routes();
    expect(all.some((r) => r.path.startsWith('/inbox'))).toBe(true);
    expect(all.some((r) => ADMIN.test(r.path))).toBe(true);
    expect(all.some((r) => r.path === '/login')).toBe(true);
    const open = all.filter((r) => PUBLIC.some((p) => p.test(r.path)));
    console.log(`routes walked: ${all.length} (${open.length} public: ${open.map((r) => `${r.method} ${r.path}`).join(', ')})`);
  });

  it('answers no private route without a session: 401, or 303 to /login for a page', async () => {
    const answered: string[] = [];
    for (const { method, path } of routes().filter((r) => !PUBLIC.some((p) => p.test(r.path)))) {
      for (const accept of ['text/html', 'application/json']) {
        const res = await call(method, path, { accept, 'content-type': 'application/json' });
        const ok = res.status === 401 || (res.status === 303 && (res.headers.get('location') ?? '').startsWith('/login'));
        if (!ok) answered.push(`${method} ${path} (${accept}) → ${res.status}`);
        if (res.status === 303) expect(method, `${path}: only page requests are redirected`).toBe('GET');
      }
    }
    expect(answered).toEqual([]);
  });

  it('answers no private route to a forged, expired-looking or foreign session cookie', async () => {
    const answered: string[] = [];
    for (const cookie of [`${SESSION_COOKIE}=forged`, `${SESSION_COOKIE}=`, `${SESSION_COOKIE}=${'0'.repeat(64)}`, `other=${agentCookie.split('=')[1]}`]) {
      for (const { method, path } of routes().filter((r) => !PUBLIC.some((p) => p.test(r.path)))) {
        const res = await call(method, path, { cookie, accept: 'application/json', 'content-type': 'application/json' });
        if (res.status !== 401) answered.push(`${method} ${path} with ${cookie.slice(0, 30)} → ${res.status}`);
      }
    }
    expect(answered).toEqual([]);
  });

  it('refuses an agent every admin route with 403', async () => {
    const admin = routes().filter((r) => ADMIN.test(r.path));
    expect(admin.length).toBeGreaterThan(0);
    const answered: string[] = [];
    for (const { method, path } of admin) {
      const res = await call(method, path, { cookie: agentCookie, accept: 'text/html' });
      if (res.status !== 403) answered.push(`${method} ${path} → ${res.status}`);
    }
    expect(answered).toEqual([]);
  });

  it('lets the agent into the inbox (the walk is not refusing everyone)', async () => {
    const res = await call('GET', '/inbox', { cookie: agentCookie, accept: 'text/html' });
    expect(res.status).toBe(200);
  });

  it('keeps the public routes public, and the home page shows customer messages only to a session', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/metrics')).status).toBe(200);
    expect((await call('GET', '/login')).status).toBe(200);
    const d = messengerText(SECRETS.messengerApp, 'm_route_walk', 'private words from a customer');
    expect((await h.hub.app!.request('/webhooks/messenger', { method: 'POST', headers: d.headers, body: d.body })).status).toBe(200);
    await h.settle();
    const anonymous = await (await call('GET', '/')).text();
    expect(anonymous).not.toContain('private words from a customer');
    const signedIn = await (await call('GET', '/', { cookie: agentCookie })).text();
    expect(signedIn).toContain('private words from a customer');
  });
});
