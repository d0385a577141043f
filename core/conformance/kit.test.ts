import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { testChannelHarness } from '../../tests/fixtures/testchannel/harness.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import type { ConnectorDefinition } from '../sdk/define-connector.ts';
import { CHECKS, ConformanceFailure, conformanceSession } from './kit.ts';
import { runConformance } from './vitest.ts';

const database = () => freshDatabase('kit');
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe('a correct connector passes every invariant', () => {
  runConformance(
    async () => {
      const t = await testChannelHarness();
      closers.push(t.close);
      return t.harness;
    },
    { database, redisUrl: inject('redisUrl') },
  );
});

const caps = testchannel.capabilities;
/** The test connector with other capabilities (typed, so the overrides below are checked). */
const withCaps = (capabilities: typeof caps): object => ({ ...testchannel, capabilities });
let stockNoise = 0;
const seenOrders = new Set<string>();
// Each entry spreads the correct connector and breaks one thing; typed loosely because the spread narrows config types.
const BROKEN: Array<[keyof typeof CHECKS, string, object]> = [
  ['config', 'accepts any config', { ...testchannel, config: z.any() }],
  ['webhooks', 'trusts every signature', { ...testchannel, webhooks: { ...testchannel.webhooks!, verify: () => ({ ok: true }) } }],
  [
    'replay',
    'reads a different stock every time',
    withCaps({ ...caps, catalog: { ...caps.catalog, read: { ...caps.catalog!.read!, get: async (ctx, id) => {
      const snap = await caps.catalog!.read!.get(ctx, id);
      return snap && { ...snap, variants: snap.variants.map((v) => ({ ...v, stock: { available: (v.stock?.available ?? 0) + ++stockNoise } })) };
    } } } }),
  ],
  [
    'echo',
    'reads stock back in another unit than it writes it',
    withCaps({ ...caps, catalog: { ...caps.catalog, read: { ...caps.catalog!.read!, get: async (ctx, id) => {
      const snap = await caps.catalog!.read!.get(ctx, id);
      return snap && { ...snap, variants: snap.variants.map((v) => ({ ...v, stock: { available: (v.stock?.available ?? 0) * 10 } })) };
    } } } }),
  ],
  [
    'retries',
    'reports a failed stock write as done',
    withCaps({ ...caps, stock: { write: { maxBatch: 50, set: async (ctx, items) => {
      await ctx.http.put('stock', { json: items.map((i) => ({ id: i.externalId, available: i.available })), throwHttpErrors: false, retry: 0 });
      return items.map((i) => ({ ok: true as const, externalId: i.externalId }));
    } } } }),
  ],
  [
    'checkpoint',
    'remembers seen orders in memory instead of its checkpoint',
    withCaps({ ...caps, orders: { read: { ...caps.orders!.read!, changes: async (ctx, cp) => {
      const all = await caps.orders!.read!.changes(ctx, cp);
      const fresh = all.orders.filter((o) => !seenOrders.has(o.externalId));
      for (const o of fresh) seenOrders.add(o.externalId);
      return { orders: fresh, checkpoint: null };
    } } } }),
  ],
  [
    'unlinked',
    'lists only the first product',
    withCaps({ ...caps, catalog: { ...caps.catalog, read: { ...caps.catalog!.read!, list: async (ctx, cursor) => {
      const page = await caps.catalog!.read!.list(ctx, cursor);
      return { items: page.items.slice(0, 1) };
    } } } }),
  ],
  [
    'deletion',
    'throws on a 404 instead of returning null',
    withCaps({ ...caps, catalog: { ...caps.catalog, read: { ...caps.catalog!.read!, get: async (ctx, id) => {
      const snap = await caps.catalog!.read!.get(ctx, id);
      if (!snap) throw new Error('product not found');
      return snap;
    } } } }),
  ],
];

describe('the kit fails loudly on a broken connector, one case per invariant', () => {
  it.each(BROKEN)('%s: a connector that %s fails the check', async (key, _what, def) => {
    const t = await testChannelHarness(def as ConnectorDefinition);
    closers.push(t.close);
    const session = conformanceSession(t.harness, { database });
    closers.push(() => session.teardown());
    const check = session.checks.find((c) => c.name === CHECKS[key])!;
    if (key !== 'config') await session.setup();
    expect(check.skip).toBeUndefined();
    await expect(check.run()).rejects.toThrow(ConformanceFailure);
  });
});
