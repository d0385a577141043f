import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../tests/support/db.ts';
import { createDatabase, type Database } from './database.ts';
import { migrate, readMigrations } from './migrate.ts';

describe('migrations', () => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabase('migrate');
    drop = fresh.drop;
    db = createDatabase(fresh.url);
  });
  afterAll(async () => {
    await db.end();
    await drop();
  });

  it('creates every core table of the canonical model', async () => {
    const { applied } = await migrate(db);
    expect(applied).toEqual(readMigrations().map((m) => `${m.version}_${m.name}`));
    const { rows } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'products', 'variants', 'prices', 'promotions', 'locations', 'stock_ledger', 'stock_levels', 'reservations',
        'orders', 'order_lines', 'bindings', 'drift', 'inbound_events', 'checkpoints', 'conversations', 'messages',
        'customers', 'customer_identities', 'dead_letters', 'audit_log', 'connection_state', 'schema_migrations',
      ]),
    );
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    const before = await db.query('SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version');
    const { applied } = await migrate(db);
    expect(applied).toEqual([]);
    const after = await db.query('SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version');
    expect(after.rows).toEqual(before.rows);
  });

  it('concurrent runs serialise on the advisory lock and apply each migration once', async () => {
    const fresh = await freshDatabase('migrate_concurrent');
    const other = createDatabase(fresh.url);
    try {
      const results = await Promise.all([migrate(other), migrate(other), migrate(other)]);
      expect(results.flatMap((r) => r.applied)).toHaveLength(readMigrations().length);
    } finally {
      await other.end();
      await fresh.drop();
    }
  });

  it('refuses to run when an applied migration file was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'different' } : m));
    await expect(migrate(db, edited)).rejects.toThrow(/0001_core was changed after it was applied; add a new migration/);
  });

  it('a failing migration rolls back and names itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-mig-'));
    writeFileSync(join(dir, '0999_broken.sql'), 'CREATE TABLE ok_then_fail (id int); SELECT * FROM no_such_table;');
    await expect(migrate(db, [...readMigrations(), ...readMigrations(dir)])).rejects.toThrow(/migration 0999_broken failed: .*no_such_table/);
    const { rowCount } = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'ok_then_fail'");
    expect(rowCount).toBe(0);
  });

  it('the stock ledger rejects a replayed origin, so a replayed order cannot double-decrement', async () => {
    await db.query("INSERT INTO locations (id, name) VALUES ('main', 'Main')");
    const p = await db.query<{ id: string }>("INSERT INTO products (title) VALUES ('{\"en\":\"Tee\"}') RETURNING id");
    const v = await db.query<{ id: string }>('INSERT INTO variants (product_id, sku) VALUES ($1, $2) RETURNING id', [p.rows[0]!.id, 'TEE-M']);
    const insert = () =>
      db.query(
        "INSERT INTO stock_ledger (origin, variant_id, location_id, quantity, kind) VALUES ('shop:order:1:line:1', $1, 'main', -1, 'order_line') ON CONFLICT (origin) DO NOTHING",
        [v.rows[0]!.id],
      );
    expect((await insert()).rowCount).toBe(1);
    expect((await insert()).rowCount).toBe(0);
  });
});
