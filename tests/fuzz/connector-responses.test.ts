import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import allegro from '../../connectors/allegro/index.ts';
import { VAULT_KEYS } from '../../connectors/allegro/tokens.ts';
import facebook from '../../connectors/facebook/index.ts';
import messenger from '../../connectors/messenger/index.ts';
import odoo from '../../connectors/odoo/index.ts';
import prestashop from '../../connectors/prestashop/index.ts';
import shopify from '../../connectors/shopify/index.ts';
import whatsapp from '../../connectors/whatsapp/index.ts';
import { demoYaml } from '../../core/cli/demo.ts';
import { ConnectorError, createTestContext } from '../../core/sdk/index.ts';
import type { ConnectorDefinition } from '../../core/sdk/define-connector.ts';
import { conversationSnapshot, orderSnapshot, productSnapshot } from '../../core/sdk/model.ts';
import { linkAllegroSeller } from '../../sandbox/demo/allegro-link.ts';
import { type Sandbox, startSandbox } from '../../sandbox/registry.ts';
import { damage, type Damage, type Json, mutate, mutations, type Mutation, serialise } from './support/mutate.ts';

/**
 * Issue #11: every connector's response parsing, fed the real answers of its channel's simulator (demo shop) with
 * one answer broken — a field missing or of another type, a value absurd, the body cut short or not UTF-8. Each
 * read either returns data that is whole by the SDK's own schemas, or fails with an error that says what is wrong:
 * a ConnectorError (retryable/auth/business), or an error naming the problem — never a raw TypeError, RangeError
 * or SyntaxError from code that trusted the shape, and never half-normalised data.
 */
const RUNS = Number(process.env.FUZZ_PARSER_RUNS ?? 150);
const CRASH = /Cannot read propert|is not a function|is not iterable|undefined is not|Maximum call stack|Cannot convert undefined|of undefined|of null/;
const RAW = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

interface Recorded {
  status: number;
  headers: [string, string][];
  body: string;
}

let sandbox: Sandbox;
let configs: Record<string, Record<string, unknown>>;
let allegroRefreshToken: string;

beforeAll(async () => {
  sandbox = await startSandbox({ ports: 'free', seed: 'demo' });
  const doc = parse(demoYaml(sandbox, { dataDir: '/nonexistent', port: 0, logLevel: 'warn' }));
  configs = Object.fromEntries(Object.entries(doc.connections as Record<string, { config: Record<string, unknown> }>).map(([k, v]) => [k, v.config]));
  const a = sandbox.endpoints.allegro.credentials as Record<string, string>;
  ({ refreshToken: allegroRefreshToken } = await linkAllegroSeller(a.apiUrl!, a.clientId!, a.clientSecret!));
}, 60_000);
afterAll(async () => sandbox?.close());

type Def = ConnectorDefinition<z.ZodType>;
type Read = { name: string; run(ctx: any): Promise<unknown>; whole(result: any): void }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The read operations a connector offers, each with the check that its result is whole. */
function readsOf(def: Def, stockItems: () => Array<{ sku: string; externalId: string; productExternalId?: string }>): Read[] {
  const caps = def.capabilities;
  const reads: Read[] = [];
  if (caps.catalog?.read) reads.push({ name: 'catalog.read.list', run: (ctx) => caps.catalog!.read!.list(ctx, undefined), whole: (r) => z.array(productSnapshot).parse(r.items) });
  if (caps.stock?.read)
    reads.push({
      name: 'stock.read.get',
      run: (ctx) => caps.stock!.read!.get(ctx, stockItems()),
      whole: (r) => z.array(z.object({ externalId: z.string().min(1), available: z.number().finite().nullable() })).parse(r),
    });
  if (caps.orders?.read) reads.push({ name: 'orders.read.changes', run: (ctx) => caps.orders!.read!.changes(ctx, undefined), whole: (r) => z.array(orderSnapshot).parse(r.orders) });
  if (caps.inquiries?.read)
    reads.push({ name: 'inquiries.read.changes', run: (ctx) => caps.inquiries!.read!.changes(ctx, undefined), whole: (r) => z.array(conversationSnapshot).parse(r.conversations) });
  if (def.check) reads.push({ name: 'check', run: (ctx) => def.check!(ctx), whole: () => undefined });
  return reads;
}

/** Allegro rotates refresh tokens: the vault outlives each context, as the hub's does. */
const vaults = new Map<string, Map<string, string>>();

function context(def: Def, connection: string, fetchImpl: typeof fetch) {
  const t = createTestContext(def, configs[connection], { connection, fetch: fetchImpl });
  const kept = vaults.get(connection) ?? new Map(def.name === 'allegro' ? [[VAULT_KEYS.refreshToken, allegroRefreshToken]] : []);
  vaults.set(connection, kept);
  for (const [k, v] of kept) t.vault.set(k, v);
  return { ...t, keep: () => t.vault.forEach((v, k) => kept.set(k, v)) };
}

