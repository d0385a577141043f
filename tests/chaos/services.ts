import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '../../core/log/logger.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../core/store/embedded-postgres.ts';

/**
 * The hub's two servers, run by the chaos suite itself so it can take them away: a PostgreSQL the hub reaches as an
 * external server (DATABASE_URL) and a Redis (REDIS_URL). Each restarts on the same port, so the hub's processes
 * keep their URLs and must reconnect on their own.
 */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RestartablePostgres {
  readonly url: string;
  /** Fast shutdown (open connections are cut, as in a failover or a package upgrade), down for `downMs`, started again. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(dir: string, database: string): Promise<RestartablePostgres> {
  const log = createLogger({ level: 'warn', format: 'json' });
  let server: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), log, database });
  const port = server.port;
  return {
    url: server.url,
    async restart(downMs) {
      await server.stop();
      await sleep(downMs);
      server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), log, database, port });
    },
    stop: () => server.stop(),
  };
}

export interface RestartableRedis {
  readonly url: string;
  /** SIGKILL (a crash), down for `downMs`, started again on the same port from its append-only file. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Redis as BullMQ requires it in production: persistence on (append-only, fsync at every write), so a crash loses
 * no queued job. The hub's own durability does not depend on it (sync_requests live in PostgreSQL), but its
 * schedules (polls, sweeps) do.
 */
export async function startRedis(dir: string): Promise<RestartableRedis> {
  const port = await freePort();
  const dataDir = join(dir, 'redis');
  mkdirSync(dataDir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'];
  let child: ChildProcess;
  const launch = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const failed = await new Promise<boolean>((resolve) => {
      child.once('error', () => resolve(true));
      setTimeout(() => resolve(child.exitCode !== null), 300);
    });
    if (failed) throw new Error('redis-server could not be started (is it installed? apt-get install -y redis-server)');
  };
  const kill = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      await kill('SIGKILL');
      await sleep(downMs);
      await launch();
    },
    stop: () => kill('SIGTERM'),
  };
}
