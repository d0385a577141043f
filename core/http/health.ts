import type { QueueSystem } from '../queue/queue-system.ts';
import type { Database } from '../store/database.ts';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the store and the queue for real, not a cached flag: /healthz must turn 503 the moment either is gone. */
export async function checkHealth(db: Database, queues: QueueSystem): Promise<HealthReport> {
  const checks: HealthReport['checks'] = {};
  await Promise.all([
    withTimeout(db.query('SELECT 1'), 3_000, 'PostgreSQL')
      .then(() => (checks.database = { ok: true }))
      .catch((err: Error) => (checks.database = { ok: false, detail: err.message || String(err) })),
    queues
      .ping(3_000)
      .then(() => (checks.queue = { ok: true, detail: queues.backend.kind }))
      .catch((err: Error) => (checks.queue = { ok: false, detail: `${queues.backend.kind}: ${err.message || String(err)}` })),
  ]);
  return { ok: Object.values(checks).every((c) => c.ok), checks };
}
