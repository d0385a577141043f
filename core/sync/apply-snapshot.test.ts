import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductSnapshot } from '../sdk/model.ts';
import { createDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import { type ApplyResult, applySnapshot, createNewProducts, prefetchSnapshots } from './apply-snapshot.ts';
import { Bindings } from './bindings.ts';
import type { RuntimeConnection } from './runtime.ts';

// The content, price and stock owner (an ERP), as much of a runtime connection as applying snapshots reads.
const erp = {
  name: 'erp', owns: ['content', 'price', 'stock', 'category', 'status'], policy: { receives: [] }, saleLocation: 'default',
  def: { capabilities: {} }, onDrift: 'overwrite', pollEveryMs: 60_000,
} as unknown as RuntimeConnection;

const page: ProductSnapshot[] = [
  {
    externalId: 'p1', title: { en: 'Mug', pl: 'Kubek' }, description: { en: '<p>Big</p>' }, brand: 'Acme', category: 'kitchen', attributes: { material: 'clay' },
    images: [{ url: 'https://img/1.jpg', sha256: 'ab' }], status: 'draft',
    variants: [
      { externalId: 'v1a', sku: 'MUG-R', ean: '5900000000011', title: { en: 'Red' }, attributes: { colour: 'red' }, price: { gross: '12.30', net: '10.00', currency: 'PLN' }, stock: { available: 5 } },
      { externalId: 'v1b', sku: 'MUG-B', price: { gross: '12.30', currency: 'PLN' }, stock: { available: 0 } },
    ],
  },
  // Two channel items with one SKU: one is linked, the other reported as a duplicate listing.
  { externalId: 'p2', title: { en: 'Cup' }, variants: [{ externalId: 'v2', sku: 'DUP', price: { net: '4.00', currency: 'PLN' }, stock: { available: 3 } }] },
  { externalId: 'p3', title: { en: 'Cup again' }, variants: [{ externalId: 'v3', sku: 'DUP', stock: { available: 1 } }] },
  // A new SKU whose EAN the catalogue knows: linked by EAN, not created.
  { externalId: 'p4', title: { en: 'Plate' }, variants: [{ externalId: 'v4', sku: 'PLATE-NEW', ean: '5900000000028', stock: { available: 2 } }] },
  // Already linked: its price and stock are applied.
  { externalId: 'p5', title: { en: 'Bowl' }, variants: [{ externalId: 'v5', sku: 'BOWL', price: { gross: '9.99', currency: 'PLN' }, stock: { available: 4 } }] },
  { externalId: 'p6', title: { en: 'Jug' }, variants: [{ externalId: 'v6', sku: 'JUG', ean: '5900000000035', stock: { available: -2 } }] },
  // No SKU: reported, never created.
  { externalId: 'p7', title: { en: 'Lid' }, variants: [{ externalId: 'v7', sku: null }] },
];

async function seed(db: Database) {
  await db.query(`INSERT INTO products (id, title) VALUES ('00000000-0000-0000-0000-0000000000a1', '{"en":"Plate"}'), ('00000000-0000-0000-0000-0000000000a2', '{"en":"Bowl"}')`);
  await db.query(`INSERT INTO variants (id, product_id, sku, ean) VALUES
    ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'PLATE', '5900000000028'),
    ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a2', 'BOWL', NULL)`);
  await db.query(`INSERT INTO prices (variant_id, currency, gross, net, tax_rate) VALUES ('00000000-0000-0000-0000-0000000000b2', 'PLN', 8.61, 7.00, 0.23)`);
  await db.query(`INSERT INTO bindings (connection, kind, external_id, internal_id, link_state, origin, sku, product_external_id) VALUES
    ('erp', 'product', 'p5', '00000000-0000-0000-0000-0000000000a2', 'linked', 'created', NULL, NULL),
    ('erp', 'variant', 'v5', '00000000-0000-0000-0000-0000000000b2', 'linked', 'created', 'BOWL', 'p5')`);
}

/** Everything applying wrote, with generated ids replaced by what identifies them (SKU, channel id). */
async function dump(db: Database) {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    products: await q(`SELECT p.title, p.description, p.brand, p.category, p.attributes, p.images, p.status, array_agg(v.sku ORDER BY v.sku) AS skus
                         FROM products p JOIN variants v ON v.product_id = p.id GROUP BY p.id ORDER BY min(v.sku)`),
    variants: await q('SELECT sku, ean, title, attributes, images, status FROM variants ORDER BY sku'),
    prices: await q('SELECT v.sku, p.currency, p.gross::text, p.net::text, p.tax_rate::text FROM prices p JOIN variants v ON v.id = p.variant_id ORDER BY v.sku'),
    bindings: await q(`SELECT b.kind, b.external_id, b.link_state, b.link_reason, b.origin, b.sku, b.product_external_id,
                              coalesce(v.sku, (SELECT min(x.sku) FROM variants x WHERE x.product_id = b.internal_id)) AS target
                         FROM bindings b LEFT JOIN variants v ON v.id = b.internal_id ORDER BY b.kind, b.external_id`),
    ledger: await q('SELECT l.origin, v.sku, l.location_id, l.quantity, l.kind, l.connection, l.details FROM stock_ledger l JOIN variants v ON v.id = l.variant_id ORDER BY l.origin'),
    levels: await q('SELECT v.sku, s.location_id, s.on_hand FROM stock_levels s JOIN variants v ON v.id = s.variant_id ORDER BY v.sku'),
  };
}

const summary = (r: ApplyResult) => ({ changed: r.changed.size, heal: r.heal.size, unlinked: r.unlinked, pollOrders: r.pollOrders ?? false });

