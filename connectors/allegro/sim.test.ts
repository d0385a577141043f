import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, RetryableError } from '../../core/sdk/index.ts';
import allegro, { connectAllegro } from './index.ts';
import { linkedContext, offers, price, recordingFetch, type Sim, spyLimiter, startSim, config } from './test-support.ts';
import { VAULT_KEYS } from './tokens.ts';
import { ENDED_FOR_STOCK } from './write-stock.ts';

const caps = allegro.capabilities;
let s: Sim | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const stockItem = (externalId: string, available: number, sku = 'SKU') => ({ sku, externalId, productExternalId: externalId, available, expected: undefined });
const priceItem = (externalId: string, gross: string, currency = 'PLN') => ({ sku: 'SKU', externalId, productExternalId: externalId, price: price(gross, currency) });

describe('allegro connector against the simulator', () => {
  it('device flow: prints the code, waits while pending, slows down when told, stores the refresh token when approved', async () => {
    s = await startSim({ devicePollIntervalSeconds: 5 });
    const sim = s;
    const vault = new Map<string, string>();
    const lines: string[] = [];
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      // The second wait is cut short (the poll comes too early → slow_down); the fourth poll finds the code approved.
      sim.advance(sleeps.length === 2 ? 1000 : ms);
      if (sleeps.length === 4) {
        const code = /code (\w+)/.exec(lines[0]!)![1]!;
        expect((await sim.admin('/oauth/device/approve', { user_code: code })).status).toBe(200);
      }
    };
    const target = {
      config: config(s.url),
      vault: { get: async (k: string) => vault.get(k), set: async (k: string, v: string) => void vault.set(k, v), delete: async (k: string) => void vault.delete(k) },
      now: () => new Date(sim.now()),
    };
    await connectAllegro(target, (l) => lines.push(l), { sleep });
    expect(lines[0]).toMatch(/^Open http:\/\/127\.0\.0\.1:\d+\/uzytkownik\/bezpieczenstwo\/skojarz-aplikacje\?code=\w{9} and confirm the code \w{9}/);
    // 5 s (pending), 5 s (too soon → slow_down), then 10 s from then on (pending, approved).
    expect(sleeps).toEqual([5000, 5000, 10_000, 10_000]);
    expect(vault.get(VAULT_KEYS.refreshToken)).toEqual(expect.any(String));
    // The stored pair works.
    const t = (await import('../../core/sdk/index.ts')).createTestContext(allegro, config(s.url), { now: new Date(s.now()) });
    for (const [k, v] of vault) await t.ctx.vault.set(k, v);
    const page = await caps.catalog!.read!.list(t.ctx, undefined);
    expect(page.items).toEqual([]);
  });

  it('device flow: a denied code is an AuthError', async () => {
    s = await startSim({ devicePollIntervalSeconds: 1 });
    const sim = s;
    const lines: string[] = [];
    const vault = new Map<string, string>();
    const sleep = async (ms: number) => {
      sim.advance(ms);
      await sim.admin('/oauth/device/approve', { user_code: /code (\w+)/.exec(lines[0]!)![1]!, deny: true });
    };
    const target = { config: config(s.url), vault: { get: async (k: string) => vault.get(k), set: async (k: string, v: string) => void vault.set(k, v), delete: async () => undefined } };
    await expect(connectAllegro(target, (l) => lines.push(l), { sleep })).rejects.toThrow(/denied/);
    expect(vault.size).toBe(0);
  });

  it('refreshes the access token before it expires, stores the rotated refresh token, and a refused refresh is an AuthError', async () => {
    s = await startSim({ accessTokenTtlSeconds: 3600 });
    await s.seed({ offers });
    const t = await linkedContext(s);
    const firstRefresh = t.vault.get(VAULT_KEYS.refreshToken);
    const firstAccess = t.vault.get(VAULT_KEYS.accessToken);
    await caps.catalog!.read!.list(t.ctx, undefined);
    expect(t.vault.get(VAULT_KEYS.accessToken)).toBe(firstAccess);

    // 56 minutes later the token has less than the 5-minute margin left: refreshed before use.
    s.advance(56 * 60_000);
    t.setNow(new Date(s.now()));
    await caps.catalog!.read!.list(t.ctx, undefined);
    expect(t.vault.get(VAULT_KEYS.accessToken)).not.toBe(firstAccess);
    expect(t.vault.get(VAULT_KEYS.refreshToken)).not.toBe(firstRefresh);
    expect(Number(t.vault.get(VAULT_KEYS.expiresAt))).toBe(s.now() + 3599_000);

    // The old refresh token was consumed by the rotation: using it is refused → AuthError, and nothing leaks.
    t.vault.set(VAULT_KEYS.refreshToken, firstRefresh!);
    t.vault.delete(VAULT_KEYS.accessToken);
    const err = await caps.catalog!.read!.list(t.ctx, undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String((err as Error).message)).not.toContain(firstRefresh!);
  });

  it('catalog.read: offers as one-variant products keyed by external.id; get by offer id, null on 404', async () => {
    // validateResponses off: the simulator renders `external: null` for an offer without SKU, which its own spec
    // check rejects (ExternalId is not nullable there), though real listings do carry offers without external.id.
    s = await startSim({ validateResponses: false });
    await s.seed({ offers: [...offers, { id: '7700000009', name: 'Oferta bez sygnatury produktu', price: { amount: '9.99', currency: 'PLN' }, stock: 1, status: 'ENDED' }] });
    const t = await linkedContext(s, { pageSize: 3 });
    const first = await caps.catalog!.read!.list(t.ctx, undefined);
    expect(first.items).toHaveLength(3);
    expect(first.next).toBe('3');
    const second = await caps.catalog!.read!.list(t.ctx, first.next);
    expect(second.next).toBeUndefined();
    const all = [...first.items, ...second.items];
    expect(all.map((p) => p.variants[0]!.sku)).toEqual(['SKU-KETTLE', 'SKU-TOASTER', 'SKU-MIXER', null]);
    expect(all[0]).toMatchObject({
      externalId: '7700000001',
      status: 'active',
      variants: [{ externalId: '7700000001', sku: 'SKU-KETTLE', price: { gross: '100.00', currency: 'PLN' }, stock: { available: 5 } }],
    });
    expect(all[3]!.status).toBe('archived');
    const one = await caps.catalog!.read!.get(t.ctx, '7700000002');
    expect(one?.variants[0]).toMatchObject({ sku: 'SKU-TOASTER', stock: { available: 2 } });
    expect(await caps.catalog!.read!.get(t.ctx, '123')).toBeNull();
  });

  it('prices.write: one FIXED_PRICE command per price, tasks polled, per-offer failures mapped to items', async () => {
    s = await startSim({ commandDelayMs: 20 });
    await s.seed({ offers });
    const t = await linkedContext(s, { commandPollIntervalMs: 0, commandPollAttempts: 200 });
    // The simulator's clock is ours: let it run while the connector polls.
    const timer = setInterval(() => s!.advance(10), 1);
    try {
      const results = await caps.prices!.write.set(t.ctx, [
        priceItem('7700000001', '119.9900'),
        priceItem('7700000002', '119.99'),
        priceItem('7700000003', '10.00', 'EUR'),
        priceItem('999', '5.00'),
        priceItem('7700000001', '1.999'),
      ]);
      expect(results[0]).toEqual({ ok: true, externalId: '7700000001' });
      expect(results[1]).toEqual({ ok: true, externalId: '7700000002' });
      expect(results[2]).toMatchObject({ ok: false, kind: 'business', message: expect.stringMatching(/currency must be PLN/i) });
      expect(results[3]).toMatchObject({ ok: false, kind: 'business', message: expect.stringContaining('does not exist') });
      expect(results[4]).toMatchObject({ ok: false, kind: 'business' });
    } finally {
      clearInterval(timer);
    }
    const commands = (s.sim.store.commands as Map<string, { kind: string }>);
    expect([...commands.values()].filter((c) => c.kind === 'price')).toHaveLength(3);
    expect(s.sim.store.offers.get('7700000001')!.price.amount).toBe('119.99');
    expect(s.sim.store.offers.get('7700000003')!.price.amount).toBe('80.00');
    // Completed commands leave no checkpoint behind.
    expect([...t.checkpoints.values()].filter((v) => v !== null)).toEqual([]);
  });

  it('a quantity command whose answer was lost is followed, not re-sent; one that never arrived is re-sent under a new id', async () => {
    s = await startSim();
    await s.seed({ offers });
    let loseNextPut = true;
    const rec = recordingFetch(async (req, send) => {
      const res = await send();
      if (req.method === 'PUT' && loseNextPut) {
        loseNextPut = false;
        throw new TypeError('fetch failed: socket hang up'); // the command landed; its answer did not
      }
      return res;
    });
    const t = await linkedContext(s, {}, rec.fetch);
    const first = await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 9)]);
    expect(first[0]).toMatchObject({ ok: false, kind: 'retryable' });
    const retry = await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 9)]);
    expect(retry[0]).toEqual({ ok: true, externalId: '7700000001' });
    const puts = rec.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    // The retry asked Allegro about the recorded id before doing anything.
    const id = puts[0]!.path.split('/').pop();
    expect(rec.requests.filter((r) => r.method === 'GET' && r.path === `/sale/offer-quantity-change-commands/${id}`).length).toBeGreaterThanOrEqual(2);
    expect(s.sim.store.offers.get('7700000001')!.available).toBe(9);

    // Now the PUT never reaches Allegro (503 from the edge): the retry finds nothing and sends a new id.
    s.sim.faults.add({ kind: 'status', method: 'PUT', path: '^/sale/offer-quantity-change-commands/', status: 503, times: 1 });
    const failed = await caps.stock!.write!.set(t.ctx, [stockItem('7700000002', 4)]);
    expect(failed[0]).toMatchObject({ ok: false, kind: 'retryable' });
    const ok = await caps.stock!.write!.set(t.ctx, [stockItem('7700000002', 4)]);
    expect(ok[0]).toEqual({ ok: true, externalId: '7700000002' });
    const ids = rec.requests.filter((r) => r.method === 'PUT').map((r) => r.path.split('/').pop());
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(s.sim.store.offers.get('7700000002')!.available).toBe(4);
  });

  it('a command recorded more than an hour ago is not followed: the same content later is a new intent', async () => {
    s = await startSim();
    await s.seed({ offers });
    let loseNextPut = true;
    const rec = recordingFetch(async (req, send) => {
      const res = await send();
      if (req.method === 'PUT' && loseNextPut) {
        loseNextPut = false;
        throw new TypeError('fetch failed: socket hang up');
      }
      return res;
    });
    const t = await linkedContext(s, {}, rec.fetch);
    expect((await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 9)]))[0]).toMatchObject({ ok: false, kind: 'retryable' });
    // Meanwhile someone sets 3 on Allegro; two hours later the hub wants 9 again.
    s.sim.store.offers.get('7700000001')!.available = 3;
    t.setNow(new Date(t.ctx.now().getTime() + 2 * 60 * 60 * 1000));
    expect((await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 9)]))[0]).toEqual({ ok: true, externalId: '7700000001' });
    const ids = rec.requests.filter((r) => r.method === 'PUT').map((r) => r.path.split('/').pop());
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(s.sim.store.offers.get('7700000001')!.available).toBe(9);
  });

  it('stock 0 ends the offer and records it; restock re-activates it; a seller-ended offer is never re-activated', async () => {
    s = await startSim();
    await s.seed({ offers });
    const t = await linkedContext(s);
    const zero = await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 0, 'SKU-KETTLE'), stockItem('7700000002', 7)]);
    expect(zero).toEqual([
      { ok: true, externalId: '7700000001' },
      { ok: true, externalId: '7700000002' },
    ]);
    expect(s.sim.store.offers.get('7700000001')).toMatchObject({ status: 'ENDED', available: 0, endedBy: 'EMPTY_STOCK' });
    expect(Object.keys(t.checkpoints.get(ENDED_FOR_STOCK) as object)).toEqual(['7700000001']);

    // The seller ends another offer by hand.
    await s.admin('/offers/7700000003/end', { endedBy: 'USER' });

    const back = await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 6, 'SKU-KETTLE'), stockItem('7700000003', 6, 'SKU-MIXER')]);
    expect(back).toEqual([
      { ok: true, externalId: '7700000001' },
      { ok: true, externalId: '7700000003' },
    ]);
    expect(s.sim.store.offers.get('7700000001')).toMatchObject({ status: 'ACTIVE', available: 6 });
    expect(s.sim.store.offers.get('7700000003')).toMatchObject({ status: 'ENDED', available: 6 });
    expect(t.checkpoints.get(ENDED_FOR_STOCK)).toEqual({});
    const msgs = t.logs.map((l) => l.msg ?? '');
    expect(msgs).toContain('allegro offer re-activated: restocked after the hub ended it for stock 0');
    expect(msgs).toContain('allegro offer was ended by the seller, not by the hub: quantity set, offer NOT re-activated');
    expect(await caps.stock!.read!.get(t.ctx, [{ sku: 'SKU-KETTLE', externalId: '7700000001' }, { sku: 'X', externalId: '42' }])).toEqual([
      { externalId: '7700000001', available: 6 },
      { externalId: '42', available: null },
    ]);
  });

  it('stock 0 with reactivateWhenRestocked off leaves the offer ended after restock', async () => {
    s = await startSim();
    await s.seed({ offers });
    const t = await linkedContext(s, { reactivateWhenRestocked: false });
    await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 0)]);
    const r = await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 3)]);
    expect(r[0]).toEqual({ ok: true, externalId: '7700000001' });
    expect(s.sim.store.offers.get('7700000001')).toMatchObject({ status: 'ENDED', available: 3 });
  });

  it('stock 0 through an asynchronous offer edit (202 + Location) waits for the operation; 409 while it runs is retryable', async () => {
    s = await startSim({ offerEditDelayMs: 1000 });
    await s.seed({ offers });
    const t = await linkedContext(s, { commandPollIntervalMs: 0, commandPollAttempts: 1000 });
    const sim = s;
    const timer = setInterval(() => sim.advance(50), 1);
    try {
      const r = await caps.stock!.write!.set(t.ctx, [stockItem('7700000001', 0)]);
      expect(r[0]).toEqual({ ok: true, externalId: '7700000001' });
    } finally {
      clearInterval(timer);
    }
    expect(s.sim.store.offers.get('7700000001')).toMatchObject({ status: 'ENDED', available: 0 });

    // An edit of another offer left running by someone else: ours answers 409 → retryable item.
    const other = s.sim.store.offers.get('7700000002')!;
    s.sim.store.edits.set('x', { id: 'x', offerId: other.id, change: {}, startedAt: new Date(s.now()).toISOString(), dueAt: s.now() + 60_000, status: 'IN_PROGRESS', errors: [] });
    const busy = await caps.stock!.write!.set(t.ctx, [stockItem('7700000002', 0)]);
    expect(busy[0]).toMatchObject({ ok: false, kind: 'retryable', message: expect.stringContaining('previous edit') });
  });

  it('orders.read: the event cursor, pending until READY_FOR_PROCESSING, cancellations, lines by external.id', async () => {
    s = await startSim();
    await s.seed({ offers });
    const t = await linkedContext(s);
    const bought = await s.admin('/orders', { lines: [{ offerId: '7700000001', quantity: 2 }], until: 'BOUGHT' });
    expect(bought.status).toBe(201);
    const formId = bought.json.checkoutFormId as string;

    const r1 = await caps.orders!.read!.changes(t.ctx, undefined);
    expect(r1.orders).toHaveLength(1);
    expect(r1.orders[0]).toMatchObject({
      externalId: formId,
      status: 'pending',
      total: '200.00',
      currency: 'PLN',
      customer: { externalId: 'buyer-jan', email: 'buyer-jan@allegromail.pl', name: 'Jan Kowalski' },
      lines: [{ sku: 'SKU-KETTLE', variantExternalId: '7700000001', quantity: 2, unitPrice: '100.00' }],
    });
    expect(r1.checkpoint).toEqual({ lastEventId: bought.json.eventIds[0] });

    // Nothing new: same cursor, no orders.
    const idle = await caps.orders!.read!.changes(t.ctx, r1.checkpoint);
    expect(idle).toEqual({ orders: [], checkpoint: r1.checkpoint });

    await s.admin(`/orders/${formId}/advance`);
    await s.admin(`/orders/${formId}/advance`);
    const r2 = await caps.orders!.read!.changes(t.ctx, r1.checkpoint);
    expect(r2.orders.map((o) => o.status)).toEqual(['paid']);

    await s.admin(`/orders/${formId}/cancel`, { type: 'BUYER_CANCELLED' });
    const r3 = await caps.orders!.read!.changes(t.ctx, r2.checkpoint);
    expect(r3.orders.map((o) => o.status)).toEqual(['cancelled']);

    expect((await caps.orders!.read!.get(t.ctx, formId))?.status).toBe('cancelled');
    expect(await caps.orders!.read!.get(t.ctx, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('inquiries: threads newer than the checkpoint with attachments, replies limited to one per second', async () => {
    s = await startSim();
    await s.seed({
      offers,
      attachments: [{ id: 'att-1', filename: 'photo.png', mimeType: 'image/png', base64: 'iVBORw0KGgo=' }],
      threads: [{ id: 'thread-old', interlocutor: { login: 'old-buyer' }, messages: [{ text: 'Dawno temu', createdAt: '2026-01-01T10:00:00.000Z' }] }],
    });
    // A message with an attachment, as a buyer would send it.
    const thread = s.sim.store.threads.get('thread-old')!;
    thread.messages[0]!.attachmentIds.push('att-1');
    const t = await linkedContext(s);
    const first = await caps.inquiries!.read!.changes(t.ctx, undefined);
    expect(first.conversations).toHaveLength(1);
    expect(first.conversations[0]).toMatchObject({
      externalThreadId: 'thread-old',
      customer: { externalId: 'old-buyer' },
      messages: [{ direction: 'in', text: 'Dawno temu', attachments: [{ kind: 'image', name: 'photo.png', mimeType: 'image/png', url: expect.stringContaining('/messaging/message-attachments/att-1') }] }],
    });

    s.advance(60_000);
    t.setNow(new Date(s.now()));
    const incoming = await s.admin('/messaging/incoming', { login: 'new-buyer', text: 'Czy czajnik jest dostępny?', offerId: '7700000001' });
    const second = await caps.inquiries!.read!.changes(t.ctx, first.checkpoint);
    expect(second.conversations.map((c) => c.externalThreadId)).toEqual([incoming.json.threadId]);
    expect(second.conversations[0]).toMatchObject({ productExternalId: '7700000001', messages: [{ text: 'Czy czajnik jest dostępny?', direction: 'in' }] });

    const conv = { externalThreadId: incoming.json.threadId as string, customerExternalId: 'new-buyer', lastCustomerMessageAt: new Date(s.now()) };
    expect(await caps.inquiries!.send!.policy(t.ctx, conv, new Date(s.now()))).toEqual({ allowed: true });
    const sent1 = await caps.inquiries!.send!.send(t.ctx, { conversation: conv, messageId: 'm1', text: 'Tak, jest dostępny.', attachments: [] });
    // The simulator allows one per second of its (frozen) clock: a second reply is refused → 429 → retryable, and
    // the policy says so; the connection is not blocked for a minute.
    const err = await caps.inquiries!.send!.send(t.ctx, { conversation: conv, messageId: 'm2', text: 'Wysyłamy dziś.', attachments: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(1000);
    expect((await caps.inquiries!.send!.policy(t.ctx, conv, new Date(s.now()))).allowed).toBe(false);
    s.advance(1000);
    const sent2 = await caps.inquiries!.send!.send(t.ctx, { conversation: conv, messageId: 'm2', text: 'Wysyłamy dziś.', attachments: [] });
    expect(sent1.status).toBe('sent');
    expect(sent2.externalId).not.toBe(sent1.externalId);
    expect(s.sim.store.threads.get(conv.externalThreadId)!.messages.map((m) => m.text)).toEqual(['Czy czajnik jest dostępny?', 'Tak, jest dostępny.', 'Wysyłamy dziś.']);
    await expect(caps.inquiries!.send!.send(t.ctx, { conversation: conv, messageId: 'm3', text: 'x', attachments: [{ url: 'https://x/y.png' }] })).rejects.toThrow(/attachments/);
  });

  it('429: the connection is blocked for a whole minute even without Retry-After, and the error says so', async () => {
    // 9000 × 0.0005 = 4 requests per minute for this Client ID.
    s = await startSim({ rateLimitScale: 0.0005 });
    await s.seed({ offers });
    const t = await linkedContext(s);
    const limiter = spyLimiter();
    t.ctx.limiter = limiter;
    for (let i = 0; i < 4; i++) await caps.catalog!.read!.get(t.ctx, '7700000001');
    const err = await caps.catalog!.read!.get(t.ctx, '7700000001').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(60_000);
    expect(limiter.blocks).toEqual([60_000]);
    expect(allegro.classifyError!(err)).toBeUndefined(); // already a hub error: the engine takes it as is
  });
});
