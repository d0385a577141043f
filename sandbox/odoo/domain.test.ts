import { describe, expect, it } from 'vitest';
import { createOdooSimulator } from './index.ts';
import { json2 } from './test-helpers.ts';

/** Domain semantics, through JSON-2 `search_read` (the same ORM core serves JSON-RPC). */
function setup() {
  return createOdooSimulator({
    seed: {
      partners: [
        { id: 10, name: 'Alpha Sp. z o.o.', isCompany: true, city: 'Kraków', email: 'a@example.com' },
        { id: 11, name: 'beta_shop', isCompany: true, city: 'Gdańsk' },
        { id: 12, name: 'Gamma', isCompany: false, city: 'Kraków' },
        { id: 13, name: 'Delta 100%', isCompany: false },
      ],
    },
  });
}

async function names(sim: ReturnType<typeof setup>, domain: unknown[], extra: Record<string, unknown> = {}): Promise<string[]> {
  const res = await json2(sim, 'res.partner', 'search_read', { domain: [['id', '>=', 10], ...domain], fields: ['name'], order: 'id', ...extra });
  expect(res.status).toBe(200);
  return res.body.map((r: { name: string }) => r.name);
}

describe('Odoo domains', () => {
  it('AND-s consecutive leaves and evaluates prefix &, |, !', async () => {
    const sim = setup();
    expect(await names(sim, [['is_company', '=', true], ['city', '=', 'Kraków']])).toEqual(['Alpha Sp. z o.o.']);
    expect(await names(sim, ['|', ['city', '=', 'Gdańsk'], ['name', '=', 'Gamma']])).toEqual(['beta_shop', 'Gamma']);
    expect(await names(sim, ['!', ['is_company', '=', true]])).toEqual(['Gamma', 'Delta 100%']);
    // '|' binds the next two terms only; the third is AND-ed: (A | B) & C
    expect(await names(sim, ['|', ['city', '=', 'Gdańsk'], ['city', '=', 'Kraków'], ['is_company', '=', false]])).toEqual(['Gamma']);
    expect(await names(sim, ['&', '|', ['name', '=', 'Gamma'], ['name', '=', 'beta_shop'], ['is_company', '=', true]])).toEqual(['beta_shop']);
  });

  it('treats False like SQL NULL: = False matches unset, != and not in include unset rows', async () => {
    const sim = setup();
    expect(await names(sim, [['city', '=', false]])).toEqual(['Delta 100%']);
    expect(await names(sim, [['city', '!=', false]])).toEqual(['Alpha Sp. z o.o.', 'beta_shop', 'Gamma']);
    expect(await names(sim, [['city', '!=', 'Kraków']])).toEqual(['beta_shop', 'Delta 100%']);
    expect(await names(sim, [['city', 'not in', ['Kraków']]])).toEqual(['beta_shop', 'Delta 100%']);
    expect(await names(sim, [['city', 'in', ['Gdańsk', false]]])).toEqual(['beta_shop', 'Delta 100%']);
    expect(await names(sim, [['city', '>', 'A']])).toEqual(['Alpha Sp. z o.o.', 'beta_shop', 'Gamma']);
  });

  it('compares numbers and ids with =, !=, >, >=, <, <=, in, not in', async () => {
    const sim = setup();
    expect(await names(sim, [['id', '>', 11], ['id', '<=', 13], ['id', '!=', 12]])).toEqual(['Delta 100%']);
    expect(await names(sim, [['id', 'in', [10, 13]]])).toEqual(['Alpha Sp. z o.o.', 'Delta 100%']);
    expect(await names(sim, [['id', 'not in', [10, 13]], ['id', '<', 13]])).toEqual(['beta_shop', 'Gamma']);
    expect(await names(sim, [['id', '>=', 13]])).toEqual(['Delta 100%']);
  });

  it('implements like/ilike (wrapped in %…%), =like/=ilike (raw pattern, _ and % wildcards) and their negations', async () => {
    const sim = setup();
    expect(await names(sim, [['name', 'like', 'amm']])).toEqual(['Gamma']);
    expect(await names(sim, [['name', 'like', 'GAMMA']])).toEqual([]);
    expect(await names(sim, [['name', 'ilike', 'GAMMA']])).toEqual(['Gamma']);
    expect(await names(sim, [['name', '=like', 'beta\\_%']])).toEqual(['beta_shop']);
    expect(await names(sim, [['name', '=like', 'Gam']])).toEqual([]);
    expect(await names(sim, [['name', '=ilike', 'g_mma']])).toEqual(['Gamma']);
    expect(await names(sim, [['name', 'ilike', '100\\%']])).toEqual(['Delta 100%']);
    expect(await names(sim, [['email', 'not ilike', 'example']])).toEqual(['beta_shop', 'Gamma', 'Delta 100%']);
  });

  it('follows dotted paths, many2one by name, and child_of on locations', async () => {
    const sim = createOdooSimulator({
      seed: {
        warehouses: [{ code: 'KRK', name: 'Kraków' }],
        locations: [{ name: 'Shelf 1', parent: 'WH/Stock' }],
        products: [{ name: 'Mug', sku: 'MUG', stock: [{ location: 'WH/Stock/Shelf 1', quantity: 1 }, { location: 'KRK/Stock', quantity: 2 }] }],
      },
    });
    const qty = async (domain: unknown[]) =>
      ((await json2(sim, 'stock.quant', 'search_read', { domain, fields: ['quantity'] })).body as Array<{ quantity: number }>).map((q) => q.quantity).sort();
    expect(await qty([['location_id', 'child_of', 8]])).toEqual([1]);
    expect(await qty([['location_id.usage', '=', 'internal'], ['product_id.default_code', '=', 'MUG']])).toEqual([1, 2]);
    expect(await qty([['location_id', 'ilike', 'KRK']])).toEqual([2]);
    expect(await qty([['warehouse_id.code', '=', 'KRK']])).toEqual([2]);
  });

  it('hides archived records unless the domain mentions active or active_test is off', async () => {
    const sim = setup();
    await json2(sim, 'res.partner', 'write', { ids: [12], vals: { active: false } });
    expect(await names(sim, [])).toEqual(['Alpha Sp. z o.o.', 'beta_shop', 'Delta 100%']);
    expect(await names(sim, [['active', '=', false]])).toEqual(['Gamma']);
    expect(await names(sim, [], { context: { active_test: false } })).toEqual(['Alpha Sp. z o.o.', 'beta_shop', 'Gamma', 'Delta 100%']);
  });

  it('applies order (several keys, asc/desc), offset and limit', async () => {
    const sim = setup();
    expect(await names(sim, [], { order: 'is_company desc, name desc' })).toEqual(['beta_shop', 'Alpha Sp. z o.o.', 'Gamma', 'Delta 100%']);
    expect(await names(sim, [], { order: 'id desc', offset: 1, limit: 2 })).toEqual(['Gamma', 'beta_shop']);
    const bad = await json2(sim, 'res.partner', 'search', { domain: [], order: 'nope asc' });
    expect(bad.status).toBe(500);
    expect(bad.body.message).toMatch(/^Invalid "order" specified \(nope asc\)/);
  });

  it('rejects malformed leaves and operators', async () => {
    const sim = setup();
    const res = await json2(sim, 'res.partner', 'search', { domain: [['name', 'contains', 'x']] });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ name: 'builtins.ValueError', message: "Invalid leaf ('name', 'contains', 'x')" });
  });
});
