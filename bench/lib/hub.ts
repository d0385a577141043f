import { startEngine, type EngineHarness } from '../../core/conformance/engine.ts';
import type { ConnectorDefinition } from '../../core/sdk/define-connector.ts';
import type { BenchPostgres } from './infra.ts';

/**
 * A real engine (the conformance harness: migrations, BullMQ workers, engine timers) on a fresh database of the
 * bench's own PostgreSQL, queue in that database or in Redis. The same wiring `omnihub start` uses, minus HTTP.
 */
export async function benchEngine(pgServer: BenchPostgres, label: string, yaml: string, connectors: ConnectorDefinition[], redisUrl?: string): Promise<EngineHarness & { databaseName: string }> {
  let name = '';
  const harness = await startEngine(yaml, connectors, {
    database: async () => {
      const fresh = await pgServer.fresh(label);
      name = fresh.name;
      return fresh;
    },
    ...(redisUrl ? { redisUrl } : {}),
  });
  return Object.assign(harness, { databaseName: name });
}
