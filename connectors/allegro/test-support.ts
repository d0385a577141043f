/**
 * Shared by this connector's tests only (never imported by the connector): a simulator on 127.0.0.1 with a
 * hand-driven clock, a test context pointing at it with a linked seller account, and a fetch that records requests.
 */
import { createTestContext, type RateLimiter } from '../../core/sdk/index.ts';
import { createAllegroSimulator, type AllegroOptionsInput, type AllegroSeed } from '../../sandbox/allegro/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { ALL_USER_SCOPES } from '../../sandbox/allegro/options.ts';
import allegro from './index.ts';
import { storeTokens } from './tokens.ts';

export const CLIENT_ID = 'omnihub-test-client';
export const CLIENT_SECRET = 'omnihub-test-secret';
export const T0 = Date.parse('2026-03-02T09:00:00.000Z');

export interface Recorded {
  method: string;
  path: string;
  search: string;
  contentType: string | null;
  accept: string | null;
  body: string | undefined;
}

export async function startSim(options: AllegroOptionsInput = {}) {
  let now = T0;
  const sim = createAllegroSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock: () => now, commandDelayMs: 0, validateResponses: true, ...options });
  const running: RunningSimulator = await listen(sim);
  const admin = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${running.url}/__sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  return {
    sim,
    url: running.url,
    close: () => running.close(),
    admin,
    seed: async (doc: AllegroSeed) => {
      const res = await admin('/seed', doc);
      if (res.status !== 200) throw new Error(`seed failed: ${JSON.stringify(res.json)}`);
    },
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}
export type Sim = Awaited<ReturnType<typeof startSim>>;

export function config(url: string, extra: Record<string, unknown> = {}) {
  return { environment: 'sandbox', apiUrl: url, authUrl: url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, commandPollIntervalMs: 5, commandPollAttempts: 5, ...extra };
}

/** A fetch that records every request (and may interfere) before handing it to the real one. */
export function recordingFetch(hook?: (req: Request, send: () => Promise<Response>) => Promise<Response>) {
  const requests: Recorded[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const body = req.body ? await req.clone().text() : undefined;
    const url = new URL(req.url);
    requests.push({ method: req.method, path: url.pathname, search: url.search, contentType: req.headers.get('content-type'), accept: req.headers.get('accept'), body });
    const send = () => fetch(req);
    return hook ? hook(req, send) : send();
  };
  return { fetch: f as typeof fetch, requests };
}

/** A test context against the simulator, with a seller account linked (tokens in the vault). */
export async function linkedContext(s: Sim, extra: Record<string, unknown> = {}, fetchImpl?: typeof fetch) {
  const t = createTestContext(allegro, config(s.url, extra), { now: new Date(s.now()), ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const tokens = s.sim.oauth.issue('user', CLIENT_ID, ALL_USER_SCOPES) as { access_token: string; refresh_token: string; expires_in: number };
  await storeTokens(t.ctx.vault, tokens, new Date(s.now()));
  return t;
}

/** A limiter that records blocks (the SDK's HTTP client also blocks on its own; this sees the connector's). */
export function spyLimiter(): RateLimiter & { blocks: number[] } {
  const blocks: number[] = [];
  return { blocks, acquire: async () => undefined, block: async (ms: number) => void blocks.push(ms) };
}

export const offers = [
  { id: '7700000001', name: 'Czajnik elektryczny stalowy 1.7 l', externalId: 'SKU-KETTLE', price: { amount: '100.00', currency: 'PLN' }, stock: 5 },
  { id: '7700000002', name: 'Toster dwukomorowy czarny matowy', externalId: 'SKU-TOASTER', price: { amount: '50.00', currency: 'PLN' }, stock: 2 },
  { id: '7700000003', name: 'Mikser ręczny biały pięć prędkości', externalId: 'SKU-MIXER', price: { amount: '80.00', currency: 'PLN' }, stock: 3 },
];

export function price(gross: string, currency = 'PLN') {
  return { gross, net: gross, taxRate: '0.23', currency, compareAt: null };
}
