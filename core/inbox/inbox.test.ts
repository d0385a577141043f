import { Hono } from 'hono';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../../tests/support/engine-harness.ts';
import { until } from '../../tests/support/until.ts';
import { WebClient } from '../../tests/support/web-client.ts';
import { createLogger } from '../log/logger.ts';
import { defineConnector } from '../sdk/define-connector.ts';
import { AuthError, BusinessError } from '../sdk/errors.ts';
import type { OutgoingMessage } from '../sdk/model.ts';
import { applyDelivery, ingestConversation } from '../sync/conversations.ts';
import { addUser } from '../web/auth/users.ts';
import { webRoutes } from '../web/routes.ts';
import { mergeHistory, mergeIdentity, unmergeIdentity } from './identity.ts';
import { inboxHandlers } from './replies.ts';

/** A chat channel in memory: a 24 h window like WhatsApp's, a template outside it, and refusals on demand. */
const sent: OutgoingMessage[] = [];
let refuseNext = 0;
let refuseAuth = false;
const chat = defineConnector({
  name: 'chatsim',
  version: '1.0.0',
  config: z.object({}),
  capabilities: {
    inquiries: {
      send: {
        async policy(_ctx, conv, now) {
          const last = conv.lastCustomerMessageAt?.getTime() ?? 0;
          if (now.getTime() - last < 24 * 3600_000) return { allowed: true };
          return { allowed: false, reason: 'the customer last wrote more than 24 hours ago; only templates may be sent', options: [{ kind: 'template', name: 'follow_up', language: 'pl', parameters: 1 }] };
        },
        async send(_ctx, message) {
          if (refuseAuth) throw new AuthError('the access token was revoked (190)');
          if (refuseNext > 0) {
            refuseNext--;
            throw new BusinessError('(#131047) Re-engagement message: more than 24 hours have passed');
          }
          sent.push(message);
          return { externalId: `chat.${sent.length}`, status: 'sent' };
        },
      },
    },
  },
});

const ADMIN = { email: 'ada@shop.example', name: 'Ada', role: 'admin' as const, password: 'correct horse battery' };
const actor = { id: '', email: ADMIN.email, name: ADMIN.name };

