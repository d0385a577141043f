import { describe, expect, it } from 'vitest';
import { createOdooSimulator } from './index.ts';
import { DOC_KEY, json2 } from './test-helpers.ts';

const seed = { products: [{ id: 5, name: 'Mug', sku: 'MUG-1', barcode: '111', listPrice: 10 }] };

describe('Odoo JSON-2 (/json/2/<model>/<method>)', () => {
  it('does not exist on a 17.0 server: 404, while /web/version and /jsonrpc answer', async () => {
    const sim = createOdooSimulator({ serverVersion: '17.0' });
    const res = await json2(sim, 'res.partner', 'search_read', { domain: [] });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const version = await sim.app.request('/web/version');
    expect(await version.json()).toEqual({ version_info: [17, 0, 0, 'final', 0, ''], version: '17.0' });
  });

  it('answers 401 for a bad or missing bearer key, with WWW-Authenticate', async () => {
    const sim = createOdooSimulator();
    const bad = await json2(sim, 'res.partner', 'search_read', {}, { authorization: 'bearer nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    expect(bad.body).toMatchObject({ name: 'werkzeug.exceptions.Unauthorized', message: 'Invalid apikey', arguments: ['Invalid apikey', 401] });
    const none = await json2(sim, 'res.partner', 'search_read', {}, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.body.message).toBe('User not authenticated, use an API Key with a Bearer Authorization header.');
    // The JSON-RPC password is not an API key.
    expect((await json2(sim, 'res.partner', 'search_read', {}, { authorization: 'bearer admin' })).status).toBe(401);
  });

  it('returns bare JSON results; create returns a list of ids; record methods take ids', async () => {
    const sim = createOdooSimulator({ seed });
    const created = await json2(sim, 'res.partner', 'create', { vals_list: [{ name: 'Anna' }] });
    expect(created.status).toBe(200);
    expect(created.body).toEqual([expect.any(Number)]);
    expect((await json2(sim, 'res.partner', 'write', { ids: created.body, vals: { city: 'Gdańsk' } })).body).toBe(true);
    expect((await json2(sim, 'res.partner', 'read', { ids: created.body, fields: ['city'] })).body).toEqual([{ id: created.body[0], city: 'Gdańsk' }]);
    expect((await json2(sim, 'product.product', 'search', { domain: [['default_code', '=', 'MUG-1']] })).body).toEqual([5]);
    expect((await json2(sim, 'product.product', 'search_count', { domain: [] })).body).toBe(1);
    expect((await json2(sim, 'res.users', 'context_get', {})).body).toMatchObject({ uid: 2, lang: 'en_US' });
  });

  it('maps errors to their HTTP status and the documented error object', async () => {
    const sim = createOdooSimulator({ seed });
    const cases: Array<[Promise<Awaited<ReturnType<typeof json2>>>, number, string, string]> = [
      [json2(sim, 'no.model', 'search', { domain: [] }), 404, 'werkzeug.exceptions.NotFound', "the model 'no.model' does not exist"],
      [json2(sim, 'res.partner', 'frobnicate', {}), 404, 'werkzeug.exceptions.NotFound', "The method 'res.partner.frobnicate' does not exist"],
      [json2(sim, 'res.partner', '_private', {}), 403, 'odoo.exceptions.AccessError', "Private methods (such as 'res.partner._private') cannot be called remotely."],
      [json2(sim, 'res.partner', 'search', { ids: [1], domain: [] }), 422, 'werkzeug.exceptions.UnprocessableEntity', 'cannot call res.partner.search with ids'],
      [json2(sim, 'res.partner', 'search', { domain: [], limt: 1 }), 422, 'werkzeug.exceptions.UnprocessableEntity', "got an unexpected keyword argument 'limt'"],
      [json2(sim, 'res.partner', 'search', {}), 422, 'werkzeug.exceptions.UnprocessableEntity', "missing a required argument: 'domain'"],
      [json2(sim, 'res.partner', 'create', { vals_list: [{ email: 'x@example.com' }] }), 422, 'odoo.exceptions.ValidationError', 'Contacts require a name'],
      [json2(sim, 'res.partner', 'write', { ids: [999], vals: { name: 'x' } }), 404, 'odoo.exceptions.MissingError', 'Record does not exist or has been deleted.\n(Record: res.partner(999,), User: 2)'],
      [json2(sim, 'res.partner', 'search_read', { domain: [['nope', '=', 1]] }), 500, 'builtins.ValueError', "Invalid field res.partner.nope in leaf ('nope', '=', 1)"],
    ];
    for (const [pending, status, name, message] of cases) {
      const res = await pending;
      expect({ status: res.status, name: res.body.name, message: res.body.message }).toEqual({ status, name, message });
      expect(Object.keys(res.body).sort()).toEqual(['arguments', 'context', 'debug', 'message', 'name']);
    }
  });

  it('rejects malformed bodies with 400 and other verbs or paths with the 404 hint', async () => {
    const sim = createOdooSimulator();
    const bad = await sim.app.request('/json/2/res.partner/search', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `bearer ${DOC_KEY}` }, body: '{"domain": [' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^could not parse the body as json/);
    const get = await sim.app.request('/json/2/res.partner/search', { headers: { authorization: `bearer ${DOC_KEY}` } });
    expect(get.status).toBe(404);
    expect(((await get.json()) as { message: string }).message).toBe('Did you mean POST /json/2/<model>/<method>?');
  });

  it('honours X-Odoo-Database: another database is not served', async () => {
    const sim = createOdooSimulator({ database: 'mycompany' });
    expect((await json2(sim, 'res.partner', 'search', { domain: [] }, { 'x-odoo-database': 'mycompany' })).status).toBe(200);
    expect((await json2(sim, 'res.partner', 'search', { domain: [] }, { 'x-odoo-database': 'other' })).status).toBe(404);
  });
});
