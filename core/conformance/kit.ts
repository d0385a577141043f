import { z } from 'zod';
import { loadConfig } from '../config/load.ts';
import { formatProblem } from '../config/problems.ts';
import { memoryResolver } from '../connectors/registry.ts';
import type { ConnectorDefinition } from '../sdk/define-connector.ts';
import type { ProductSnapshot } from '../sdk/model.ts';
import type { WebhookRequest } from '../sdk/webhooks.ts';
import { type DatabaseFactory, type EngineHarness, startEngine } from './engine.ts';

/**
 * The connector conformance kit: the same invariants, run against every connector, so a new plugin proves itself
 * with one test file. The kit runs the real engine on a real database, with the connector under test ("subject")
 * receiving content, prices and stock from an in-memory owner ("origin") defined by the kit.
 *
 * @example
 * // connectors/acme/conformance.test.ts
 * import { runConformance } from '../../core/conformance/vitest.ts';
 * runConformance({ connector: acme, config: { url: sim.url, … }, invalidConfigs: [...], seedProduct: …, … });
 */
export interface ConformanceHarness {
  connector: ConnectorDefinition;
  /** The connection's config, pointing at the channel the harness controls (a sandbox simulator or a test server). */
  config: Record<string, unknown>;
  /** Configs the schema must reject, each with the field path the problem must name (relative to `config`). */
  invalidConfigs: Array<{ config: unknown; path: string }>;
  /** Puts a product with one variant of this SKU on the channel; returns the channel's product id. */
  seedProduct(p: { sku: string; title: string; price: string; stock: number }): Promise<{ productExternalId: string }>;
  /** Deletes it on the channel. */
  deleteProduct(productExternalId: string): Promise<void>;
  /** Makes the channel answer its next `times` write requests with `status` and `Retry-After: retryAfterSeconds`. */
  failWrites(status: 429 | 500 | 503, times: number, retryAfterSeconds: number): Promise<void>;
  /** Write requests (anything but GET/HEAD) the channel has received so far. */
  writeCount(): Promise<number>;
  /** For connectors with webhooks: a correctly signed delivery about this product, and forged variants of it. */
  webhook?(productExternalId: string): { valid: WebhookRequest; forged: Record<string, WebhookRequest> };
  /** For connectors with orders.read: places an order on the channel. */
  placeOrder?(sku: string, quantity: number): Promise<{ orderExternalId: string }>;
  /** How long to wait for the engine to settle; default 30 s. */
  settleMs?: number;
}

export interface ConformanceCheck {
  name: string;
  /** Why it is skipped for this connector (the capability it needs is absent), or undefined when it runs. */
  skip: string | undefined;
  run(): Promise<void>;
}