describe('createNewProducts: a sweep page\u2019s new products created together, as applySnapshot one by one', () => {
  const dbs: Array<{ db: Database; drop(): Promise<void> }> = [];
  const open = async (label: string) => {
    const fresh = await freshDatabase(label);
    const db = createDatabase(fresh.url);
    await migrate(db);
    await seed(db);
    dbs.push({ db, drop: fresh.drop });
    return db;
  };
  let bulk: Database;
  let single: Database;

  beforeAll(async () => {
    bulk = await open('apply_bulk');
    single = await open('apply_single');
  });
  afterAll(async () => {
    for (const d of dbs) {
      await d.db.end();
      await d.drop();
    }
  });

  it('writes the same catalogue, bindings, prices and ledger, with the same results', async () => {
    const bindingsBulk = new Bindings(bulk);
    const prefetchBulk = await prefetchSnapshots(bulk, bindingsBulk, erp, page);
    const created = await createNewProducts(bulk, bindingsBulk, erp, page, prefetchBulk);
    // Only the products nothing else in the page or the catalogue touches are created together.
    expect([...created.keys()].sort()).toEqual(['p1', 'p6']);
    const bulkResults = [];
    for (const s of page) bulkResults.push(summary(created.get(s.externalId) ?? (await applySnapshot(bulk, bindingsBulk, erp, s, prefetchBulk))));

    const bindingsSingle = new Bindings(single);
    const prefetchSingle = await prefetchSnapshots(single, bindingsSingle, erp, page);
    const singleResults = [];
    for (const s of page) singleResults.push(summary(await applySnapshot(single, bindingsSingle, erp, s, prefetchSingle)));

    expect(bulkResults).toEqual(singleResults);
    const [b, s] = [await dump(bulk), await dump(single)];
    expect(b).toEqual(s);

    // And what that is: the duplicate SKU is linked once and reported once, the EAN links, the counts are initial.
    const binding = (id: string) => b.bindings.find((x) => x.kind === 'variant' && x.external_id === id);
    expect(binding('v2')).toMatchObject({ link_state: 'linked', origin: 'created', target: 'DUP' });
    expect(binding('v3')).toMatchObject({ link_state: 'ambiguous', link_reason: 'SKU DUP is already linked to v2 on erp (duplicate listing?)' });
    expect(binding('v4')).toMatchObject({ link_state: 'linked', origin: 'auto:ean', target: 'PLATE' });
    expect(binding('v7')).toMatchObject({ link_state: 'unlinked' });
    expect(b.products.find((p) => p.skus.includes('MUG-R'))).toMatchObject({ brand: 'Acme', category: 'kitchen', status: 'draft', skus: ['MUG-B', 'MUG-R'] });
    expect(b.prices.filter((p) => p.sku.startsWith('MUG'))).toEqual([
      { sku: 'MUG-B', currency: 'PLN', gross: '12.3000', net: '12.3000', tax_rate: '0.0000' },
      { sku: 'MUG-R', currency: 'PLN', gross: '12.3000', net: '10.0000', tax_rate: '0.2300' },
    ]);
    expect(b.ledger.filter((l) => ['MUG-R', 'MUG-B', 'JUG'].includes(l.sku))).toEqual([
      { origin: 'erp:stock:v1a:0->5:0', sku: 'MUG-R', location_id: 'default', quantity: 5, kind: 'initial', connection: 'erp', details: { observed: 5, previous: 0 } },
      { origin: 'erp:stock:v6:0->-2:0', sku: 'JUG', location_id: 'default', quantity: -2, kind: 'initial', connection: 'erp', details: { observed: -2, previous: 0 } },
    ]);
    expect(b.levels.find((l) => l.sku === 'MUG-B')).toMatchObject({ on_hand: 0 });

    // A second sweep of the same page creates nothing and changes nothing.
    const again = await prefetchSnapshots(bulk, bindingsBulk, erp, page);
    expect((await createNewProducts(bulk, bindingsBulk, erp, page, again)).size).toBe(0);
  });

  it('leaves a product whose lock an apply holds to applySnapshot, which creates it once', async () => {
    const db = await open('apply_locked');
    const bindings = new Bindings(db);
    const snaps: ProductSnapshot[] = [
      { externalId: 'q1', title: { en: 'Fork' }, variants: [{ externalId: 'w1', sku: 'FORK', stock: { available: 1 } }] },
      { externalId: 'q2', title: { en: 'Knife' }, variants: [{ externalId: 'w2', sku: 'KNIFE', stock: { available: 2 } }] },
    ];
    const other = await db.connect();
    try {
      // A hint applying q1 at the same time holds its lock.
      await other.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', ['omnihub:apply:erp:q1']);
      const prefetch = await prefetchSnapshots(db, bindings, erp, snaps);
      const created = await createNewProducts(db, bindings, erp, snaps, prefetch);
      expect([...created.keys()]).toEqual(['q2']);
      const waiting = applySnapshot(db, bindings, erp, snaps[0]!, prefetch);
      await other.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', ['omnihub:apply:erp:q1']);
      expect((await waiting).changed.size).toBe(1);
    } finally {
      other.release();
    }
    const { rows } = await db.query<{ sku: string; n: number }>("SELECT sku, count(*)::int AS n FROM variants WHERE sku IN ('FORK', 'KNIFE') GROUP BY sku ORDER BY sku");
    expect(rows).toEqual([{ sku: 'FORK', n: 1 }, { sku: 'KNIFE', n: 1 }]);
    expect((await bindings.all('erp', 'variant')).filter((b) => b.externalId.startsWith('w')).map((b) => [b.externalId, b.linkState, b.origin])).toEqual([['w2', 'linked', 'created'], ['w1', 'linked', 'created']]);
  });
});
