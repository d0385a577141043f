import { createPostgresBackend, type QueueOptions, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Where BullMQ keeps its jobs. One code path for both: the queue and worker classes are the same, only the
 * connection and the backend factory differ.
 * - `postgres` (default): BullMQ's PostgreSQL backend in the hub's own database, schema `bullmq`; no extra service.
 * - `redis`: when `REDIS_URL` (or `queue.redisUrl`) is set, for several `omnihub worker` processes across machines.
 */
export type QueueBackend =
  | { kind: 'postgres'; databaseUrl: string; /** default `bullmq` */ schema?: string }
  | { kind: 'redis'; redisUrl: string; /** key prefix, default `omnihub` */ prefix?: string };

type AnyFactory = Parameters<typeof createPostgresBackend> extends never ? never : typeof createPostgresBackend | undefined;

export interface BackendParts {
  /** Connection options for a Queue or Worker. */
  connection(): QueueOptions['connection'];
  /** BullMQ backend factory: undefined selects BullMQ's default (Redis). */
  factory: AnyFactory;
  /** Redis key prefix (the PostgreSQL backend namespaces by schema instead). */
  prefix: string | undefined;
  /** Closes the connections this module created itself. */
  close(): Promise<void>;
}

export function backendParts(backend: QueueBackend): BackendParts {
  if (backend.kind === 'postgres') {
    return {
      // `migrate: true` creates/updates BullMQ's own tables; without it a worker loops on errors.
      connection: () => ({ connectionString: backend.databaseUrl, schema: backend.schema ?? 'bullmq', migrate: true, max: 4, connectionTimeoutMillis: 5_000 }) as never,
      factory: createPostgresBackend,
      prefix: undefined,
      close: async () => undefined,
    };
  }
  const clients: Redis[] = [];
  return {
    connection: () => {
      // BullMQ requires maxRetriesPerRequest: null so blocking commands survive a Redis restart.
      const client = new Redis(backend.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
      client.on('error', () => undefined); // reported through health checks and job failures instead
      clients.push(client);
      return client;
    },
    factory: undefined,
    prefix: backend.prefix ?? 'omnihub',
    close: async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

export type { WorkerOptions };