/** A fetch that passes through to the simulator and keeps every answer. */
function recording(into: Recorded[]): typeof fetch {
  return async (input, init) => {
    let res: Response | undefined;
    // The simulators run on a busy machine: a reset connection while recording is retried, it is not the subject.
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await fetch(input instanceof Request ? input.clone() : input, init);
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    const body = await res.text();
    into.push({ status: res.status, headers: [...res.headers.entries()], body });
    return new Response([101, 204, 205, 304].includes(res.status) ? null : body, { status: res.status, headers: res.headers });
  };
}

/** Replays recorded answers in order, the `target`-th one broken. */
function replaying(recorded: Recorded[], target: number, broken: (r: Recorded) => Buffer): typeof fetch {
  let n = 0;
  return async () => {
    const i = Math.min(n++, recorded.length - 1);
    const r = recorded[i]!;
    const headers = new Headers(r.headers.filter(([k]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(k)));
    const body = i === target % recorded.length ? broken(r) : Buffer.from(r.body);
    return new Response([101, 204, 205, 304].includes(r.status) ? null : body, { status: r.status, headers });
  };
}

function breakBody(r: Recorded, ms: Mutation[], d: Damage, noise: string): Buffer {
  try {
    return serialise(mutate(JSON.parse(r.body) as Json, ms), d);
  } catch {
    // Not JSON (PrestaShop XML, empty bodies): damage the text itself, and swap a slice for noise.
    const text = r.body;
    const at = ms[0]!.at % (text.length + 1);
    const spliced = text.slice(0, at) + noise + text.slice(at + noise.length);
    return serialise(spliced, d).subarray(1, -1); // serialise quotes a string; keep the raw text
  }
}

const connectors: Array<[string, Def]> = [
  ['erp', odoo as unknown as Def],
  ['shopify', shopify as unknown as Def],
  ['prestashop', prestashop as unknown as Def],
  ['allegro', allegro as unknown as Def],
  ['facebook', facebook as unknown as Def],
  ['messenger', messenger as unknown as Def],
  ['whatsapp', whatsapp as unknown as Def],
];

describe(`connector response parsers under broken answers (${RUNS} cases per read)`, () => {
  for (const [connection, def] of connectors) {
    it(`${def.name}`, async () => {
      let stockItems: Array<{ sku: string; externalId: string; productExternalId?: string }> = [];
      const reads = readsOf(def, () => stockItems);
      expect(reads.length, `${def.name} offers no read to fuzz`).toBeGreaterThan(0);
      for (const read of reads) {
        // The real answers for this read, and proof the read works on them.
        const recorded: Recorded[] = [];
        const live = context(def, connection, recording(recorded));
        const result = await read.run(live.ctx);
        live.keep();
        read.whole(result);
        if (read.name === 'catalog.read.list') {
          stockItems = (result as { items: z.infer<typeof productSnapshot>[] }).items
            .flatMap((p) => p.variants.flatMap((v) => (v.sku ? [{ sku: v.sku, externalId: v.externalId, productExternalId: p.externalId }] : [])))
            .slice(0, 3);
        }
        if (recorded.length === 0) continue;
        const outcomes = { whole: 0, classified: 0, explained: 0 };
        await fc.assert(
          fc.asyncProperty(fc.nat(), mutations, damage, fc.string({ maxLength: 12 }), async (target, ms, d, noise) => {
            const t = context(def, connection, replaying(recorded, target, (r) => breakBody(r, ms, d, noise)));
            let value: unknown;
            try {
              value = await read.run(t.ctx);
            } catch (err) {
              const e = err as Error;
              const where = `${def.name} ${read.name}: ${e?.name}: ${e?.message}`;
              expect(RAW.has(e?.name) && !(err instanceof ConnectorError), `raw runtime error — ${where}\n${e?.stack}`).toBe(false);
              expect(e?.message ?? '', where).toMatch(/\S/);
              expect(e?.message ?? '', `${where}\n${e?.stack}`).not.toMatch(CRASH);
              if (err instanceof ConnectorError) outcomes.classified++;
              else outcomes.explained++;
              return;
            }
            read.whole(value);
            outcomes.whole++;
          }),
          { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
        );
        console.log(`${def.name} ${read.name}: ${recorded.length} answers; whole ${outcomes.whole}, classified ${outcomes.classified}, explained ${outcomes.explained}`);
      }
    }, 300_000);
  }
});

describe('regressions found by fuzzing the parsers', () => {
  it.each([
    ['facebook', facebook],
    ['messenger', messenger],
    ['whatsapp', whatsapp],
  ] as const)('%s: a Graph answer cut short is a retryable error naming the operation, not a raw SyntaxError', async (connection, def) => {
    const recorded: Recorded[] = [];
    const read = readsOf(def as unknown as Def, () => [])[0]!;
    await read.run(context(def as unknown as Def, connection, recording(recorded)).ctx);
    const cut = replaying(recorded, 0, (r) => Buffer.from(r.body.slice(0, Math.floor(r.body.length / 2))));
    const err = await read.run(context(def as unknown as Def, connection, cut).ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'retryable', message: expect.stringMatching(/^Meta .+: the answer is not valid JSON/) });
  });
});
