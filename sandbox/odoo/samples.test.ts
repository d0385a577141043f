import { describe, expect, it } from 'vitest';
import { createOdooSimulator } from './index.ts';
import { fixedClock, sample, sampleJson, sameShape } from './test-helpers.ts';

/**
 * Replays every request in shared/specs/samples/odoo/ and compares the simulator's answer with the sample
 * response: exactly where the sample is reproducible from seeded data, by structure where it is not.
 */
function parseHttp(raw: string): { method: string; path: string; headers: Record<string, string>; body: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const [requestLine, ...headerLines] = head!.split(/\r?\n/);
  const [method, path] = requestLine!.split(' ');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { method: method!, path: path!, headers, body: rest.join('\n\n') };
}

const botOptions = { uid: 7, login: 'integration-bot@example.com', password: '<password-or-api-key>' };

describe('Odoo samples', () => {
  it('GET /web/version answers exactly json2-web-version.response.json on a 19.0 server', async () => {
    const sim = createOdooSimulator({ serverVersion: '19.0' });
    const res = await sim.app.request('/web/version');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(sampleJson('json2-web-version.response.json'));
  });

  it('replays the official JSON-2 search_read request (headers included) and returns the official response', async () => {
    const req = parseHttp(sample('json2-search_read.request.http'));
    const sim = createOdooSimulator({
      database: req.headers['x-odoo-database']!,
      apiKey: req.headers.authorization!.replace(/^bearer\s+/i, ''),
      seed: {
        partners: [
          { id: 25, name: 'Deco Addict', isCompany: true },
          { id: 26, name: 'Deco Lamp Designer', isCompany: false }, // matches the name, not is_company
          { id: 27, name: 'Azure Interior', isCompany: true }, // a company, not the name
        ],
      },
    });
    const res = await sim.app.request(req.path, { method: req.method, headers: req.headers, body: req.body });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual(sampleJson('json2-search_read.response.json'));
  });

  it('answers an invalid API key with json2-error-401.response.json (same status, shape, name, message, arguments)', async () => {
    const req = parseHttp(sample('json2-search_read.request.http'));
    const sim = createOdooSimulator({ database: 'mycompany' });
    const res = await sim.app.request(req.path, {
      method: 'POST',
      headers: { ...req.headers, authorization: 'bearer 0000000000000000000000000000000000000000' },
      body: req.body,
    });
    const expected = sampleJson<Record<string, unknown>>('json2-error-401.response.json');
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(sameShape(body, expected)).toEqual([]);
    expect({ name: body.name, message: body.message, arguments: body.arguments, context: body.context }).toEqual({
      name: expected.name, message: expected.message, arguments: expected.arguments, context: expected.context,
    });
  });

  it('accepts the constructed change-detection body and returns only the asked fields, changed since the cursor', async () => {
    const clock = fixedClock('2025-11-20 07:00:00');
    const sim = createOdooSimulator({
      clock: clock.now,
      seed: { products: [{ name: 'Old mug', sku: 'OLD-1', listPrice: 10, stock: [{ quantity: 1 }] }] },
    });
    clock.set('2025-11-20 09:00:00');
    await sim.app.request('/__sandbox/seed', {
      method: 'POST',
      body: JSON.stringify({
        products: [
          { name: 'Kubek ceramiczny', sku: 'SKU-123', barcode: '5901234123457', listPrice: 39.99, stock: [{ quantity: 25, reserved: 3 }] },
          { name: 'No SKU yet', listPrice: 5 },
        ],
      }),
    });
    const req = parseHttp(sample('json2-search_read.request.http'));
    const body = sample('json2-product-stock-changed-since.request.constructed.json');
    const res = await sim.app.request('/json/2/product.product/search_read', { method: 'POST', headers: req.headers, body });
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Array<Record<string, unknown>>;
    const asked = JSON.parse(body).fields as string[];
    expect(rows).toEqual([
      {
        id: expect.any(Number), default_code: 'SKU-123', barcode: '5901234123457', name: 'Kubek ceramiczny', list_price: 39.99,
        qty_available: 25, free_qty: 22, virtual_available: 25, write_date: '2025-11-20 09:00:00',
      },
    ]);
    expect(Object.keys(rows[0]!).sort()).toEqual([...asked].sort());
  });

  it('replays jsonrpc-authenticate and returns exactly its response', async () => {
    const sim = createOdooSimulator(botOptions);
    const res = await sim.app.request('/jsonrpc', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sample('jsonrpc-authenticate.request.constructed.json'),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(sampleJson('jsonrpc-authenticate.response.constructed.json'));
  });

  it('replays jsonrpc-execute_kw-search_read on matching data and returns exactly its response', async () => {
    const clock = fixedClock('2025-11-20 09:14:02');
    const sim = createOdooSimulator({
      ...botOptions,
      clock: clock.now,
      seed: { products: [{ id: 18, name: 'Kubek ceramiczny', sku: 'SKU-123', listPrice: 39.99, stock: [{ location: 'WH/Stock', quantity: 25, reserved: 3, quantId: 41 }] }] },
    });
    const res = await sim.app.request('/jsonrpc', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sample('jsonrpc-execute_kw-search_read.request.constructed.json'),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(sampleJson('jsonrpc-execute_kw-search_read.response.constructed.json'));
  });

  it('returns JSON-RPC errors in the shape of jsonrpc-error.response.constructed.json, with HTTP 200', async () => {
    const sim = createOdooSimulator(botOptions);
    const call = JSON.parse(sample('jsonrpc-execute_kw-search_read.request.constructed.json'));
    call.params.args[3] = 'stock.nonexistent';
    const res = await sim.app.request('/jsonrpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { error: { code: number; message: string; data: unknown } };
    const expected = sampleJson<{ error: { code: number; message: string } }>('jsonrpc-error.response.constructed.json');
    expect(sameShape(body, expected)).toEqual([]);
    expect(body.error.code).toBe(expected.error.code);
    expect(body.error.message).toBe(expected.error.message);
    expect(body.error.data).toMatchObject({ name: 'odoo.exceptions.UserError', message: "Object stock.nonexistent doesn't exist" });
  });
});
