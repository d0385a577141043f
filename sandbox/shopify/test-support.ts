import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createShopifySimulator, type ShopifySimulator, type ShopifySimulatorOptions } from './index.ts';

/** Test helpers: an in-process GraphQL client for the simulator and a local webhook receiver. */
export const TOKEN = 'shpat_test_token';
export const SECRET = 'test-app-secret';

export const SEED = {
  locations: [{ name: 'Main warehouse' }, { name: 'Store' }],
  products: [
    {
      title: 'T-Shirt',
      vendor: 'Acme',
      tags: ['cotton', 'comfortable'],
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variants: [
        { sku: 'TS-S', price: '19.99', options: ['S'], available: 10 },
        { sku: 'TS-M', price: '19.99', options: ['M'], available: 5 },
      ],
      updatedAt: '2026-01-01T00:00:00Z',
    },
    { title: 'Mug', variants: [{ sku: 'MUG-1', price: '9.50', available: 3 }], updatedAt: '2026-03-01T00:00:00Z' },
  ],
};

export function makeSim(extra: ShopifySimulatorOptions = {}): ShopifySimulator {
  return createShopifySimulator({ accessToken: TOKEN, appSecret: SECRET, seed: SEED, ...extra });
}

export interface GqlResponse {
  status: number;
  body: {
    data?: Record<string, any>;
    errors?: Array<{ message: string; path?: unknown[]; locations?: unknown[]; extensions?: Record<string, any> }> | string;
    extensions?: Record<string, any>;
  };
}

export async function gql(
  sim: ShopifySimulator,
  query: string,
  variables?: Record<string, unknown>,
  opts: { token?: string | null; version?: string } = {},
): Promise<GqlResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers['X-Shopify-Access-Token'] = token;
  const res = await sim.app.request(`/admin/api/${opts.version ?? '2026-04'}/graphql.json`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlResponse['body'] };
}

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A webhook receiver on 127.0.0.1 that records raw bodies and headers. */
export async function webhookReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/shopify`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function productBySku(sim: ShopifySimulator, sku: string) {
  const r = await gql(sim, `query($q: String) { productVariants(first: 1, query: $q) { nodes { id sku price inventoryItem { id } product { id } } } }`, { q: `sku:${sku}` });
  return r.body.data!.productVariants.nodes[0] as { id: string; sku: string; price: string; inventoryItem: { id: string }; product: { id: string } };
}
