import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EngineHarness, serveApp, startEngine } from '../../core/conformance/engine.ts';
import { webhookRoutes } from '../../core/http/webhooks.ts';
import { createLogger } from '../../core/log/logger.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { specsDir } from '../../sandbox/common/specs.ts';
import { createMetaSimulator, metaJson, signatureHeaders, type MetaSimulator } from '../../sandbox/meta/index.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import whatsapp from './index.ts';

/**
 * WhatsApp webhooks through a real engine: the hub's webhook route (`/webhooks/:connection`) verifies, dedups and
 * records the hints, the engine's workers ingest the conversation hints into `messages`. Deliveries come from
 * Meta's documented sample (its WABA and phone-number id are this connection's) and from the simulator, which
 * delivers every webhook twice here (at-least-once).
 */
const WABA = '419561257915477';
const PHONE = '106540352242922';
const SAMPLE_CUSTOMER = '16505551234';
const APP_SECRET = 'wa-app-secret';

let sim: MetaSimulator;
let running: RunningSimulator;
let engine: EngineHarness;
let hub: { url: string; close(): Promise<void> };

const config = () => ({
  wabaId: WABA,
  accessToken: 'sandbox-access-token',
  appSecret: APP_SECRET,
  verifyToken: 'hub-verify-token',
  phoneNumbers: [{ id: PHONE, displayNumber: '+1 555 078 3881' }],
  graphUrl: running.url,
});

