import type { ConnectorDefinition } from '../../core/sdk/define-connector.ts';
import { type EngineHarness, startEngine as start } from '../../core/conformance/engine.ts';
import { freshDatabase } from './db.ts';

export { serveApp, type EngineHarness } from '../../core/conformance/engine.ts';

/** A real engine on a fresh database of this test run's PostgreSQL (queue in PostgreSQL, or Redis when given). */
export function startEngine(yaml: string, connectors: ConnectorDefinition[], redisUrl?: string): Promise<EngineHarness> {
  return start(yaml, connectors, { database: () => freshDatabase('engine'), ...(redisUrl ? { redisUrl } : {}) });
}
