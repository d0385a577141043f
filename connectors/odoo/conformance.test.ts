import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestContext } from '../../core/sdk/index.ts';
import type { ConformanceHarness } from '../../core/conformance/kit.ts';
import { runConformance } from '../../core/conformance/vitest.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import { listen } from '../../sandbox/common/simulator.ts';
import { createOdooSimulator } from '../../sandbox/odoo/index.ts';
import { fixedClock } from '../../sandbox/odoo/test-helpers.ts';
import { CHECKPOINT } from './poll.ts';
import odoo from './index.ts';

/**
 * The conformance kit against the Odoo simulator (19.0, JSON-2). Odoo is read-only for the hub (no stock.write, no
 * prices.write, no orders.read, no webhooks), so only config, replay, unlinked and deletion apply; the rest skip.
 *
 * Counting writes: every Odoo call is a POST, reads included, so the method alone tells nothing. Over JSON-2 the
 * ORM method is in the path (`/json/2/<model>/<method>`), so a request is a write unless its method is one of the
 * ORM's read methods. The connection is pinned to `protocol: json2` for that reason; a JSON-RPC call (whose method
 * sits in the body the request log does not show) is counted as a write, so it can only make the replay check
 * stricter, never hide a write.
 */

const API_KEY = '6578616d706c65206a736f6e20617069206b6579';
/** ORM methods that change nothing (what the connector reads with, plus Odoo's other read-only calls). */
const READ_METHODS = new Set(['search_read', 'read', 'search', 'search_count', 'fields_get', 'name_search', 'read_group', 'web_search_read', 'context_get', 'has_group']);

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function odooHarness(): Promise<ConformanceHarness> {
  const sim = createOdooSimulator({ serverVersion: '19.0', apiKey: API_KEY, currency: 'PLN' });
  const running = await listen(sim);
  closers.push(() => running.close());
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${running.url}/__sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`odoo simulator ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  /** An Odoo user working in the ERP, through the same external API (JSON-2) the hub uses. */
  const json2 = async (model: string, method: string, body: Record<string, unknown>) => {
    const res = await fetch(`${running.url}/json/2/${model}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `bearer ${API_KEY}`, 'x-odoo-database': 'mycompany' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`odoo ${model}.${method}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  // Template ids are chosen here (the seed endpoint answers only `{ok}`), well above the fresh database's own.
  let nextTemplate = 100;
  const config = { url: running.url, database: 'mycompany', apiKey: API_KEY, protocol: 'json2', currency: 'PLN', taxRate: '0.23' };

  return {
    connector: odoo,
    config,
    invalidConfigs: [
      { config: { ...config, url: 'not a url' }, path: 'url' },
      { config: { ...config, apiKey: undefined }, path: 'apiKey' },
      { config: { ...config, protocol: 'jsonrpc' }, path: 'login' },
      { config: { ...config, currency: undefined }, path: 'currency' },
      { config: { ...config, taxRate: '23%' }, path: 'taxRate' },
      { config: { ...config, warehouse: 1 }, path: 'warehouse' },
    ],
    async seedProduct(p) {
      const templateId = nextTemplate++;
      await admin('/seed', {
        // No quant for a product never stocked: Odoo refuses to delete a product that has quants (see deleteProduct).
        products: [{ templateId, name: p.title, sku: p.sku, listPrice: Number(p.price), stock: p.stock > 0 ? [{ quantity: p.stock }] : [] }],
      });
      return { productExternalId: String(templateId) };
    },
    /** What an Odoo user does to a product created by mistake (one with stock history can only be archived). */
    async deleteProduct(productExternalId) {
      await json2('product.template', 'unlink', { ids: [Number(productExternalId)] });
    },
    async failWrites(status, times, retryAfterSeconds) {
      // The only writes the connector makes: recording a sale order (create, then confirm).
      await admin('/faults', {
        kind: 'status', status, times, method: 'POST', path: '^/json/2/sale\\.order/(create|action_confirm)$', headers: { 'retry-after': String(retryAfterSeconds) },
      });
    },
    async writeCount() {
      const log = (await admin('/requests')) as Array<{ method: string; path: string }>;
      return log.filter((r) => {
        if (r.method === 'GET' || r.method === 'HEAD') return false;
        const m = /^\/json\/2\/[^/]+\/([^/]+)$/.exec(r.path);
        return !(m && READ_METHODS.has(m[1]!));
      }).length;
    },
  };
}

runConformance(odooHarness, { database: () => freshDatabase('odoo'), redisUrl: inject('redisUrl') });

/**
 * The kit's checkpoint check covers `orders.read` only; Odoo's changes reach the hub through its poll, whose
 * `write_date` watermark is a checkpoint too. The same invariant, for the poll: a poll that dies before saving its
 * checkpoint loses nothing, because the next one resumes from the last saved watermark.
 */
describe('checkpoint resume of the poll (the kit checks orders.read only)', () => {
  it('a change seen by a poll that crashed before saving its watermark is emitted again by the resumed poll', async () => {
    const clock = fixedClock('2025-11-20 10:00:00');
    const sim = createOdooSimulator({ serverVersion: '19.0', apiKey: API_KEY, currency: 'PLN', clock: clock.now, seed: { products: [{ templateId: 7, id: 7, name: 'Kubek', sku: 'MUG-1', listPrice: 10, stock: [{ quantity: 4 }] }] } });
    const running = await listen(sim);
    try {
      const t = createTestContext(odoo, { url: running.url, database: 'mycompany', apiKey: API_KEY, protocol: 'json2', currency: 'PLN' }, { now: new Date(clock.now()) });
      await odoo.poll!(t.ctx); // first run: records the watermark only
      const saved = t.checkpoints.get(CHECKPOINT);
      expect(saved).toEqual({ watermark: '2025-11-20 10:00:00' });

      clock.advance(60);
      const res = await fetch(`${running.url}/__sandbox/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'MUG-1', quantity: 9 }) });
      expect(res.status).toBe(200);
      clock.advance(60);
      t.setNow(new Date(clock.now()));

      const stockHint = { hint: { kind: 'stock', externalId: '7', productExternalId: '7' }, eventId: 'stock:7:2025-11-20 10:01:00' };
      // Dies at its first hint: nothing emitted, the saved watermark does not move.
      await expect(odoo.poll!({ ...t.ctx, emit: async () => Promise.reject(new Error('worker killed')) })).rejects.toThrow('worker killed');
      expect(t.checkpoints.get(CHECKPOINT)).toEqual(saved);
      // Emits everything, then dies saving its watermark.
      await expect(
        odoo.poll!({ ...t.ctx, checkpoints: { get: t.ctx.checkpoints.get, set: async () => Promise.reject(new Error('worker killed')) } }),
      ).rejects.toThrow('worker killed');
      expect(t.emitted).toContainEqual(stockHint);
      expect(t.checkpoints.get(CHECKPOINT)).toEqual(saved);

      // The resumed poll starts from the saved watermark: the change is emitted again (same event id, so the hub
      // drops it if the first delivery got through), and only now does the watermark move.
      t.emitted.length = 0;
      await odoo.poll!(t.ctx);
      expect(t.emitted).toContainEqual(stockHint);
      expect(t.checkpoints.get(CHECKPOINT)).toEqual({ watermark: '2025-11-20 10:02:00' });
    } finally {
      await running.close();
    }
  });
});