async function admin(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${running.url}/__sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

/** Posts `payload` to the hub as Meta would: escaped JSON, signed with the App Secret. */
async function deliver(payload: unknown): Promise<{ status: number; json: any }> {
  const body = metaJson(payload);
  const res = await fetch(`${hub.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', ...signatureHeaders(body, APP_SECRET) }, body });
  return { status: res.status, json: await res.json() };
}

function sample(): { wamid: string; payload: any } {
  const payload = JSON.parse(readFileSync(join(specsDir(), 'samples/whatsapp/webhook-messages-text-message.json'), 'utf8'));
  return { wamid: payload.entry[0].changes[0].value.messages[0].id, payload };
}

async function rows(wamid: string) {
  const r = await engine.db.query<{ direction: string; body: string; author: string | null; delivery_status: string | null; thread: string }>(
    `SELECT m.direction, m.body, m.author, m.delivery_status, c.external_thread_id AS thread
       FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE c.connection = 'whatsapp' AND m.external_id = $1`,
    [wamid],
  );
  return r.rows;
}

async function thread(id: string) {
  const r = await engine.db.query<{ unread_count: number; last_customer_message_at: Date | null; inbound: number; outbound: number }>(
    `SELECT c.unread_count, c.last_customer_message_at,
            count(*) FILTER (WHERE m.direction = 'in')::int AS inbound, count(*) FILTER (WHERE m.direction = 'out')::int AS outbound
       FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id
      WHERE c.connection = 'whatsapp' AND c.external_thread_id = $1 GROUP BY c.id`,
    [id],
  );
  return r.rows[0];
}

beforeAll(async () => {
  sim = createMetaSimulator({ appSecret: APP_SECRET });
  running = await listen(sim);
  sim.seed({ wabas: [{ id: WABA, phoneNumbers: [{ id: PHONE, displayPhoneNumber: '15550783881' }] }] });
  engine = await startEngine(`connections:\n  whatsapp:\n    connector: whatsapp\n    config: ${JSON.stringify(config())}\n`, [whatsapp], {
    database: () => freshDatabase('whatsapp_hooks'),
    redisUrl: inject('redisUrl'),
  });
  const app = new Hono();
  app.route('/webhooks', webhookRoutes({ db: engine.db, engine: engine.engine, log: createLogger({ level: 'silent' }) }));
  hub = await serveApp(app);
  // Every webhook the simulator emits goes to the hub twice.
  await admin('/webhooks/config', { whatsappWebhookUrl: `${hub.url}/webhooks/whatsapp`, policy: { duplicateRate: 1, retries: 0 } });
});

afterAll(async () => {
  await hub?.close();
  await engine?.close();
  await running?.close();
});

describe('whatsapp webhooks into the engine', () => {
  const sampleThread = `${PHONE}:${SAMPLE_CUSTOMER}`;

  it('stores Meta’s sample message once when the same signed delivery arrives twice', async () => {
    const { wamid, payload } = sample();
    const first = await deliver(payload);
    const second = await deliver(payload);
    expect(first).toEqual({ status: 200, json: { ok: true, hints: 1 } });
    expect(second).toEqual({ status: 200, json: { ok: true, duplicate: true } });
    await engine.settle(20_000);
    expect(await rows(wamid)).toEqual([{ direction: 'in', body: 'Does it come in another color?', author: SAMPLE_CUSTOMER, delivery_status: null, thread: sampleThread }]);
    expect(await thread(sampleThread)).toMatchObject({ unread_count: 1, inbound: 1, outbound: 0 });
  });

  it('stores a message once when it comes again inside another delivery (a different event id)', async () => {
    const { wamid, payload } = sample();
    const value = payload.entry[0].changes[0].value;
    value.messages.push({ ...value.messages[0], id: 'wamid.second', timestamp: '1749416400', text: { body: 'Maybe in blue?' } });
    expect(await deliver(payload)).toEqual({ status: 200, json: { ok: true, hints: 2 } });
    await engine.settle(20_000);
    expect(await rows(wamid)).toHaveLength(1);
    expect(await rows('wamid.second')).toMatchObject([{ direction: 'in', body: 'Maybe in blue?' }]);
    expect(await thread(sampleThread)).toMatchObject({ unread_count: 2, inbound: 2, outbound: 0 });
  });

  it('stores a customer message the simulator delivers twice once', async () => {
    const before = sim.ctx.webhooks.sender.log.length;
    const { id } = await admin('/whatsapp/inbound', { phoneNumberId: PHONE, from: '48600100200', name: 'Łucja', message: { type: 'text', text: { body: 'Czy jest rozmiar M?' } } });
    await admin('/webhooks/drain', {});
    expect(sim.ctx.webhooks.sender.log.slice(before).map((d) => d.status)).toEqual([200, 200]);
    await engine.settle(20_000);
    const [row, ...more] = await rows(id);
    expect(more).toEqual([]);
    // The simulator sends the business-scoped user id (2026): the thread is keyed on it, not on the phone.
    expect(row).toMatchObject({ direction: 'in', body: 'Czy jest rozmiar M?' });
    expect(row!.thread).toMatch(new RegExp(`^${PHONE}:`));
    expect((await thread(row!.thread))?.unread_count).toBe(1);
  });

  it('stores an echo of a reply typed in the WhatsApp Business app as our outgoing message, not a customer message', async () => {
    const before = await thread(sampleThread);
    // The simulator does not emit `smb_message_echoes`; this is the Cloud API's coexistence echo shape.
    const echo = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA,
          changes: [
            {
              field: 'smb_message_echoes',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: PHONE },
                message_echoes: [{ from: '15550783881', to: SAMPLE_CUSTOMER, id: 'wamid.echo-1', timestamp: '1749416500', type: 'text', text: { body: 'Yes, in blue and red.' } }],
              },
            },
          ],
        },
      ],
    };
    expect(await deliver(echo)).toEqual({ status: 200, json: { ok: true, hints: 1 } });
    expect(await deliver(echo)).toEqual({ status: 200, json: { ok: true, duplicate: true } });
    await engine.settle(20_000);
    expect(await rows('wamid.echo-1')).toEqual([{ direction: 'out', body: 'Yes, in blue and red.', author: '15550783881', delivery_status: 'sent', thread: sampleThread }]);
    expect(await thread(sampleThread)).toMatchObject({
      unread_count: before!.unread_count,
      last_customer_message_at: before!.last_customer_message_at,
      inbound: before!.inbound,
      outbound: 1,
    });
  });
});
