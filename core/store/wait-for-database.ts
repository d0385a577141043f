import type { Logger } from '../log/logger.ts';
import type { Database } from './database.ts';

/** Errors that go away by themselves: the server is starting, restarting, or briefly out of connections. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', '57P03', '53300']);

function isTransient(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  // pg reports a refused pool connect as AggregateError or "timeout exceeded when trying to connect".
  if (err instanceof AggregateError) return err.errors.some(isTransient);
  return /timeout exceeded when trying to connect|Connection terminated/i.test((err as Error).message ?? '');
}

/**
 * Waits until an external PostgreSQL answers, so a hub started while its database restarts (or before it, under a
 * process supervisor starting both) comes up instead of exiting. Refusals that waiting cannot fix (wrong password,
 * no such database) fail at once. `where` names the server without credentials, for the log and the error.
 */
export async function waitForDatabase(db: Database, opts: { log: Logger; where: string; timeoutMs?: number; sleep?: (ms: number) => Promise<void> }): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      await db.query('SELECT 1');
      if (attempt > 0) opts.log.info({ database: opts.where }, 'PostgreSQL is answering');
      return;
    } catch (err) {
      const reason = (err as Error).message || (err as { code?: string }).code || 'unknown error';
      if (!isTransient(err)) throw new Error(`PostgreSQL at ${opts.where} refused the hub: ${reason}`);
      if (Date.now() >= deadline) throw new Error(`PostgreSQL at ${opts.where} did not answer within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s: ${reason}`);
      opts.log.warn({ database: opts.where, attempt: attempt + 1, err: reason }, 'waiting for PostgreSQL');
      await sleep(Math.min(250 * 2 ** attempt, 5_000));
    }
  }
}

/** `host:port/database` of a connection URL, never its user or password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'the configured database';
  }
}
