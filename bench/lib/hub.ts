import { startEngine, type EngineHarness } from '../../core/conformance/engine.ts';
import type { ConnectorDefinition } from '../../core/sdk/define-connector.ts';
import { createDatabase } from '../../core/store/database.ts';
import { migrate } from '../../core/store/migrate.ts';
import type { Vault } from '../../core/sdk/context.ts';
import { databaseVault } from '../../core/sync/vault.ts';
import type { BenchPostgres } from './infra.ts';

/** startEngine's vault key (core/conformance/engine.ts): what a `prepare` step must encrypt with. */
const HARNESS_VAULT_KEY = Buffer.alloc(32, 7);

/**
 * A real engine (the conformance harness: migrations, BullMQ workers, engine timers) on a fresh database of the
 * bench's own PostgreSQL, queue in that database or in Redis. The same wiring `omnihub start` uses, minus HTTP.
 * `prepare` runs on the migrated database before any worker starts (e.g. a linked Allegro seller's token).
 */
export async function benchEngine(
  pgServer: BenchPostgres,
  label: string,
  yaml: string,
  connectors: ConnectorDefinition[],
  options: { redisUrl?: string; prepare?: (vault: (connection: string) => Vault) => Promise<void> } = {},
): Promise<EngineHarness & { databaseName: string }> {
  let name = '';
  const harness = await startEngine(yaml, connectors, {
    database: async () => {
      const fresh = await pgServer.fresh(label);
      name = fresh.name;
      if (options.prepare) {
        const db = createDatabase(fresh.url);
        try {
          await migrate(db);
          await options.prepare((connection) => databaseVault(db, connection, HARNESS_VAULT_KEY, () => undefined));
        } finally {
          await db.end();
        }
      }
      return fresh;
    },
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
  });
  return Object.assign(harness, { databaseName: name });
}
