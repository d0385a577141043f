import { describe, expect, it } from 'vitest';
import { createOdooSimulator } from './index.ts';
import { fixedClock, kw, rpc } from './test-helpers.ts';

const seed = { products: [{ id: 5, name: 'Mug', sku: 'MUG-1', barcode: '111', listPrice: 10 }] };

describe('Odoo JSON-RPC (/jsonrpc)', () => {
  it('common.version reports the configured server version', async () => {
    const sim = createOdooSimulator({ serverVersion: '17.0' });
    const { body } = await rpc(sim, 'common', 'version', []);
    expect(body.result).toEqual({ server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 });
  });

  it('authenticate accepts the password or an API key and answers false otherwise', async () => {
    const sim = createOdooSimulator({ apiKey: 'k-123' });
    expect((await rpc(sim, 'common', 'authenticate', ['mycompany', 'admin', 'admin', {}])).body.result).toBe(2);
    expect((await rpc(sim, 'common', 'authenticate', ['mycompany', 'admin', 'k-123', {}])).body.result).toBe(2);
    const wrong = await rpc(sim, 'common', 'authenticate', ['mycompany', 'admin', 'nope', {}]);
    expect(wrong.status).toBe(200);
    expect(wrong.body).toEqual({ jsonrpc: '2.0', id: 1, result: false });
  });

  it('an error is HTTP 200 with an error object: code 200, "Odoo Server Error", serialized exception', async () => {
    const sim = createOdooSimulator({ seed });
    const res = await rpc(sim, 'object', 'execute_kw', ['mycompany', 2, 'wrong-password', 'product.product', 'search', [[]]], 9);
    expect(res.status).toBe(200);
    expect(res.body.result).toBeUndefined();
    expect(res.body.id).toBe(9);
    expect(res.body.error).toMatchObject({
      code: 200,
      message: 'Odoo Server Error',
      data: { name: 'odoo.exceptions.AccessDenied', message: 'Access Denied', arguments: ['Access Denied'], context: {} },
    });
    expect(typeof res.body.error.data.debug).toBe('string');
    expect(JSON.stringify(res.body)).not.toContain('wrong-password');
  });

  it('maps Odoo failures to their exception classes', async () => {
    const sim = createOdooSimulator({ seed });
    const err = async (model: string, method: string, args: unknown[], kwargs = {}) => (await kw(sim, model, method, args, kwargs)).body.error?.data;
    expect(await err('no.such.model', 'search', [[]])).toMatchObject({ name: 'odoo.exceptions.UserError', message: "Object no.such.model doesn't exist" });
    expect(await err('product.product', 'frobnicate', [[]])).toMatchObject({ name: 'builtins.AttributeError', message: "The method 'frobnicate' does not exist on the model 'product.product'" });
    expect(await err('product.product', 'read', [[5]], { fields: ['nope'] })).toMatchObject({ name: 'builtins.ValueError', message: "Invalid field 'nope' on model 'product.product'" });
    expect(await err('product.product', 'search', [[['nope', '=', 1]]])).toMatchObject({ name: 'builtins.ValueError', message: "Invalid field product.product.nope in leaf ('nope', '=', 1)" });
    expect(await err('product.pricelist', '_get_product_price', [[1]])).toMatchObject({ name: 'odoo.exceptions.AccessError', message: "Private methods (such as 'product.pricelist._get_product_price') cannot be called remotely." });
    expect(await err('product.product', 'write', [[999], { standard_price: 1 }])).toMatchObject({ name: 'odoo.exceptions.MissingError', message: 'Record does not exist or has been deleted.\n(Record: product.product(999,), User: 2)' });
    expect(await err('product.product', 'create', [{ product_tmpl_id: 1, barcode: '111' }])).toMatchObject({ name: 'odoo.exceptions.ValidationError', message: expect.stringContaining('Barcode "111" already assigned to product(s): [MUG-1] Mug') });
    expect(await err('product.template', 'create', [{ list_price: 3 }])).toMatchObject({ name: 'odoo.exceptions.ValidationError', message: expect.stringContaining('Field: Name (name)') });
    expect(await err('product.product', 'search', [[]], { limt: 3 })).toMatchObject({ name: 'builtins.TypeError', message: "search() got an unexpected keyword argument 'limt'" });
  });

  it('uses the 17.0 private-method message on a 17.0 server', async () => {
    const sim = createOdooSimulator({ serverVersion: '17.0' });
    const res = await kw(sim, 'product.pricelist', '_get_product_price', [[1]]);
    expect(res.body.error.data.message).toBe('Private methods (such as _get_product_price) cannot be called remotely.');
  });

  it('create with one dict returns an id, with a list returns ids; write/read/unlink round-trip', async () => {
    const sim = createOdooSimulator();
    const one = await kw(sim, 'res.partner', 'create', [{ name: 'Anna' }]);
    expect(typeof one.body.result).toBe('number');
    const many = await kw(sim, 'res.partner', 'create', [[{ name: 'Bob' }, { name: 'Cyd' }]]);
    expect(many.body.result).toHaveLength(2);
    expect((await kw(sim, 'res.partner', 'write', [[one.body.result], { email: 'a@example.com' }])).body.result).toBe(true);
    const read = await kw(sim, 'res.partner', 'read', [[one.body.result]], { fields: ['name', 'email', 'parent_id'] });
    expect(read.body.result).toEqual([{ id: one.body.result, name: 'Anna', email: 'a@example.com', parent_id: false }]);
    expect((await kw(sim, 'res.partner', 'unlink', [many.body.result])).body.result).toBe(true);
    expect((await kw(sim, 'res.partner', 'search_count', [[['id', 'in', many.body.result]]])).body.result).toBe(0);
  });

  it('name_search returns [id, display_name] pairs and fields_get describes fields', async () => {
    const sim = createOdooSimulator({ seed });
    expect((await kw(sim, 'product.product', 'name_search', ['mug'])).body.result).toEqual([[5, '[MUG-1] Mug']]);
    const fields = (await kw(sim, 'product.product', 'fields_get', [], { attributes: ['type', 'relation'] })).body.result;
    expect(fields.product_tmpl_id).toEqual({ type: 'many2one', relation: 'product.template' });
    expect(fields.free_qty).toEqual({ type: 'float' });
  });

  it('refuses logins during the cooldown after 5 failures, shortened by rateLimitScale', async () => {
    const clock = fixedClock('2025-01-01 00:00:00');
    const sim = createOdooSimulator({ clock: clock.now, rateLimitScale: 10 });
    for (let i = 0; i < 5; i++) expect((await rpc(sim, 'common', 'authenticate', ['mycompany', 'admin', 'bad', {}])).body.result).toBe(false);
    expect((await rpc(sim, 'common', 'authenticate', ['mycompany', 'admin', 'admin', {}])).body.result).toBe(false);
    clock.advance(5); // 60 s / 10 = 6 s: still cooling down
    expect((await rpc(sim, 'common', 'authenticate', ['mycompany', 'admin', 'admin', {}])).body.result).toBe(false);
    clock.advance(1);
    expect((await rpc(sim, 'common', 'authenticate', ['mycompany', 'admin', 'admin', {}])).body.result).toBe(2);
  });

  it('rejects a body that is not JSON-typed like the real dispatcher, and an unknown database', async () => {
    const sim = createOdooSimulator();
    const res = await sim.app.request('/jsonrpc', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(res.status).toBe(400);
    const db = await rpc(sim, 'common', 'authenticate', ['otherdb', 'admin', 'admin', {}]);
    expect(db.body.error.data.name).toBe('psycopg2.OperationalError');
  });
});
