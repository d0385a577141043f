import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import testshop from '../../tests/fixtures/test-connector.ts';
import { memoryResolver } from '../connectors/registry.ts';
import { defineConnector } from '../sdk/define-connector.ts';
import { Secret } from '../sdk/secret.ts';
import { z } from 'zod';
import { loadConfig } from './load.ts';
import { formatProblem } from './problems.ts';

const erp = defineConnector({ name: 'testerp', version: '1.0.0', config: z.strictObject({ url: z.url() }), capabilities: {} });
const resolver = memoryResolver([testshop, erp]);

const VALID = `
connections:
  shop:
    connector: testshop
    config:
      shopUrl: https://demo.example
      accessToken: \${SHOP_TOKEN}
  erp:
    connector: testerp
    config: { url: "http://127.0.0.1:8069" }
ownership:
  price: erp
  stock: erp
  content: shop
`;

async function problems(text: string, env: Record<string, string> = { SHOP_TOKEN: 'tok-123456' }): Promise<string[]> {
  const result = await loadConfig({ text, env, resolver });
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.problems.map(formatProblem);
}

/** VALID with one line replaced, for one broken config per case. */
const broken = (from: string, to: string) => {
  if (!VALID.includes(from)) throw new Error(`fixture does not contain ${from}`);
  return VALID.replace(from, to);
};

