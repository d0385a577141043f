import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import allegro from '../../connectors/allegro/index.ts';
import { VAULT_KEYS } from '../../connectors/allegro/tokens.ts';
import messenger from '../../connectors/messenger/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import { buildXml } from '../../connectors/prestashop/xml.ts';
import whatsapp from '../../connectors/whatsapp/index.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { loadConfig } from '../../core/config/load.ts';
import { memoryResolver } from '../../core/connectors/registry.ts';
import { createLogger } from '../../core/log/logger.ts';
import { type Hub, startHub } from '../../core/runtime.ts';
import { createDatabase } from '../../core/store/database.ts';
import { migrate } from '../../core/store/migrate.ts';
import { databaseVault, vaultKey } from '../../core/sync/vault.ts';
import { addUser } from '../../core/web/auth/users.ts';
import { linkAllegroSeller } from '../../sandbox/demo/allegro-link.ts';
import { DEMO_IDS } from '../../sandbox/demo/seed.ts';
import { type Sandbox, startSandbox } from '../../sandbox/registry.ts';
import { launchBrowser, signIn, type TestBrowser } from '../support/browser.ts';
import { freshDatabase } from '../support/db.ts';
import { tempDir } from '../support/hub-config.ts';
import { until } from '../support/until.ts';

/**
 * The unified inbox in Chromium against a real hub (`startHub`: HTTP server with the web pages, workers, engine)
 * and the channel simulators: a customer writes on Messenger, WhatsApp, Allegro and PrestaShop, an agent reads
 * and answers each from the browser, and every claim about a channel is read back from its simulator.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- simulator state documents

const ADMIN = { email: 'lead@example.com', password: 'inbox admin pass' };
const AGENT = { email: 'agent@example.com', password: 'inbox agent pass' };
const CHANNELS = ['messenger', 'whatsapp', 'allegro', 'prestashop'];
const HOUR = 3_600_000;
const TEMPLATE = { name: 'order_followup', language: 'pl' };
const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">Czy to bezpieczne?';

const json = async (res: Response): Promise<Json> => {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
};
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);

describe('the unified inbox in a browser (real hub, simulators, Chromium)', () => {
  const dataDir = tempDir('inbox-browser');
  let sandbox: Sandbox;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let hub: Hub;
  let browser: TestBrowser;
  let page: Page;
  let meta: string;
  let allegroUrl: string;
  let psUrl: string;
  let base: string;

  const db = () => hub.store.db;
  const conversationId = async (connection: string, thread: string): Promise<string> =>
    (await until(`${connection} conversation ${thread}`, async () => {
      const { rows } = await db().query<{ id: string }>('SELECT id FROM conversations WHERE connection = $1 AND external_thread_id = $2', [connection, thread]);
      return rows[0] ?? 'not ingested yet';
    }, 45_000)).id;
  /** WhatsApp threads are keyed by the customer's business-scoped user id, which only the simulator knows: find by text. */
  const conversationWith = async (connection: string, body: string): Promise<string> =>
    (await until(`${connection} conversation with "${body}"`, async () => {
      const { rows } = await db().query<{ id: string }>(
        "SELECT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id WHERE c.connection = $1 AND m.direction = 'in' AND m.body = $2", [connection, body]);
      return rows[0] ?? 'not ingested yet';
    }, 45_000)).id;
  const metaState = () => fetch(`${meta}/__sandbox/state`).then(json);
  const drainMeta = () => post(`${meta}/__sandbox/webhooks/drain`, {});

  /** Opens a conversation from the list, as an agent would: its row's customer link. */
  async function openFromList(id: string): Promise<void> {
    await page.goto(`${base}/inbox`);
    await Promise.all([page.waitForURL(`**/inbox/c/${id}**`), page.locator(`#conversations tr[data-id="${id}"] a.customer`).click()]);
  }

  /** Types a reply and sends it; returns the stored message's id once the page shows it. */
  async function reply(text: string, option?: string): Promise<string> {
    if (option) await page.selectOption('#send-option', option);
    await page.fill('#reply-text', text);
    await Promise.all([page.waitForNavigation(), page.click('#send')]);
    const notice = await page.locator('#notice').count();
    if (notice) throw new Error(`reply refused: ${await page.locator('#notice').textContent()}`);
    const id = await page.locator('#thread .msg.out').last().getAttribute('data-id');
    expect(await page.locator(`#thread .msg.out[data-id="${id}"] .body`).textContent()).toBe(text);
    return id!;
  }

  /** Reloads the conversation until the reply shows `status` (the page reflects what the channel reported). */
  async function statusShown(messageId: string, statuses: string[]): Promise<string> {
    return until(`reply ${messageId} shown as ${statuses.join(' or ')}`, async () => {
      await page.reload();
      const s = await page.locator(`#thread .msg.out[data-id="${messageId}"] .delivery`).getAttribute('data-status');
      if (s === 'failed') throw new Error(`reply failed: ${await page.locator(`#thread .msg.out[data-id="${messageId}"] .delivery`).textContent()}`);
      return s && statuses.includes(s) ? { s } : `shows ${s}`;
    }, 45_000).then((r) => r.s);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'demo', ports: 'free' });
    meta = sandbox.endpoints.meta.url;
    allegroUrl = sandbox.endpoints.allegro.url;
    psUrl = sandbox.endpoints.prestashop.url;
    // One approved template with one parameter: the only way to reach a WhatsApp customer outside the window.
    await post(`${meta}/__sandbox/seed`, {
      wabas: [{ id: DEMO_IDS.wabaId, templates: [{ ...TEMPLATE, components: [{ type: 'BODY', text: 'Dzień dobry {{1}}, mamy nowe informacje o zamówieniu.' }] }] }],
    });

    // The demo's configuration, narrowed to the channels customers write on; nobody owns the catalogue here.
    database = await freshDatabase('browser_inbox');
    const doc = parseDocument(demoYaml(sandbox, { dataDir, port: 0, logLevel: 'error' }));
    for (const name of ['erp', 'shopify', 'facebook']) doc.deleteIn(['connections', name]);
    doc.deleteIn(['ownership']);
    doc.setIn(['defaults', 'schedules', 'poll'], '1s');
    doc.setIn(['database'], { url: database.url });
    const loaded = await loadConfig({ text: String(doc), env: {}, resolver: memoryResolver([allegro, messenger, prestashop, whatsapp]) });
    if (!loaded.ok) throw new Error(`inbox test config invalid: ${JSON.stringify(loaded.problems)}`);

    // The seller links Allegro before the first poll (as the demo does); the users exist before anyone signs in.
    const c = sandbox.endpoints.allegro.credentials as Record<string, string>;
    const { refreshToken } = await linkAllegroSeller(allegroUrl, c.clientId!, c.clientSecret!);
    const setup = createDatabase(database.url);
    try {
      await migrate(setup);
      await databaseVault(setup, 'allegro', vaultKey(dataDir), () => undefined).set(VAULT_KEYS.refreshToken, refreshToken);
      await addUser(setup, { ...ADMIN, name: 'Lena Lead', role: 'admin' });
      await addUser(setup, { ...AGENT, name: 'Adam Agent', role: 'agent' });
    } finally {
      await setup.end();
    }

    hub = await startHub(loaded.config, { role: 'all', log: createLogger({ level: 'silent', format: 'json' }) });
    base = hub.url!;
    await post(`${meta}/__sandbox/webhooks/config`, { messengerWebhookUrl: `${base}/webhooks/messenger`, whatsappWebhookUrl: `${base}/webhooks/whatsapp` });
    browser = await launchBrowser();
    page = await browser.page();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await sandbox?.close();
    await database?.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without a session no inbox page answers: pages redirect to sign-in, everything else gets 401', async () => {
    for (const path of ['/inbox', '/inbox/c/00000000-0000-4000-8000-000000000000', '/console', '/console/users']) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe(`/login?next=${encodeURIComponent(path)}`);
      await page.goto(`${base}${path}`);
      expect(new URL(page.url()).pathname, path).toBe('/login');
    }
    expect((await fetch(`${base}/inbox/events`, { headers: { accept: 'text/event-stream' } })).status).toBe(401);
    expect((await fetch(`${base}/inbox/c/00000000-0000-4000-8000-000000000000/reply`, { method: 'POST', body: new URLSearchParams({ text: 'x' }) })).status).toBe(401);
  });

  it('an agent reads and answers a Messenger customer; the reply reaches Messenger and comes back delivered, then read', async () => {
    await signIn(page, base, AGENT.email, AGENT.password);
    const psid = '7100000000000777';
    await post(`${meta}/__sandbox/messenger/inbound`, { pageId: DEMO_IDS.pageId, psid, name: 'Marta Messenger', text: 'Czy wysyłacie do Czech?' });
    await drainMeta();
    const id = await conversationId('messenger', psid);
    await openFromList(id);
    // Messenger's webhooks carry no name (only the page-scoped id), so the customer is shown by that id.
    expect(await page.locator('h1').textContent()).toContain(psid);
    expect(await page.locator('#thread .msg.in .body').allTextContents()).toContain('Czy wysyłacie do Czech?');

    const mid = await reply('Tak, wysyłamy do Czech w 3 dni.');
    expect(await page.locator(`#thread .msg.out[data-id="${mid}"] .delivery`).getAttribute('data-status')).toMatch(/pending|sent|delivered/);
    await until('reply on Messenger', async () => {
      const out = ((await metaState()).messengerMessages as Json[]).filter((m) => m.psid === psid && m.direction === 'out');
      return out.some((m) => m.text === 'Tak, wysyłamy do Czech w 3 dni.') ? true : `${out.length} outbound messages`;
    }, 30_000);
    await drainMeta();
    expect(await statusShown(mid, ['delivered', 'read'])).toMatch(/delivered|read/);
    // The customer opens the chat: Messenger's read event comes back to the hub.
    await post(`${meta}/__sandbox/messenger/read`, { pageId: DEMO_IDS.pageId, psid });
    await drainMeta();
    expect(await statusShown(mid, ['read'])).toBe('read');
    await browser.screenshot(page, 'inbox-conversation');
  }, 90_000);

  it('WhatsApp: an answer within the window is sent and delivered; outside it the page offers the template path, which works', async () => {
    const wa = '48600700800';
    await post(`${meta}/__sandbox/whatsapp/inbound`, { phoneNumberId: DEMO_IDS.phoneNumberId, from: wa, name: 'Wiktor WhatsApp', message: { type: 'text', text: { body: 'Czy mogę zmienić adres dostawy?' } } });
    await drainMeta();
    const id = await conversationWith('whatsapp', 'Czy mogę zmienić adres dostawy?');
    await openFromList(id);
    expect(await page.locator('#thread .msg.in .body').allTextContents()).toContain('Czy mogę zmienić adres dostawy?');
    const mid = await reply('Tak, proszę podać nowy adres.');
    await until('reply on WhatsApp', async () => {
      const s = await metaState();
      const out = (s.whatsappMessages ?? s.whatsapp?.messages ?? []) as Json[];
      return out.some((m) => m.direction === 'out' && JSON.stringify(m.body).includes('proszę podać nowy adres')) ? true : 'not sent yet';
    }, 30_000);
    await drainMeta();
    expect(await statusShown(mid, ['delivered', 'read'])).toMatch(/delivered|read/);

    // Another customer last wrote 30 hours ago (the simulator's clock turned back for that message).
    const late = '48600700900';
    await post(`${meta}/__sandbox/clock`, { advanceMs: -30 * HOUR });
    await post(`${meta}/__sandbox/whatsapp/inbound`, { phoneNumberId: DEMO_IDS.phoneNumberId, from: late, name: 'Zofia Zaległa', message: { type: 'text', text: { body: 'Halo, czy jest ktoś?' } } });
    await post(`${meta}/__sandbox/clock`, { advanceMs: 30 * HOUR });
    await drainMeta();
    const lateId = await conversationWith('whatsapp', 'Halo, czy jest ktoś?');
    await openFromList(lateId);
    expect(await page.locator('#policy').textContent()).toMatch(/outside the 24-hour window WhatsApp allows only approved templates/);
    const options = await page.locator('#send-option option').evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? ''));
    expect(options).toEqual([`template|${TEMPLATE.name}|${TEMPLATE.language}`]);

    const tid = await reply('Zofia', `template|${TEMPLATE.name}|${TEMPLATE.language}`);
    expect(await page.locator(`#thread .msg.out[data-id="${tid}"] .delivery`).textContent()).toContain(`template ${TEMPLATE.name}`);
    const sent = await until('template on WhatsApp', async () => {
      const s = await metaState();
      const out = ((s.whatsappMessages ?? []) as Json[]).filter((m) => m.direction === 'out' && m.type === 'template');
      return out.length ? out : 'no template sent yet';
    }, 30_000);
    expect(JSON.stringify(sent[0].body)).toContain(TEMPLATE.name);
    expect(JSON.stringify(sent[0].body)).toContain('Zofia');
    await drainMeta();
    expect(await statusShown(tid, ['delivered', 'read'])).toMatch(/delivered|read/);
  }, 90_000);

  it('Allegro: the buyer’s thread is read from Message Center, and the reply lands in it', async () => {
    const id = await conversationId('allegro', 'demo-thread-allegro-1');
    await openFromList(id);
    expect(await page.locator('#thread .msg.in .body').allTextContents()).toContain('Dzień dobry, czy kubek można myć w zmywarce?');
    const mid = await reply('Tak, kubek można myć w zmywarce.');
    expect(await statusShown(mid, ['sent', 'delivered', 'read'])).toBeTruthy();
    const thread = await until('reply on Allegro', async () => {
      const s = await fetch(`${allegroUrl}/__sandbox/state`).then(json);
      const t = (s.threads as Json[] | undefined)?.find((x) => x.id === 'demo-thread-allegro-1');
      return t?.messages?.some((m: Json) => m.text === 'Tak, kubek można myć w zmywarce.') ? t : 'not in the thread yet';
    }, 30_000);
    expect(thread.messages.at(-1)).toMatchObject({ text: 'Tak, kubek można myć w zmywarce.', fromBuyer: false });
  }, 60_000);

  it('PrestaShop: a contact-form thread is read, and the reply is stored as an employee message on it', async () => {
    const key = (sandbox.endpoints.prestashop.credentials as Record<string, string>).key!;
    const ws = async (resource: string, node: string, fields: Record<string, string>) => {
      const res = await fetch(`${psUrl}/api/${resource}`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'content-type': 'text/xml' },
        body: buildXml(node, undefined, { fields }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`PrestaShop refused the ${node}: ${res.status} ${text.slice(0, 300)}`);
      return /<id>(?:<!\[CDATA\[)?(\d+)/.exec(text)![1]!;
    };
    const threadId = await ws('customer_threads', 'customer_thread', {
      id_lang: '1', id_shop: '1', id_customer: '0', id_order: '0', id_product: '0', id_contact: '2', email: 'pola@example.com', token: 'tok123456789', status: 'open',
    });
    await ws('customer_messages', 'customer_message', { id_customer_thread: threadId, id_employee: '0', message: 'Gdzie jest moja paczka?', private: '0' });
    const id = await conversationId('prestashop', threadId);
    await openFromList(id);
    expect(await page.locator('#thread .msg.in .body').allTextContents()).toContain('Gdzie jest moja paczka?');
    const mid = await reply('Paczka wyjechała dziś rano.');
    expect(await statusShown(mid, ['sent', 'delivered', 'read'])).toBeTruthy();
    const state = await fetch(`${psUrl}/__sandbox/state`).then(json);
    const stored = (state.resources.customer_messages as Json[]).filter((m) => m.fields.id_customer_thread === threadId);
    expect(stored.map((m) => [m.fields.id_employee !== '0', m.fields.message])).toEqual([[false, 'Gdzie jest moja paczka?'], [true, 'Paczka wyjechała dziś rano.']]);
  }, 60_000);

  it('assigns a conversation and resolves it; the list reflects both', async () => {
    const id = await conversationId('messenger', '7100000000000777');
    await page.goto(`${base}/inbox/c/${id}`);
    const me = await page.locator('#assignee option', { hasText: 'Adam Agent' }).getAttribute('value');
    await page.selectOption('#assignee', me!);
    await Promise.all([page.waitForNavigation(), page.locator('#actions form[action$="/assign"] button').click()]);
    expect(await page.locator('#thread .event').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Adam Agent assigned this to Adam Agent')]));
    await page.goto(`${base}/inbox?assignee=${me}`);
    expect(await page.locator(`#conversations tr[data-id="${id}"] td`).nth(4).textContent()).toBe('Adam Agent');

    await page.goto(`${base}/inbox/c/${id}`);
    await Promise.all([page.waitForNavigation(), page.locator('#actions button[value="resolved"]').click()]);
    expect(await page.locator('#status').textContent()).toBe('resolved');
    const { rows } = await db().query<{ status: string; assignee_id: string }>('SELECT status, assignee_id FROM conversations WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ status: 'resolved', assignee_id: me });
    // The default list shows what needs an answer: the resolved conversation is gone from it, not from "resolved".
    await page.goto(`${base}/inbox`);
    expect(await page.locator(`#conversations tr[data-id="${id}"]`).count()).toBe(0);
    await page.goto(`${base}/inbox?status=resolved`);
    expect(await page.locator(`#conversations tr[data-id="${id}"] .badge.resolved`).count()).toBe(1);
  }, 60_000);

  it('a customer message containing <script> shows as text, and nothing in it runs', async () => {
    await post(`${meta}/__sandbox/whatsapp/inbound`, { phoneNumberId: DEMO_IDS.phoneNumberId, from: '48600700666', name: '<b>Eve</b>', message: { type: 'text', text: { body: XSS } } });
    await drainMeta();
    const id = await conversationWith('whatsapp', XSS);
    const dialogs: string[] = [];
    page.on('dialog', (d) => void dialogs.push(d.message()));
    await page.goto(`${base}/inbox`);
    expect(await page.locator(`#conversations tr[data-id="${id}"] td.last`).textContent()).toBe(XSS);
    expect(await page.locator(`#conversations tr[data-id="${id}"] a.customer`).textContent()).toBe('<b>Eve</b>');
    await browser.screenshot(page, 'inbox');
    await page.goto(`${base}/inbox/c/${id}`);
    expect(await page.locator('#thread .msg.in .body').last().textContent()).toBe(XSS);
    // The text is in the DOM as text: no element came out of it, and neither the script nor the handler ran.
    expect(await page.locator('#thread .msg.in .body script, #thread .msg.in .body img, #conversations b').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(dialogs).toEqual([]);
  }, 60_000);

  it('an agent gets 403 on the admin-only pages; an admin opens them', async () => {
    for (const path of ['/console', '/console/users', '/console/connections', '/console/dead-letters']) {
      const res = await page.goto(`${base}${path}`);
      expect(res?.status(), path).toBe(403);
      expect(await page.locator('#forbidden').count(), path).toBe(1);
    }
    await Promise.all([page.waitForURL('**/login**'), page.locator('form[action="/logout"] button').click()]);
    await signIn(page, base, ADMIN.email, ADMIN.password);
    for (const path of ['/console/users', '/inbox']) expect((await page.goto(`${base}${path}`))?.status(), path).toBe(200);
    // Every inquiry channel that has a connector is listed in the inbox's channel filter.
    const channels = await page.locator('#filters select[name="channel"] option').evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? '').filter(Boolean));
    expect(channels.sort()).toEqual([...CHANNELS].sort());
  }, 60_000);
});
