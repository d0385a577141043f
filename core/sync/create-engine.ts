import { Redis } from 'ioredis';
import type { HubConfig } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import type { QueueSystem } from '../queue/queue-system.ts';
import type { Database } from '../store/database.ts';
import { Engine } from './engine.ts';
import { redisRateLimiter } from './redis-rate-limiter.ts';
import { buildConnections, memoryLimiters } from './runtime.ts';
import { vaultKey } from './vault.ts';

/**
 * The engine with the configured connections. With `sharedLimitsRedisUrl`, each connection's rate limit is one
 * budget in Redis for every process; otherwise it is kept in this process (which then owns the work anyway).
 */
export function createEngine(
  config: HubConfig,
  deps: { db: Database; queues: QueueSystem; log: Logger; sharedLimitsRedisUrl?: string | undefined },
): { engine: Engine; close(): Promise<void> } {
  const redis = deps.sharedLimitsRedisUrl ? new Redis(deps.sharedLimitsRedisUrl, { maxRetriesPerRequest: 3 }) : undefined;
  redis?.on('error', () => undefined);
  const memory = memoryLimiters();
  const engine: Engine = new Engine({
    db: deps.db,
    queues: deps.queues,
    log: deps.log,
    connections: buildConnections(config, {
      db: deps.db,
      log: deps.log,
      vaultKey: vaultKey(config.dataDir),
      secrets: config.secrets,
      // Not deduplicated by the poll's event id: those name a change by its second-resolution timestamp, so a second
      // change within the same second would be dropped as a repeat. Repeats only cost a read (pending ones coalesce).
      emit: async (connection, hint) => {
        await engine.intake(connection, undefined, [hint]);
      },
      limiterFor: (connection, limit) => (limit && redis ? redisRateLimiter(redis, connection, limit) : memory(connection, limit)),
    }),
  });
  return {
    engine,
    async close() {
      engine.stop();
      await redis?.quit().catch(() => undefined);
    },
  };
}
