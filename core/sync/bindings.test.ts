import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import { Bindings } from './bindings.ts';

describe('Bindings batch writes: one statement, same result as one by one', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Database;
  let bindings: Bindings;
  const variants: string[] = [];

  beforeAll(async () => {
    fresh = await freshDatabase('bindings');
    db = createDatabase(fresh.url);
    await migrate(db);
    bindings = new Bindings(db);
    const p = await db.query<{ id: string }>(`INSERT INTO products (title) VALUES ('{"en":"Mug"}') RETURNING id`);
    for (const sku of ['A', 'B', 'C']) {
      variants.push((await db.query<{ id: string }>('INSERT INTO variants (product_id, sku) VALUES ($1, $2) RETURNING id', [p.rows[0]!.id, sku])).rows[0]!.id);
    }
  });
  afterAll(async () => {
    await db?.end();
    await fresh?.drop();
  });

  it('markPushedMany and markSeenMany merge groups like ||, entries for one binding in order', async () => {
    const a = await bindings.upsert({ connection: 'c', kind: 'variant', externalId: 'a', internalId: variants[0]!, linkState: 'linked', origin: 'auto:sku' });
    const b = await bindings.upsert({ connection: 'c', kind: 'variant', externalId: 'b', internalId: variants[1]!, linkState: 'linked', origin: 'auto:sku' });
    await bindings.markPushed(a.id, { price: { hash: 'p0' }, stock: { hash: 's0', value: 1 } });
    await bindings.park(a.id, 'refused');
    await bindings.markPushedMany([
      { id: a.id, groups: { stock: { hash: 's1', value: 2 } } },
      { id: b.id, groups: { price: { hash: 'p1' } } },
      { id: a.id, groups: { content: { hash: 'c1' } } },
    ]);
    await bindings.markSeenMany([{ id: b.id, groups: { stock: { hash: 'x', value: 5 } } }]);
    const after = await bindings.byInternal('c', 'variant', [variants[0]!, variants[1]!]);
    expect(after.get(variants[0]!)!.pushed).toEqual({ price: { hash: 'p0' }, stock: { hash: 's1', value: 2 }, content: { hash: 'c1' } });
    expect(after.get(variants[0]!)!.parkedReason).toBeNull();
    expect(after.get(variants[1]!)!.pushed).toEqual({ price: { hash: 'p1' } });
    expect(after.get(variants[1]!)!.seen).toEqual({ stock: { hash: 'x', value: 5 } });
  });

  it('upsertMany returns the bindings in the order given, and writes nothing when one item violates a constraint', async () => {
    const rows = await bindings.upsertMany([
      { connection: 'd', kind: 'variant', externalId: 'z', internalId: variants[2]!, linkState: 'linked', origin: 'created', sku: 'C' },
      { connection: 'd', kind: 'variant', externalId: 'y', internalId: null, linkState: 'unlinked', linkReason: 'no SKU', origin: 'auto' },
    ]);
    expect(rows.map((r) => [r.externalId, r.internalId, r.linkState, r.sku])).toEqual([['z', variants[2], 'linked', 'C'], ['y', null, 'unlinked', null]]);
    // 'x' takes a variant already linked to 'z' on this connection: the whole statement fails.
    const err = await bindings.upsertMany([
      { connection: 'd', kind: 'variant', externalId: 'w', internalId: variants[0]!, linkState: 'linked', origin: 'created' },
      { connection: 'd', kind: 'variant', externalId: 'x', internalId: variants[2]!, linkState: 'linked', origin: 'created' },
    ]).catch((e: { constraint?: string }) => e);
    expect((err as { constraint?: string }).constraint).toBe('bindings_internal');
    expect((await bindings.all('d', 'variant')).map((b) => b.externalId)).toEqual(['z', 'y']);
  });
});
