import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../../tests/fixtures/testchannel/index.ts';
import { createTestChannel, type TestChannel } from '../../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../../tests/support/engine-harness.ts';
import { createLogger } from '../../log/logger.ts';
import { addUser } from '../auth/users.ts';
import { createSession, readSession, SESSION_COOKIE } from '../auth/sessions.ts';
import { consoleRoutes } from './routes.tsx';

/**
 * The console's routes in-process on a real engine and database (the browser test drives the same pages through
 * Chromium): admin-only, CSRF on replay, every page rendering what the read models say, escaped.
 */
describe('console routes', () => {
  const channels: Record<'erp' | 'shop', TestChannel> = { erp: createTestChannel(), shop: createTestChannel() };
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;
  let app: ReturnType<typeof consoleRoutes>;
  const auth: Record<'admin' | 'agent', { cookie: string; csrf: string }> = { admin: { cookie: '', csrf: '' }, agent: { cookie: '', csrf: '' } };

  const get = (path: string, who?: 'admin' | 'agent', accept = 'text/html') =>
    app.request(path, { headers: { accept, ...(who ? { cookie: auth[who].cookie } : {}) } });
  const post = (path: string, who: 'admin' | 'agent', csrf: string | undefined) =>
    app.request(path, { method: 'POST', headers: { cookie: auth[who].cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: csrf ? `_csrf=${encodeURIComponent(csrf)}` : '' });

  beforeAll(async () => {
    const urls: Record<string, string> = {};
    for (const [name, ch] of Object.entries(channels)) {
      const s = await serveApp(ch.app);
      servers.push(s);
      urls[name] = s.url;
    }
    h = await startEngine(
      `
connections:
  erp: { connector: testchannel, config: { url: "${urls.erp}", webhookSecret: e } }
  shop: { connector: testchannel, config: { url: "${urls.shop}", webhookSecret: s }, onDrift: report }
ownership: { price: erp, stock: erp, content: erp }
`,
      [testchannel],
    );
    channels.erp.addProduct({ id: 'ep1', title: 'Mug', variants: [{ id: 'ev1', sku: 'MUG-1', gross: '10.00', stock: 4 }] });
    channels.shop.addProduct({ id: 'sp1', title: 'Mug', variants: [{ id: 'sv1', sku: 'MUG-1', gross: '10.00', stock: 4 }, { id: 'sv2', sku: '<script>alert(1)</script>', gross: '1', stock: 0 }] });
    await h.engine.sweep('erp');
    await h.engine.sweep('shop');
    await h.settle();
    app = consoleRoutes({ db: h.db, log: createLogger({ level: 'silent' }), secureCookies: false, engine: h.engine, queues: h.queues });
    for (const role of ['admin', 'agent'] as const) {
      const user = await addUser(h.db, { email: `${role}@example.com`, name: `The ${role}`, role, password: 'correct horse battery' });
      const token = await createSession(h.db, user.id);
      auth[role] = { cookie: `${SESSION_COOKIE}=${token}`, csrf: (await readSession(h.db, token))!.csrfToken };
    }
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  const PAGES = ['/', '/connections', '/drift', '/unlinked', '/dead-letters', '/plan', '/timeline/sku/MUG-1'];

  it('every page is for admins: no session → sign-in (or 401), an agent → 403', async () => {
    for (const path of PAGES) {
      const anonymous = await get(path);
      expect(anonymous.status, path).toBe(303);
      expect(anonymous.headers.get('location'), path).toMatch(/^\/login\?next=/);
      expect((await get(path, undefined, 'application/json')).status, path).toBe(401);
      expect((await get(path, 'agent')).status, path).toBe(403);
      expect((await get(path, 'admin')).status, path).toBe(200);
    }
    expect((await get('/events', undefined, 'text/event-stream')).status).toBe(401);
    expect((await get('/events', 'agent', 'text/event-stream')).status).toBe(403);
    expect((await post('/dead-letters/replay-all', 'agent', auth.agent.csrf)).status).toBe(403);
  });

  it('connections show health; a channel item named <script> is shown as text everywhere', async () => {
    await h.engine.setConnectionState('shop', 'needs_reauth', 'token revoked <b>by the shop</b>');
    const html = await (await get('/connections', 'admin')).text();
    expect(html).toContain('data-health="needs_reauth"');
    expect(html).toContain('token revoked &lt;b&gt;by the shop&lt;/b&gt;');
    expect(html).toMatch(/data-live="erp:health" data-health="ok"/);
    await h.engine.setConnectionState('shop', 'ok', null);

    const unlinked = await (await get('/unlinked', 'admin')).text();
    expect(unlinked).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(unlinked).not.toContain('<script>alert(1)');
    expect(unlinked).toContain('/console/timeline/sku/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  });

  it('drift lists expected, actual, owner and the action; the plan and a SKU timeline render', async () => {
    channels.shop.products.get('sp1')!.variants[0]!.gross = '99.00';
    await h.engine.hint('shop', [{ kind: 'product', externalId: 'sp1' }]);
    await h.engine.kick('shop', 'inbound');
    await h.settle();
    const drift = await (await get('/drift?sku=MUG-1', 'admin')).text();
    const row = drift.match(/<tr data-sku="MUG-1" data-field="price">[\s\S]*?<\/tr>/)?.[0] ?? '';
    expect(row).toContain('<code class="v">&quot;10.00&quot;</code>');
    expect(row).toContain('<code class="v">&quot;99.00&quot;</code>');
    expect(row).toContain('<td>erp</td>');
    expect(row).toContain('report only');

    const plan = await (await get('/plan?connection=shop', 'admin')).text();
    expect(plan).toContain('data-connection="shop"');
    expect(plan).not.toContain('data-connection="erp"');

    const timeline = await (await get('/timeline/sku/MUG-1', 'admin')).text();
    expect(timeline).toContain('hint: product sp1 may have changed');
    expect(timeline).toContain('drift on price');
    expect((await get('/timeline/sku/NOPE', 'admin')).status).toBe(404);
    expect((await get('/timeline/widget/1', 'admin')).status).toBe(404);
  });

  it('a dead letter is replayed once, only with the CSRF token', async () => {
    await h.db.query(`INSERT INTO dead_letters (queue, job_name, job_id, data, error, attempts)
      VALUES ('inbound', 'request:product', 'shop/sp1', '{"connection":"shop","lane":"inbound","kind":"product","id":"sp1","payload":{"kind":"product","externalId":"sp1"}}', 'channel said <no>', 8)`);
    const list = await (await get('/dead-letters', 'admin')).text();
    const id = list.match(/<tr data-id="(\d+)">/)![1]!;
    expect(list).toContain('channel said &lt;no&gt;');
    expect(list).toContain('href="/console/timeline/sku/MUG-1"');

    expect((await post(`/dead-letters/${id}/replay`, 'admin', undefined)).status).toBe(403);
    expect((await post(`/dead-letters/${id}/replay`, 'admin', 'wrong')).status).toBe(403);
    const ok = await post(`/dead-letters/${id}/replay`, 'admin', auth.admin.csrf);
    expect(ok.status).toBe(303);
    expect(decodeURIComponent(ok.headers.get('location')!)).toBe(`/console/dead-letters?notice=dead letter ${id} replayed as request/shop/inbound/product/sp1`);
    const again = await post(`/dead-letters/${id}/replay`, 'admin', auth.admin.csrf);
    expect(decodeURIComponent(again.headers.get('location')!)).toMatch(/error=dead letter \d+ was already replayed/);
    await h.settle();
  });

  it('a connection paused as needs_reauth is resumed from the connections page, once, and audited', async () => {
    await h.engine.setConnectionState('shop', 'needs_reauth', 'key revoked');
    const html = await (await get('/connections', 'admin')).text();
    expect(html).toContain('action="/console/connections/shop/reauth"');
    expect((await post('/connections/shop/reauth', 'admin', undefined)).status).toBe(403);
    const res = await post('/connections/shop/reauth', 'admin', auth.admin.csrf);
    expect(decodeURIComponent(res.headers.get('location')!)).toBe('/console/connections?notice=shop is ok again (was needs_reauth: key revoked); its paused work resumes');
    expect((await h.db.query("SELECT status FROM connection_state WHERE connection = 'shop'")).rows).toEqual([{ status: 'ok' }]);
    expect((await h.db.query("SELECT actor, subject_id FROM audit_log WHERE action = 'connection.reauth'")).rows).toEqual([{ actor: 'admin@example.com', subject_id: 'shop' }]);
    const again = await post('/connections/shop/reauth', 'admin', auth.admin.csrf);
    expect(decodeURIComponent(again.headers.get('location')!)).toBe('/console/connections?error=shop is ok, not needs_reauth: nothing to resume');
    expect((await post('/connections/nope/reauth', 'admin', auth.admin.csrf)).headers.get('location')).toContain('error=');
  });

  it('the event stream sends the live values, then only what changed', async () => {
    const res = await get('/events', 'admin', 'text/event-stream');
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: state\ndata: \{.*"erp:health":"ok".*\}\nid: 1/);
    await h.engine.setConnectionState('erp', 'needs_reauth', 'expired');
    let next = '';
    while (!next.includes('event: state')) next += new TextDecoder().decode((await reader.read()).value);
    const changed = JSON.parse(next.match(/data: (.*)/)![1]!) as Record<string, string>;
    // Only what changed: erp's health and reason, not its unchanged counts nor the other connection's values.
    expect(Object.entries(changed).filter(([k]) => k.startsWith('erp:'))).toEqual([['erp:health', 'needs_reauth'], ['erp:reason', 'expired']]);
    expect(changed).not.toHaveProperty('shop:health');
    await reader.cancel();
    await h.engine.setConnectionState('erp', 'ok', null);
  });
});
