import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../../../tests/support/engine-harness.ts';
import { WebClient } from '../../../tests/support/web-client.ts';
import { createLogger } from '../../log/logger.ts';
import { webRoutes } from '../routes.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';
import { readSession, SESSION_COOKIE } from './sessions.ts';
import { addUser, resetPassword, setDisabled, setRole } from './users.ts';

const ADMIN = { email: 'ada@shop.example', name: 'Ada', role: 'admin' as const, password: 'correct horse battery' };
const AGENT = { email: 'bo@shop.example', name: 'Bo', role: 'agent' as const, password: 'another long secret' };

describe('passwords', () => {
  it('hash with scrypt, a per-user salt and the parameters in the record, and verify only the right password', async () => {
    const a = await hashPassword('s3cret-enough!');
    const b = await hashPassword('s3cret-enough!');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret-enough!', a)).toBe(true);
    expect(await verifyPassword('s3cret-enough?', a)).toBe(false);
    expect(await verifyPassword('s3cret-enough!', 'plain-text')).toBe(false);
    // Weaker parameters (an older hash) still verify, and are flagged for re-hashing at the next sign-in.
    const old = await hashPassword('s3cret-enough!', { N: 2 ** 14, r: 8, p: 1 });
    expect(await verifyPassword('s3cret-enough!', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(a)).toBe(false);
  });
});

describe('sign-in, sessions, CSRF, roles, rate limit', () => {
  let h: EngineHarness;
  let app: Hono;

  beforeAll(async () => {
    h = await startEngine('connections: {}\n', []);
    app = new Hono();
    app.route('/', webRoutes({ db: h.db, log: createLogger({ level: 'silent' }), engine: h.engine, queues: h.queues, secureCookies: true }));
    app.get('/api/ping', (c) => c.json({ ok: true }));
    await addUser(h.db, ADMIN);
    await addUser(h.db, AGENT);
  }, 60_000);
  afterAll(async () => h?.close());

  it('sends a visitor without a session to sign in, then back where they were going', async () => {
    const web = new WebClient(app);
    const page = await web.request('/inbox?status=open');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Finbox%3Fstatus%3Dopen');
    expect((await web.request('/api/ping', { headers: { accept: 'application/json' } })).status).toBe(401);
    expect((await web.request('/console/users')).status).toBe(303);
    expect((await web.request('/inbox', { method: 'POST' })).status).toBe(401);

    const login = await web.request('/login?next=%2Finbox%3Fstatus%3Dopen');
    const res = await web.request('/login', { method: 'POST', form: { email: 'ADA@shop.example', password: ADMIN.password, _csrf: WebClient.csrfOf(await login.text()), next: '/inbox?status=open' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/inbox?status=open');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    expect((await web.request('/inbox')).status).toBe(200);
    // The token is stored hashed: the database does not hold what the cookie carries.
    const token = web.cookie(SESSION_COOKIE)!;
    expect((await h.db.query('SELECT 1 FROM web_sessions WHERE token_hash = $1', [token])).rowCount).toBe(0);
  });

  it('never redirects off-site after sign-in', async () => {
    const web = new WebClient(app, '203.0.113.20');
    const login = await web.request('/login');
    const res = await web.request('/login', { method: 'POST', form: { email: ADMIN.email, password: ADMIN.password, _csrf: WebClient.csrfOf(await login.text()), next: '//evil.example/x' } });
    expect(res.headers.get('location')).toBe('/inbox');
  });

  it('rejects a sign-in form without its CSRF token', async () => {
    const web = new WebClient(app, '203.0.113.21');
    await web.request('/login');
    const res = await web.request('/login', { method: 'POST', form: { email: ADMIN.email, password: ADMIN.password, _csrf: 'forged', next: '/inbox' } });
    expect(res.status).toBe(403);
    expect(web.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('rejects a state-changing request without the session’s CSRF token, and accepts it with the header or field', async () => {
    const web = new WebClient(app, '203.0.113.22');
    expect((await web.signIn(ADMIN.email, ADMIN.password)).status).toBe(303);
    const before = await web.request('/console/users', { method: 'POST', form: { email: 'x@shop.example', name: 'X', role: 'agent', password: 'long enough pw' } });
    expect(before.status).toBe(403);
    expect(await before.text()).toContain('CSRF');
    const wrong = await web.request('/console/users', { method: 'POST', headers: { 'x-csrf-token': 'nope' }, form: { email: 'x@shop.example', name: 'X', role: 'agent', password: 'long enough pw' } });
    expect(wrong.status).toBe(403);
    expect((await h.db.query(`SELECT 1 FROM web_users WHERE email = 'x@shop.example'`)).rowCount).toBe(0);
    const ok = await web.post('/console/users', { email: 'x@shop.example', name: 'X', role: 'agent', password: 'long enough pw' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Added x@shop.example (agent).');
  });

  it('gives an agent 403 on admin pages, and shows them no console links', async () => {
    const web = new WebClient(app, '203.0.113.23');
    await web.signIn(AGENT.email, AGENT.password);
    const inbox = await (await web.request('/inbox')).text();
    expect(inbox).not.toContain('href="/console');
    const res = await web.request('/console/users');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This page is for admins');
    expect((await web.request('/console/connections')).status).toBe(403);
    expect((await web.post(`/console/users`, { email: 'y@shop.example', name: 'Y', role: 'admin', password: 'long enough pw' })).status).toBe(403);
  });

  it('ends a session at sign-out, at expiry, and when the user is disabled or their password reset', async () => {
    const web = new WebClient(app, '203.0.113.24');
    await web.signIn(AGENT.email, AGENT.password);
    const token = web.cookie(SESSION_COOKIE)!;
    expect(await readSession(h.db, token)).toBeDefined();
    await h.db.query(`UPDATE web_sessions SET expires_at = now() - interval '1 second'`);
    expect(await readSession(h.db, token)).toBeUndefined();
    expect((await web.request('/inbox')).status).toBe(303);

    await web.signIn(AGENT.email, AGENT.password);
    expect((await web.request('/inbox')).status).toBe(200);
    expect((await web.post('/logout')).status).toBe(303);
    expect((await web.request('/inbox')).status).toBe(303);

    await web.signIn(AGENT.email, AGENT.password);
    await setDisabled(h.db, AGENT.email, true);
    expect((await web.request('/inbox')).status).toBe(303);
    expect((await web.signIn(AGENT.email, AGENT.password)).status).toBe(401);
    await setDisabled(h.db, AGENT.email, false);
    await web.signIn(AGENT.email, AGENT.password);
    await resetPassword(h.db, AGENT.email, 'a brand new secret');
    expect((await web.request('/inbox')).status).toBe(303);
    expect((await web.signIn(AGENT.email, 'a brand new secret')).status).toBe(303);
  });

  it('refuses to remove the last admin', async () => {
    await expect(setRole(h.db, ADMIN.email, 'agent')).rejects.toThrow('last enabled admin');
    await expect(setDisabled(h.db, ADMIN.email, true)).rejects.toThrow('last enabled admin');
  });

  it('answers 429 after 5 failed sign-ins for one account within 15 minutes, even with the right password', async () => {
    await addUser(h.db, { email: 'cy@shop.example', name: 'Cy', role: 'agent', password: 'cy password 123' });
    const web = new WebClient(app, '203.0.113.30');
    for (let i = 0; i < 5; i++) expect((await web.signIn('cy@shop.example', `wrong ${i} password`)).status).toBe(401);
    const blocked = await web.signIn('cy@shop.example', 'cy password 123');
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Too many failed sign-in attempts. Wait 15 minutes');
    // From another address too: the limit is per account.
    expect((await new WebClient(app, '198.51.100.1').signIn('cy@shop.example', 'cy password 123')).status).toBe(429);
    // Once the window has passed, the right password works again.
    await h.db.query(`UPDATE web_login_attempts SET at = at - interval '16 minutes' WHERE email = 'cy@shop.example'`);
    expect((await web.signIn('cy@shop.example', 'cy password 123')).status).toBe(303);
  });

  it('answers 429 to an address that fails 20 times across accounts', async () => {
    const web = new WebClient(app, '198.51.100.99');
    // 19 failures recorded directly (each real one costs a scrypt), the 20th through the form.
    await h.db.query(`INSERT INTO web_login_attempts (email, ip, succeeded) SELECT 'nobody' || i || '@shop.example', '198.51.100.99', false FROM generate_series(1, 19) i`);
    expect((await web.signIn('nobody20@shop.example', 'whatever it is')).status).toBe(401);
    expect((await web.signIn(ADMIN.email, ADMIN.password)).status).toBe(429);
  });
});