export class ConformanceFailure extends Error {
  override name = 'ConformanceFailure';
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

/** The kit's in-memory owner of content, prices and stock. */
function originConnector(store: Map<string, ProductSnapshot>): ConnectorDefinition {
  return {
    name: 'kit-origin',
    version: '1.0.0',
    config: z.object({}),
    capabilities: {
      catalog: {
        read: {
          list: async () => ({ items: [...store.values()] }),
          get: async (_ctx, id) => store.get(id) ?? null,
        },
      },
    },
  };
}

export interface ConformanceSession {
  checks: ConformanceCheck[];
  /** Starts the engine and links the subject's seeded product (call once before running checks). */
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

const SKU = 'KIT-SKU-1';

/** The invariants, in the order they run (the last one deletes the seeded product). */
export const CHECKS = {
  config: 'config schema rejects bad config with a clear message at the right path',
  webhooks: 'forged webhook signatures are rejected, a genuine one accepted',
  replay: 'replaying the same hint is idempotent: no writes, no change',
  echo: 'no echo: reading back our own write changes nothing',
  retries: '429 and 5xx are retried after the wait the channel asks for, and nothing is lost',
  checkpoint: 'checkpoint resume: an interrupted poll loses no order',
  unlinked: 'unlinked items are reported with the reason, never skipped silently',
  deletion: 'deletion is detected by a direct read, never by absence from a listing',
} as const;

/** Builds the checks for one connector. Run them in order: the last one deletes the seeded product. */
export function conformanceSession(h: ConformanceHarness, options: { database: DatabaseFactory; redisUrl?: string }): ConformanceSession {
  const caps = h.connector.capabilities;
  const origin = new Map<string, ProductSnapshot>();
  const setOrigin = (price: string, stock: number) =>
    origin.set('o1', {
      externalId: 'o1',
      title: { en: 'Conformance product' },
      variants: [{ externalId: 'o1-v1', sku: SKU, price: { gross: price, net: (Number(price) / 1.23).toFixed(2), currency: 'PLN' }, stock: { available: stock } }],
    });
  let engine: EngineHarness | undefined;
  let productExternalId = '';
  const settle = () => engine!.settle(h.settleMs ?? 30_000);
  const subject = () => engine!.engine.connection('subject')!;

  /** The quantity the channel shows for the seeded SKU, read through the connector itself. */
  const channelStock = async (): Promise<number | undefined> => {
    const ctx = subject().ctx;
    if (caps.catalog?.read) {
      const snap = await caps.catalog.read.get(ctx, productExternalId);
      return snap?.variants.find((v) => v.sku === SKU)?.stock?.available;
    }
    if (caps.stock?.read) {
      const b = await engine!.engine.bindings.all('subject', 'variant');
      const linked = b.find((x) => x.sku === SKU);
      if (!linked) return undefined;
      const [r] = await caps.stock.read.get(ctx, [{ sku: SKU, externalId: linked.externalId, productExternalId }]);
      return r?.available ?? undefined;
    }
    return undefined;
  };

  const hintOrigin = async () => {
    await engine!.engine.hint('origin', [{ kind: 'product', externalId: 'o1' }]);
    await engine!.engine.kick('origin', 'inbound');
  };
  const hintSubject = async () => {
    await engine!.engine.hint('subject', [{ kind: 'product', externalId: productExternalId }]);
    await engine!.engine.kick('subject', 'inbound');
  };

  const checks: ConformanceCheck[] = [
    {
      name: CHECKS.config,
      skip: h.invalidConfigs.length === 0 ? 'the harness lists no invalid configs' : undefined,
      async run() {
        for (const bad of h.invalidConfigs) {
          const result = await loadConfig({
            text: `connections:\n  subject:\n    connector: ${h.connector.name}\n    config: ${JSON.stringify(bad.config)}\n`,
            env: {},
            resolver: memoryResolver([h.connector]),
          });
          const path = `connections.subject.config.${bad.path}`;
          assert(!result.ok, `config ${JSON.stringify(bad.config)} was accepted; expected a problem at ${path}`);
          const problems = result.problems.map(formatProblem);
          assert(problems.some((p) => p.startsWith(`${path}: `)), `expected a problem at ${path}, got: ${problems.join(' | ')}`);
        }
      },
    },
    {
      name: CHECKS.webhooks,
      skip: !h.connector.webhooks ? 'no webhooks' : !h.webhook ? 'the harness provides no webhook deliveries' : undefined,
      async run() {
        const hooks = h.connector.webhooks!;
        const { valid, forged } = h.webhook!(productExternalId || 'p-1');
        const config = subject().ctx.config;
        const now = subject().ctx.now();
        assert(hooks.verify(valid, config, now).ok, 'a correctly signed delivery was rejected');
        assert(Object.keys(forged).length > 0, 'the harness must provide at least one forged delivery');
        for (const [label, req] of Object.entries(forged)) {
          const v = hooks.verify(req, config, now);
          assert(!v.ok, `a forged delivery (${label}) was accepted`);
          assert(v.reason.length > 0, `the rejection of a forged delivery (${label}) gives no reason`);
        }
      },
    },
    {
      name: CHECKS.replay,
      skip: caps.catalog?.read ? undefined : 'no catalog.read',
      async run() {
        await settle();
        const before = await h.writeCount();
        const ledger = (await engine!.db.query('SELECT count(*)::int AS n FROM stock_ledger')).rows[0].n;
        for (let i = 0; i < 3; i++) {
          await hintSubject();
          await hintOrigin();
          await settle();
        }
        const after = await h.writeCount();
        assert(after === before, `replayed hints caused ${after - before} write(s) to the channel`);
        const ledgerAfter = (await engine!.db.query('SELECT count(*)::int AS n FROM stock_ledger')).rows[0].n;
        assert(ledgerAfter === ledger, 'replayed hints moved stock');
      },
    },
    {
      name: CHECKS.echo,
      skip: !caps.catalog?.read ? 'no catalog.read' : !caps.stock?.write ? 'no stock.write (the hub never writes this channel)' : undefined,
      async run() {
        setOrigin('120.00', 5);
        await hintOrigin();
        await settle();
        const afterWrite = await h.writeCount();
        assert((await channelStock()) === 5, `the channel shows ${await channelStock()} after the hub wrote 5`);
        await hintSubject();
        await settle();
        await hintSubject();
        await settle();
        assert((await h.writeCount()) === afterWrite, `the echo of our own write caused ${(await h.writeCount()) - afterWrite} more write(s)`);
        const drift = (await engine!.db.query("SELECT field, expected, actual FROM drift WHERE connection = 'subject' AND resolved_at IS NULL")).rows;
        assert(drift.length === 0, `the echo of our own write was reported as drift: ${JSON.stringify(drift)}`);
      },
    },
    {
      name: CHECKS.retries,
      skip: caps.stock?.write ? undefined : 'no stock.write',
      async run() {
        await h.failWrites(429, 1, 1);
        setOrigin('120.00', 3);
        const started = Date.now();
        await hintOrigin();
        await settle();
        const elapsed = Date.now() - started;
        assert((await channelStock()) === 3, `after a 429 the channel shows ${await channelStock()}, expected 3`);
        assert(elapsed >= 900, `the 429's Retry-After of 1 s was not honoured (done after ${elapsed} ms)`);
        await h.failWrites(503, 2, 0);
        setOrigin('120.00', 2);
        await hintOrigin();
        await settle();
        assert((await channelStock()) === 2, `after 5xx answers the channel shows ${await channelStock()}, expected 2`);
        const dead = (await engine!.db.query('SELECT error FROM dead_letters')).rows;
        assert(dead.length === 0, `retryable failures ended in dead letters: ${JSON.stringify(dead)}`);
      },
    },
    {
      name: CHECKS.checkpoint,
      skip: !caps.orders?.read ? 'no orders.read' : !h.placeOrder ? 'the harness cannot place orders' : undefined,
      async run() {
        const read = caps.orders!.read!;
        const ctx = subject().ctx;
        const first = await read.changes(ctx, undefined);
        const { orderExternalId } = await h.placeOrder!(SKU, 1);
        // A poll that crashes before saving its checkpoint…
        await read.changes(ctx, first.checkpoint);
        // …is resumed from the last saved checkpoint, and the order must still be there.
        const resumed = await read.changes(ctx, first.checkpoint);
        assert(resumed.orders.some((o) => o.externalId === orderExternalId), `order ${orderExternalId} was lost when the poll resumed from its checkpoint`);
      },
    },
    {
      name: CHECKS.unlinked,
      skip: caps.catalog?.read ? undefined : 'no catalog.read',
      async run() {
        const { productExternalId: stray } = await h.seedProduct({ sku: 'KIT-UNKNOWN-9', title: 'Not in the catalogue', price: '9.00', stock: 1 });
        await engine!.engine.sweep('subject');
        const unlinked = await engine!.engine.bindings.unlinked('subject');
        const row = unlinked.find((b) => b.sku === 'KIT-UNKNOWN-9' || b.productExternalId === stray);
        assert(row, 'a channel product with an unknown SKU was not reported as unlinked');
        assert(row.linkReason && row.linkReason.includes('KIT-UNKNOWN-9'), `the unlinked reason does not name the SKU: "${row.linkReason}"`);
      },
    },
    {
      name: CHECKS.deletion,
      skip: caps.catalog?.read ? undefined : 'no catalog.read',
      async run() {
        await h.deleteProduct(productExternalId);
        const direct = await caps.catalog!.read!.get(subject().ctx, productExternalId).then(
          (v) => ({ ok: true as const, v }),
          (e: Error) => ({ ok: false as const, e }),
        );
        assert(direct.ok, `reading a deleted product threw instead of returning null: ${!direct.ok ? direct.e.message : ''}`);
        assert(direct.v === null, 'reading a deleted product did not return null');
        // The sweep, or a hint processed meanwhile, marks it; either way the binding must end up unlinked with the reason.
        await engine!.engine.sweep('subject');
        const b = await engine!.engine.bindings.byExternal('subject', 'product', productExternalId);
        assert(b?.linkState === 'unlinked' && (b.linkReason ?? '').includes('deleted on the channel'), `the deletion was not detected (binding: ${b?.linkState ?? 'none'}, ${b?.linkReason ?? 'no reason'})`);
      },
    },
  ];

  return {
    checks,
    async setup() {
      setOrigin('100.00', 7);
      ({ productExternalId } = await h.seedProduct({ sku: SKU, title: 'Conformance product', price: '1.00', stock: 0 }));
      engine = await startEngine(
        `connections:
  origin: { connector: kit-origin, config: {} }
  subject:
    connector: ${h.connector.name}
    config: ${JSON.stringify(h.config)}
ownership: { content: origin, price: origin, stock: origin }
`,
        [originConnector(origin), h.connector],
        { database: options.database, ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}) },
      );
      await engine.engine.sweep('origin');
      if (caps.catalog?.read) await engine.engine.sweep('subject');
      await settle();
    },
    async teardown() {
      await engine?.close();
    },
  };
}