describe('inbox', () => {
  let h: EngineHarness;
  let web: WebClient;
  let fresh: string;
  let stale: string;

  beforeAll(async () => {
    h = await startEngine('connections:\n  chat: { connector: chatsim, config: {} }\n', [chat]);
    const log = createLogger({ level: 'silent' });
    h.queues.startWorkers({ inbox: inboxHandlers({ db: h.db, engine: h.engine, log }) }, { inbound: 1, outbound: 1, sweeps: 1, inbox: 1 });
    const app = new Hono();
    app.route('/', webRoutes({ db: h.db, log, engine: h.engine, queues: h.queues, secureCookies: false }));
    actor.id = (await addUser(h.db, ADMIN)).id;
    const now = new Date();
    fresh = (await ingestConversation(h.db, 'chat', {
      externalThreadId: 't1', customer: { externalId: 'c1', name: 'Anna <b>Kowalska</b>', phone: '+48 600 100 200', verified: true },
      messages: [{ externalId: 'm1', direction: 'in', type: 'text', text: 'Is the mug red? <script>alert(1)</script>', attachments: [], sentAt: now.toISOString() }],
    } as never)).conversationId;
    stale = (await ingestConversation(h.db, 'chat', {
      externalThreadId: 't2', customer: { externalId: 'c2', name: 'Piotr' },
      messages: [{ externalId: 'm2', direction: 'in', type: 'text', text: 'Where is my parcel?', attachments: [], sentAt: new Date(now.getTime() - 30 * 3600_000).toISOString() }],
    } as never)).conversationId;
    web = new WebClient(app);
    expect((await web.signIn(ADMIN.email, ADMIN.password)).status).toBe(303);
  }, 60_000);
  afterAll(async () => h?.close());

  it('lists conversations newest first with unread counts, filters by status, and searches message text', async () => {
    const list = await (await web.request('/inbox')).text();
    expect(list.indexOf(`/inbox/c/${fresh}`)).toBeGreaterThan(-1);
    expect(list.indexOf(`/inbox/c/${fresh}`)).toBeLessThan(list.indexOf(`/inbox/c/${stale}`));
    expect(list).toContain('class="badge unread" title="unread messages">1<');
    const search = await (await web.request('/inbox?q=parcel')).text();
    expect(search).toContain(`/inbox/c/${stale}`);
    expect(search).not.toContain(`/inbox/c/${fresh}`);
    expect(await (await web.request('/inbox?status=resolved')).text()).toContain('No conversations match.');
  });

  it('renders customer content escaped', async () => {
    const page = await (await web.request(`/inbox/c/${fresh}`)).text();
    expect(page).toContain('Is the mug red? &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('Anna &lt;b&gt;Kowalska&lt;/b&gt;');
  });

  it('sends a reply through the channel; a refusal shows failed with the reason, and Retry sends it', { timeout: 100_000 }, async () => {
    refuseNext = 1;
    expect((await web.post(`/inbox/c/${fresh}/reply`, { text: 'Yes, it is red.' })).status).toBe(303);
    const status = async () => (await h.db.query<{ id: string; delivery_status: string; failure_reason: string | null; external_id: string | null }>(
      `SELECT id, delivery_status, failure_reason, external_id FROM messages WHERE conversation_id = $1 AND direction = 'out'`, [fresh])).rows[0]!;
    await until('the refused reply fails', async () => ((await status()).delivery_status === 'failed' ? true : `status ${(await status()).delivery_status}`), 45_000);
    expect(await status()).toMatchObject({ failure_reason: '(#131047) Re-engagement message: more than 24 hours have passed', external_id: null });
    const page = await (await web.request(`/inbox/c/${fresh}`)).text();
    expect(page).toContain('failed: (#131047) Re-engagement message');
    expect(page).toContain('>Retry<');
    expect(sent).toHaveLength(0);

    expect((await web.post(`/inbox/c/${fresh}/messages/${(await status()).id}/retry`)).status).toBe(303);
    await until('the retried reply is sent', async () => ((await status()).delivery_status === 'sent' ? true : `status ${(await status()).delivery_status}`), 45_000);
    expect(await status()).toMatchObject({ external_id: 'chat.1', failure_reason: null });
    expect(sent[0]).toMatchObject({ text: 'Yes, it is red.', conversation: { externalThreadId: 't1', customerExternalId: 'c1' } });
  });

  it('outside the window offers the channel’s templates, refuses a free-form reply, and sends the template', { timeout: 60_000 }, async () => {
    const page = await (await web.request(`/inbox/c/${stale}`)).text();
    expect(page).toContain('only templates may be sent');
    expect(page).toContain('value="template|follow_up|pl"');
    await web.post(`/inbox/c/${stale}/reply`, { text: 'Sorry for the wait' });
    expect((await h.db.query(`SELECT 1 FROM messages WHERE conversation_id = $1 AND direction = 'out'`, [stale])).rowCount).toBe(0);
    await web.post(`/inbox/c/${stale}/reply`, { text: 'Piotr', option: 'template|follow_up|pl' });
    await until('the template is sent', async () => (sent.length === 2 ? true : `${sent.length} sent`), 45_000);
    expect(sent[1]).toMatchObject({ template: { name: 'follow_up', language: 'pl', parameters: ['Piotr'] } });
  });

  it('a reply refused for our credentials fails with the reason and marks the connection needs_reauth', { timeout: 60_000 }, async () => {
    refuseAuth = true;
    try {
      expect((await web.post(`/inbox/c/${fresh}/reply`, { text: 'Auth probe' })).status).toBe(303);
      const row = async () => (await h.db.query<{ delivery_status: string; failure_reason: string | null }>(
        `SELECT delivery_status, failure_reason FROM messages WHERE conversation_id = $1 AND body = 'Auth probe'`, [fresh])).rows[0];
      await until('the reply fails', async () => ((await row())?.delivery_status === 'failed' ? true : `status ${(await row())?.delivery_status}`), 45_000);
      expect((await row())!.failure_reason).toBe('the channel refused our credentials (the connection needs re-authorisation): the access token was revoked (190)');
      const { rows } = await h.db.query<{ status: string; status_reason: string }>("SELECT status, status_reason FROM connection_state WHERE connection = 'chat'");
      expect(rows[0]).toMatchObject({ status: 'needs_reauth', status_reason: 'the access token was revoked (190)' });
    } finally {
      refuseAuth = false;
      await h.engine.setConnectionState('chat', 'ok', null);
    }
  });

  it('a read receipt naming only a time (watermark) marks what we sent in that thread up to then as read', async () => {
    const out = async () => (await h.db.query<{ delivery_status: string }>(`SELECT delivery_status FROM messages WHERE conversation_id = $1 AND external_id = 'chat.1'`, [fresh])).rows[0]!;
    expect((await out()).delivery_status).toBe('sent');
    // A receipt for another thread, or one older than our reply, changes nothing.
    expect(await applyDelivery(h.db, 'chat', { kind: 'delivery', messageExternalId: `watermark:t9:${Date.now() + 60_000}`, status: 'read' })).toBe(false);
    expect(await applyDelivery(h.db, 'chat', { kind: 'delivery', messageExternalId: `watermark:t1:${Date.now() - 3600_000}`, status: 'read' })).toBe(false);
    expect((await out()).delivery_status).toBe('sent');
    expect(await applyDelivery(h.db, 'chat', { kind: 'delivery', messageExternalId: `watermark:t1:${Date.now() + 60_000}`, status: 'read' })).toBe(true);
    expect((await out()).delivery_status).toBe('read');
  });

  it('shows the product the inquiry is about when the channel names a listing linked to a variant', async () => {
    const { rows: [product] } = await h.db.query<{ id: string }>(`INSERT INTO products (title) VALUES ('{"pl": "Kubek <czerwony>"}') RETURNING id`);
    const { rows: [variant] } = await h.db.query<{ id: string }>(`INSERT INTO variants (product_id, sku) VALUES ($1, 'MUG-RED') RETURNING id`, [product!.id]);
    await h.db.query(
      `INSERT INTO bindings (connection, kind, external_id, internal_id, link_state, origin, product_external_id) VALUES ('chat', 'variant', 'offer-9', $1, 'linked', 'manual', 'offer-9')`,
      [variant!.id],
    );
    const about = (await ingestConversation(h.db, 'chat', {
      externalThreadId: 'about-1', customer: { externalId: 'z-ola', name: 'Ola' }, productExternalId: 'offer-9',
      messages: [{ externalId: 'about-m1', direction: 'in', type: 'text', text: 'Czy jest czerwony?', attachments: [], sentAt: new Date().toISOString() }],
    } as never)).conversationId;
    const unknown = (await ingestConversation(h.db, 'chat', {
      externalThreadId: 'about-2', customer: { externalId: 'z-jan', name: 'Jan' }, productExternalId: 'offer-unlinked',
      messages: [{ externalId: 'about-m2', direction: 'in', type: 'text', text: 'A ten?', attachments: [], sentAt: new Date().toISOString() }],
    } as never)).conversationId;
    const page = await (await web.request(`/inbox/c/${about}`)).text();
    expect(page).toMatch(/<div class="card" id="product"><h2>About<\/h2>Kubek &lt;czerwony&gt; <span class="muted">MUG-RED<\/span>/);
    expect(await (await web.request(`/inbox/c/${unknown}`)).text()).not.toContain('id="product"');
  });

  it('assigns, resolves, and keeps notes internal, all shown in the thread', async () => {
    await web.post(`/inbox/c/${stale}/assign`, { assignee: actor.id });
    await web.post(`/inbox/c/${stale}/status`, { status: 'resolved' });
    await web.post(`/inbox/c/${stale}/note`, { text: 'Parcel lost, refund agreed' });
    const page = await (await web.request(`/inbox/c/${stale}`)).text();
    expect(page).toContain('Ada assigned this to Ada');
    expect(page).toContain('Ada marked this resolved');
    expect(page).toContain('Internal note by Ada');
    expect(await (await web.request(`/inbox?assignee=me&status=resolved`)).text()).toContain(`/inbox/c/${stale}`);
    expect(sent.some((m) => m.text.includes('refund'))).toBe(false);
  });

  it('links verified identities on phone, suggests weaker matches, and merges and un-merges with history', async () => {
    // The same phone, verified by another channel: linked automatically to Anna's customer.
    await ingestConversation(h.db, 'chat', {
      externalThreadId: 't3', customer: { externalId: 'c3', name: 'A. Kowalska', phone: '48600100200', verified: true },
      messages: [{ externalId: 'm3', direction: 'in', type: 'text', text: 'hello again', attachments: [], sentAt: new Date().toISOString() }],
    } as never);
    const ids = async () => (await h.db.query<{ external_id: string; id: string; customer_id: string | null; linked_by: string | null }>(
      'SELECT external_id, id, customer_id, linked_by FROM customer_identities ORDER BY external_id')).rows;
    let [c1, c2, c3] = await ids();
    expect(c3!.customer_id).toBe(c1!.customer_id);
    expect(c3!.linked_by).toBe('phone');
    expect(c2!.customer_id).toBeNull();

    // An unverified identity with the same name is only suggested.
    await ingestConversation(h.db, 'chat', {
      externalThreadId: 't4', customer: { externalId: 'c4', name: 'Anna <b>Kowalska</b>' },
      messages: [{ externalId: 'm4', direction: 'in', type: 'text', text: 'hi', attachments: [], sentAt: new Date().toISOString() }],
    } as never);
    const c4 = (await ids())[3]!;
    expect(c4.customer_id).toBeNull();
    const conv4 = (await h.db.query<{ id: string }>(`SELECT id FROM conversations WHERE external_thread_id = 't4'`)).rows[0]!.id;
    const page = await (await web.request(`/inbox/c/${conv4}`)).text();
    expect(page).toContain('Maybe the same person');
    expect(page).toContain('same name');

    await web.post(`/inbox/c/${conv4}/identities/${c4.id}/merge`, { into: c1!.id });
    [c1, c2, c3] = await ids();
    expect((await ids())[3]!.customer_id).toBe(c1!.customer_id);
    const card = await (await web.request(`/inbox/c/${fresh}`)).text();
    expect(card.match(/data-identity=/g)).toHaveLength(3);

    await unmergeIdentity(h.db, c4.id, actor);
    expect((await ids())[3]!.customer_id).not.toBe(c1!.customer_id);
    expect((await mergeHistory(h.db, null, [c4.id])).map((r) => r.action)).toEqual(['unmerge', 'merge']);
    expect((await mergeHistory(h.db, c1!.customer_id, [])).map((r) => r.action)).toEqual(expect.arrayContaining(['link', 'merge', 'unmerge']));
    await mergeIdentity(h.db, c4.id, c4.id, actor); // merging with itself changes nothing
  });
});
