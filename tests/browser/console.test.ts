import { Hono } from 'hono';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import odoo from '../../connectors/odoo/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import { buildXml } from '../../connectors/prestashop/xml.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { createLogger } from '../../core/log/logger.ts';
import { addUser } from '../../core/web/auth/users.ts';
import { webRoutes } from '../../core/web/routes.ts';
import { demoCatalogue, odooSeed, prestashopSeed } from '../../sandbox/demo/seed.ts';
import { prestashopView } from '../../sandbox/demo/scenario.ts';
import { startSandbox, type Sandbox } from '../../sandbox/registry.ts';
import { launchBrowser, signIn, type TestBrowser } from '../support/browser.ts';
import { type EngineHarness, serveApp, startEngine } from '../support/engine-harness.ts';
import { until } from '../support/until.ts';

/**
 * The operator console in Chromium against a real engine and the Odoo and PrestaShop simulators: the ERP owns
 * everything, PrestaShop receives and only reports drift (so the drift stays on screen). Every claim on a page is
 * something the hub did to the simulators.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- simulator state documents

const CATALOGUE = demoCatalogue().slice(0, 2);
const SKUS = CATALOGUE.flatMap((p) => p.variants.map((v) => v.sku));
const DRIFTED = 'KUB-001';
const ADMIN = { email: 'ops@example.com', password: 'console admin pass' };
const AGENT = { email: 'agent@example.com', password: 'inbox agent pass' };
const PAGES = ['/console', '/console/connections', '/console/drift', '/console/unlinked', '/console/dead-letters', '/console/plan', `/console/timeline/sku/${DRIFTED}`];

const json = async (res: Response): Promise<Json> => {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
};
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);

describe('operator console in a browser (real engine, simulators, Chromium)', () => {
  let sandbox: Sandbox;
  let hub: EngineHarness;
  let web: { url: string; close(): Promise<void> };
  let browser: TestBrowser;
  let page: Page;
  let urls: { prestashop: string; odoo: string };

  const psProduct = async (sku: string) => ((await fetch(`${urls.prestashop}/__sandbox/state`).then(json)).resources.products ?? []).find((p: Json) => p.fields.reference === sku);

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: 'free', seed: 'none' });
    urls = { prestashop: sandbox.endpoints.prestashop.url, odoo: sandbox.endpoints.odoo.url };
    for (const [url, doc] of [[urls.odoo, odooSeed(CATALOGUE)], [urls.prestashop, prestashopSeed()]] as const) {
      await post(`${url}/__sandbox/reset`, {});
      await post(`${url}/__sandbox/seed`, doc);
    }
    const config = parse(demoYaml(sandbox, { dataDir: '/nonexistent', port: 0, logLevel: 'warn' }));
    config.connections = { erp: config.connections.erp, prestashop: config.connections.prestashop };
    config.defaults.schedules = { poll: '1s', sweep: '15m' };
    config.connections.erp.config.pollOverlapSeconds = 2;
    config.connections.prestashop.onDrift = 'report';
    config.connections.prestashop.config.overlapSeconds = 5;
    hub = await startEngine(stringify(config), [odoo, prestashop]);

    const deps = { db: hub.db, log: createLogger({ level: 'silent', format: 'json' }), secureCookies: false, engine: hub.engine, queues: hub.queues };
    const app = new Hono();
    app.route('/', webRoutes(deps));
    web = await serveApp(app);
    await addUser(hub.db, { ...ADMIN, name: 'Olga Operator', role: 'admin' });
    await addUser(hub.db, { ...AGENT, name: 'Adam Agent', role: 'agent' });

    await until('initial sync', async () => {
      const ps = await prestashopView(urls.prestashop);
      const missing = SKUS.filter((s) => ps.stock.get(s) === undefined);
      return missing.length ? `PrestaShop lacks ${missing.join(', ')}` : true;
    }, 60_000);
    browser = await launchBrowser();
    page = await browser.page();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await hub?.close();
    await sandbox?.close();
  });

  it('an admin sees every connection with its health, kept live over SSE', async () => {
    await signIn(page, web.url, ADMIN.email, ADMIN.password);
    await page.goto(`${web.url}/console`);
    expect(await page.locator('[data-live="erp:health"]').textContent()).toBe('ok');
    expect(await page.locator('[data-live="prestashop:health"]').textContent()).toBe('ok');
    await page.waitForFunction("document.getElementById('live-status')?.textContent?.startsWith('live · updated')");

    // The engine pauses a connection: the open page shows it without a reload.
    await hub.engine.setConnectionState('prestashop', 'needs_reauth', 'PrestaShop refused the webservice key (401)');
    await page.waitForFunction(`document.querySelector('[data-live="prestashop:health"]')?.textContent === 'needs_reauth'`, undefined, { timeout: 20_000 });
    expect(await page.locator('[data-live="prestashop:reason"]').textContent()).toBe('PrestaShop refused the webservice key (401)');
    await hub.engine.setConnectionState('prestashop', 'ok', null);
    await hub.engine.kick('prestashop', 'inbound');
  }, 60_000);

  it('a back-office price edit on PrestaShop shows in the drift report with expected, actual, owner and action', async () => {
    const product = await psProduct(DRIFTED);
    const creds = sandbox.endpoints.prestashop.credentials as Record<string, string>;
    // PrestaShop dates have one-second resolution: the edit must fall after the hub's last write to be polled.
    await new Promise((r) => setTimeout(r, 1100));
    const edit = await fetch(`${urls.prestashop}/api/products/${product.id}`, {
      method: 'PATCH',
      headers: { authorization: `Basic ${Buffer.from(`${creds.key}:`).toString('base64')}`, 'content-type': 'text/xml' },
      body: buildXml('product', product.id, { fields: { price: '40.000000' } }),
    });
    expect(edit.status).toBe(200);
    await until('drift recorded', async () => {
      const { rows } = await hub.db.query("SELECT 1 FROM drift WHERE connection = 'prestashop' AND sku = $1 AND field = 'price' AND resolved_at IS NULL", [DRIFTED]);
      return rows.length ? true : 'no open drift yet';
    }, 30_000);

    await page.goto(`${web.url}/console/drift`);
    const row = page.locator(`#drift-open tr[data-sku="${DRIFTED}"][data-field="price"]`);
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toContain('prestashop');
    expect(cells[3]).toMatch(/^"\d+\.\d\d"$/); // the ERP's price, as PrestaShop should show it
    expect(cells[4]).toBe('"49.20"'); // 40.00 net × 1.23
    expect(cells[5]).toBe('erp');
    expect(cells[6]).toBe('report only (policy: report)');
  });

  it('a SKU link opens its timeline: hint → job → API call → result', async () => {
    await page.goto(`${web.url}/console/drift`);
    await Promise.all([page.waitForURL(`**/console/timeline/sku/${DRIFTED}`), page.locator(`#drift-open tr[data-sku="${DRIFTED}"] a.sku`).first().click()]);
    expect(await page.locator('h1').textContent()).toContain(`SKU ${DRIFTED}`);
    const steps = await page.locator('#timeline tr[data-step]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')));
    for (const step of ['hint', 'job', 'call', 'result', 'drift']) expect(steps, step).toContain(step);
    const text = await page.locator('#timeline').textContent();
    expect(text).toMatch(/catalog\.write\.upsert|prices\.write\.set|stock\.write\.set/);
    expect(text).toContain('drift on price');
  });

  it('a dead letter is listed with its reason and replayed from the page', async () => {
    const product = await psProduct(DRIFTED);
    // PrestaShop refuses product reads (a 400 is a business failure: no retry), so the hint lands in dead letters.
    // Its product reads are filtered listings, which its orders poll shares: the fault stays until the letter exists.
    await post(`${urls.prestashop}/__sandbox/faults`, { kind: 'status', method: 'GET', path: '^/api/products$', status: 400, body: 'bad request' });
    await hub.engine.hint('prestashop', [{ kind: 'product', externalId: String(product.id) }]);
    await hub.engine.kick('prestashop', 'inbound');
    const id = await until('dead letter', async () => {
      const { rows } = await hub.db.query<{ id: string }>("SELECT id FROM dead_letters WHERE replayed_at IS NULL AND job_name = 'request:product' AND data->>'connection' = 'prestashop'");
      return rows[0] ? Number(rows[0].id) : 'none yet';
    }, 30_000);
    await fetch(`${urls.prestashop}/__sandbox/faults`, { method: 'DELETE' });
    // The overview with something to show (drift from the previous test, this dead letter) is the artefact.
    await page.goto(`${web.url}/console`);
    await page.waitForFunction("document.getElementById('live-status')?.textContent?.startsWith('live · updated')");
    expect(Number(await page.locator('[data-live="total:deadLetters"]').textContent())).toBeGreaterThanOrEqual(1);
    await browser.screenshot(page, 'console');

    await page.goto(`${web.url}/console/dead-letters`);
    const row = page.locator(`#dead-letters tr[data-id="${id}"]`);
    expect(await row.textContent()).toContain(DRIFTED);
    await Promise.all([page.waitForURL('**/console/dead-letters?notice=*'), row.locator('button.replay').click()]);
    expect(await page.locator('#notice').textContent()).toBe(`dead letter ${id} replayed as request/prestashop/inbound/product/${product.id}`);
    expect(await page.locator(`#dead-letters tr[data-id="${id}"]`).count()).toBe(0);
    expect(await page.locator(`#dead-letters-replayed tr[data-id="${id}"]`).count()).toBe(1);
    // The replayed request really ran: the read succeeds now and is on the SKU's timeline.
    await until('replayed job processed', async () => {
      const { rows } = await hub.db.query("SELECT 1 FROM activity WHERE connection = 'prestashop' AND step = 'job' AND outcome = 'ok' AND external_id = $1 AND at > (SELECT replayed_at FROM dead_letters WHERE id = $2)", [String(product.id), id]);
      return rows.length ? true : 'not yet';
    }, 30_000);
  }, 90_000);

  it('the plan and unlinked pages render for the admin', async () => {
    await page.goto(`${web.url}/console/plan?connection=prestashop`);
    expect(await page.locator('section[data-connection="prestashop"]').count()).toBe(1);
    expect(await page.locator('section[data-connection="erp"]').count()).toBe(0);
    await page.goto(`${web.url}/console/unlinked`);
    expect(await page.locator('h1').textContent()).toBe('Unlinked items');
  });

  it('an agent gets 403 on every console page, and without a session no console page answers', async () => {
    await page.goto(`${web.url}/console`);
    await Promise.all([page.waitForURL('**/login**'), page.locator('form[action="/logout"] button').click()]);
    await signIn(page, web.url, AGENT.email, AGENT.password);
    for (const path of PAGES) {
      const res = await page.goto(`${web.url}${path}`);
      expect(res?.status(), path).toBe(403);
      expect(await page.locator('#forbidden').count(), path).toBe(1);
    }
    await Promise.all([page.waitForURL('**/login**'), page.locator('form[action="/logout"] button').click()]);
    for (const path of PAGES) {
      await page.goto(`${web.url}${path}`);
      expect(new URL(page.url()).pathname, path).toBe('/login');
      const raw = await fetch(`${web.url}${path}`, { redirect: 'manual' });
      expect(raw.status, path).toBe(303);
    }
    const stream = await fetch(`${web.url}/console/events`, { headers: { accept: 'text/event-stream' } });
    expect(stream.status).toBe(401);
  }, 60_000);
});
