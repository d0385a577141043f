import { afterAll, inject } from 'vitest';
import type { ConformanceHarness } from '../../core/conformance/kit.ts';
import { runConformance } from '../../core/conformance/vitest.ts';
import type { WebhookRequest } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createMetaSimulator, metaJson, signatureHeaders } from '../../sandbox/meta/index.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import whatsapp from './index.ts';

/**
 * The conformance kit against the Meta simulator's WhatsApp Cloud API. WhatsApp has no catalogue of its own (the
 * `facebook` connector syncs the shared Meta catalogue), no stock and no orders, so the kit runs the config and
 * webhook checks and skips the others with the reason. The webhook delivery is a genuine one: a customer message
 * the simulator produced, signed as Meta signs it.
 */
const WABA = '419561257915477';
const PHONE = '106540352242922';
const CUSTOMER = '48600100200';
const APP_SECRET = 'wa-app-secret';

let running: RunningSimulator | undefined;
afterAll(async () => {
  await running?.close();
});

async function call(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(`${running!.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** A delivery of `body` as Meta sends it: raw bytes, lower-cased headers, signed with `secret`. */
function delivery(body: string, secret: string): WebhookRequest {
  const headers = Object.fromEntries(Object.entries(signatureHeaders(body, secret)).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, query: {}, rawBody: Buffer.from(body, 'utf8') };
}

async function harness(): Promise<ConformanceHarness> {
  running = await listen(createMetaSimulator({ appSecret: APP_SECRET }));
  await call('/__sandbox/seed', { method: 'POST', body: { wabas: [{ id: WABA, phoneNumbers: [{ id: PHONE, displayPhoneNumber: '15550783881' }] }] } });
  const inbound = (await call('/__sandbox/whatsapp/inbound', {
    method: 'POST',
    body: { phoneNumberId: PHONE, from: CUSTOMER, name: 'Łucja', message: { type: 'text', text: { body: 'Czy ten kubek jest dostępny?' } } },
  })) as { payload: unknown };
  const body = metaJson(inbound.payload);
  const config = {
    wabaId: WABA,
    accessToken: 'sandbox-access-token',
    appSecret: APP_SECRET,
    verifyToken: 'hub-verify-token',
    phoneNumbers: [{ id: PHONE, displayNumber: '+1 555 078 3881' }],
    graphUrl: running.url,
  };
  return {
    connector: whatsapp,
    config,
    invalidConfigs: [
      { config: { ...config, wabaId: 'my-business' }, path: 'wabaId' },
      { config: { ...config, appSecret: undefined }, path: 'appSecret' },
      { config: { ...config, phoneNumbers: [] }, path: 'phoneNumbers' },
      { config: { ...config, phoneNumbers: [{ id: '+15550783881', displayNumber: '+1 555 078 3881' }] }, path: 'phoneNumbers[0].id' },
      { config: { ...config, throughputPerSecond: 0 }, path: 'throughputPerSecond' },
      { config: { ...config, phoneNumberId: PHONE }, path: 'phoneNumberId' },
    ],
    // WhatsApp has no catalogue of its own: nothing can be put on the channel. The kit only uses this product in
    // checks that need catalog.read, which skip for this connector; the id is a placeholder, not a channel object.
    async seedProduct() {
      return { productExternalId: 'whatsapp-has-no-catalogue' };
    },
    async deleteProduct() {
      // Nothing was created (see seedProduct).
    },
    async failWrites(status, times, retryAfterSeconds) {
      // Sending (`POST /{phone_number_id}/messages`) is this connector's only write.
      await call('/__sandbox/faults', {
        method: 'POST',
        body: { kind: 'status', status, times, method: 'POST', path: '/messages$', headers: { 'retry-after': String(retryAfterSeconds) } },
      });
    },
    async writeCount() {
      const log = (await call('/__sandbox/requests')) as Array<{ method: string }>;
      return log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length;
    },
    webhook() {
      const valid = delivery(body, APP_SECRET);
      const { ['x-hub-signature-256']: _sha256, ...legacyOnly } = valid.headers;
      const { ['x-hub-signature-256']: _a, ['x-hub-signature']: _b, ...unsigned } = valid.headers;
      return {
        valid,
        forged: {
          'wrong secret': delivery(body, 'guessed-secret'),
          'tampered body': { ...valid, rawBody: Buffer.from(body.replace(CUSTOMER, '48600999999'), 'utf8') },
          'missing signature': { ...valid, headers: unsigned },
          'only the legacy SHA-1 signature': { ...valid, headers: legacyOnly },
          're-serialised body (Meta signs the escaped form)': { ...valid, rawBody: Buffer.from(JSON.stringify(JSON.parse(body)), 'utf8') },
        },
      };
    },
  };
}

runConformance(harness, { database: () => freshDatabase('whatsapp'), redisUrl: inject('redisUrl') });