describe('loadConfig: valid files', () => {
  it('loads, applies defaults, interpolates env and wraps secrets', async () => {
    const result = await loadConfig({ text: VALID, env: { SHOP_TOKEN: 'tok-123456' }, resolver });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const shop = result.config.connections.shop!;
    const cfg = shop.config as { accessToken: Secret; apiVersion: string };
    expect(cfg.accessToken).toBeInstanceOf(Secret);
    expect(cfg.accessToken.reveal()).toBe('tok-123456');
    expect(JSON.stringify(cfg)).not.toContain('tok-123456');
    expect(cfg.apiVersion).toBe('2026-07');
    expect(result.config.defaults.stock).toEqual({ buffer: 0, percentage: 100, minimum: 0 });
    expect(result.config.defaults.schedules).toEqual({ poll: 60_000, sweep: 900_000 });
    expect(result.config.http).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(result.config.secrets.has('tok-123456')).toBe(true);
    expect(result.config.database.url).toBeUndefined();
  });

  it('an empty file means defaults', async () => {
    const result = await loadConfig({ text: '', env: {}, resolver });
    expect(result.ok).toBe(true);
  });

  it('DATABASE_URL and REDIS_URL from the environment select external services', async () => {
    const result = await loadConfig({
      text: '',
      env: { DATABASE_URL: 'postgres://u:p@db/omnihub', REDIS_URL: 'redis://cache:6379' },
      resolver,
    });
    expect(result.ok && result.config.database.url?.reveal()).toBe('postgres://u:p@db/omnihub');
    expect(result.ok && result.config.queue.redisUrl?.reveal()).toBe('redis://cache:6379');
  });

  it('${file:path} reads a secret from a file (relative to the config file), and a missing file names its path, not a value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-secret-'));
    try {
      writeFileSync(join(dir, 'shop-token'), 'shpat_from_file_77\n');
      const file = join(dir, 'omnihub.yaml');
      writeFileSync(file, VALID.replace('${SHOP_TOKEN}', '${file:shop-token}'));
      const result = await loadConfig({ file, env: {}, resolver });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const token = (result.config.connections.shop!.config as { accessToken: { reveal(): string } }).accessToken;
      expect(token.reveal()).toBe('shpat_from_file_77');
      expect(result.config.secrets.has('shpat_from_file_77')).toBe(true);

      writeFileSync(file, VALID.replace('${SHOP_TOKEN}', '${file:./missing-token}'));
      const broken = await loadConfig({ file, env: {}, resolver });
      expect(broken.ok).toBe(false);
      if (broken.ok) return;
      expect(broken.problems).toContainEqual({ path: 'connections.shop.config.accessToken', message: `cannot read secret file ${join(dir, 'missing-token')}: file not found` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('${VAR:-default} falls back and $${ is a literal', async () => {
    const result = await loadConfig({ text: 'http:\n  port: ${PORT:-9090}\ndataDir: "$${HOME}/x"\n', env: {}, resolver });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.http.port).toBe(9090);
    expect(result.config.dataDir).toMatch(/\$\{HOME\}\/x$/);
  });
});

describe('loadConfig: every broken config names the problem and its path', () => {
  it.each([
    ['a missing credential', broken('      accessToken: ${SHOP_TOKEN}\n', ''), ['connections.shop.config.accessToken: required']],
    ['an unset environment variable', VALID, ['connections.shop.config.accessToken: environment variable SHOP_TOKEN is not set'], {}],
    ['a misspelt top-level key', broken('ownership:', 'ownersip:'), ['ownersip: unknown key (did you mean "ownership"?)']],
    [
      'an unknown connector',
      broken('connector: testshop', 'connector: testshp'),
      ['connections.shop.connector: unknown connector "testshp" (did you mean "testshop"?)'],
    ],
    [
      'a misspelt key inside a connector config',
      broken('shopUrl:', 'shopURL:'),
      ['connections.shop.config.shopUrl: required', 'connections.shop.config.shopURL: unknown key (did you mean "shopUrl"?)'],
    ],
    ['a negative stock buffer', broken('    connector: testerp', '    connector: testerp\n    stock: { buffer: -2 }'), ['connections.erp.stock.buffer: must be ≥ 0']],
    ['a percentage above 100', broken('    connector: testerp', '    connector: testerp\n    stock: { percentage: 150 }'), ['connections.erp.stock.percentage: must be ≤ 100']],
    [
      'an unknown rounding',
      broken('    connector: testerp', '    connector: testerp\n    prices: { rounding: ".95" }'),
      ['connections.erp.prices.rounding: must be one of "none", ".99", ".49", "whole" (did you mean ".99"?)'],
    ],
    ['ownership by a connection that does not exist', broken('price: erp', 'price: erpp'), ['ownership.price: "erpp" is not a connection (did you mean "erp"?)']],
    ['an unknown field group', broken('price: erp', 'prices: erp'), ['ownership.prices: unknown key (did you mean "price"?)']],
    ['a bad duration', `${VALID}defaults:\n  schedules: { sweep: 15min }\n`, ['defaults.schedules.sweep: must be a duration such as "30s", "15m" or "2h"']],
    ['a port out of range', `${VALID}http: { port: 70000 }\n`, ['http.port: must be ≤ 65535']],
    ['a wrong type', broken('    connector: testerp', '    connector: testerp\n    enabled: "yes please"'), ['connections.erp.enabled: expected boolean, got text']],
    ['a bad enum in a connector config', broken('      accessToken: ${SHOP_TOKEN}', '      accessToken: ${SHOP_TOKEN}\n      apiVersion: 2025-01'), ['connections.shop.config.apiVersion: must be one of "2026-04", "2026-07" (did you mean "2026-04"?)']],
    ['a floor above the ceiling', broken('    connector: testerp', '    connector: testerp\n    prices: { floor: 50, ceiling: 10 }'), ['connections.erp.prices.floor: floor must not be above ceiling']],
    [
      'a channel currency without a base currency',
      broken('    connector: testerp', '    connector: testerp\n    prices: { currency: EUR }'),
      ['connections.erp.prices.currency: needs "currencies.base" (the currency canonical prices are kept in)'],
    ],
    [
      'a currency without an exchange rate',
      `${broken('    connector: testerp', '    connector: testerp\n    prices: { currency: EUR }')}currencies: { base: PLN }\n`,
      ['connections.erp.prices.currency: no exchange rate for EUR: add currencies.rates.EUR'],
    ],
    ['an invalid connection name', broken('  erp:\n', '  My ERP:\n').replace('price: erp', 'price: shop').replace('stock: erp', 'stock: shop'), [
      'connections.My ERP: connection names are lower-case letters, digits, "-" and "_", starting with a letter',
    ]],
    ['a URL that is not one', broken('shopUrl: https://demo.example', 'shopUrl: demo dot example'), ['connections.shop.config.shopUrl: must be a valid url']],
  ])('%s', async (_label, text, expected, env?: Record<string, string>) => {
    expect(await problems(text, env ?? { SHOP_TOKEN: 'tok-123456' })).toEqual(expected);
  });

  it('reports YAML syntax errors with line and column', async () => {
    const out = await problems('connections:\n  shop:\n    connector: [testshop\n');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^YAML syntax error at line \d+, column \d+: /);
  });

  it('reports duplicate keys instead of silently keeping the last one', async () => {
    const out = await problems('http:\n  port: 1\n  port: 2\n');
    expect(out[0]).toMatch(/YAML syntax error at line 3, column 3: Map keys must be unique/);
  });

  it('lists every problem at once, not only the first', async () => {
    const text = broken('price: erp', 'price: nobody').replace('connector: testerp', 'connector: testerp\n    stock: { buffer: -1 }') + 'bogus: 1\n';
    const out = await problems(text, {});
    expect(out).toEqual(
      expect.arrayContaining([
        'bogus: unknown key',
        'connections.erp.stock.buffer: must be ≥ 0',
        'connections.shop.config.accessToken: environment variable SHOP_TOKEN is not set',
        'ownership.price: "nobody" is not a connection (connections: shop, erp)',
      ]),
    );
  });

  it('never echoes a credential value in a problem', async () => {
    const out = await problems(broken('accessToken: ${SHOP_TOKEN}', 'accessToken: [hunter2-secret]'));
    expect(out).toEqual(['connections.shop.config.accessToken: expected text, got a list']);
    expect(out.join('\n')).not.toContain('hunter2');
  });

  it('a missing file is a problem naming the file', async () => {
    const result = await loadConfig({ file: '/nonexistent/omnihub.yaml', resolver });
    expect(!result.ok && result.problems.map(formatProblem)).toEqual(['cannot read /nonexistent/omnihub.yaml: file not found']);
  });
});
