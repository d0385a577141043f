import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../core/log/logger.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../core/store/embedded-postgres.ts';

/**
 * One PostgreSQL and one Redis for the whole run: real servers, never mocks. Each test file makes its own database
 * (tests/support/db.ts) so files run in parallel without sharing state.
 * - PostgreSQL: TEST_DATABASE_URL if set, else an embedded server in a temporary folder.
 * - Redis: TEST_REDIS_URL if set, else a `redis-server` started here. In CI a missing Redis fails the run.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string | undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    setTimeout(() => resolve(child.exitCode === null), 300);
  });
  if (!started) return undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export default async function setup(project: TestProject) {
  const log = createLogger({ level: 'warn', format: 'json' });
  let pg: EmbeddedPostgres | undefined;
  let tmp: string | undefined;
  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    tmp = mkdtempSync(join(tmpdir(), 'omnihub-test-pg-'));
    chmodSync(tmp, 0o755); // the server runs as "postgres" when tests run as root
    pg = await startEmbeddedPostgres({ dataDir: join(tmp, 'pg'), log, database: 'postgres' });
    databaseUrl = pg.url;
  }
  let redisUrl = process.env.TEST_REDIS_URL;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  if (!redisUrl) {
    redis = await startRedis();
    redisUrl = redis?.url;
  }
  if (!redisUrl) {
    const msg = 'redis-server is not installed: the Redis queue backend cannot be tested (apt-get install -y redis-server)';
    if (process.env.CI) throw new Error(msg);
    console.warn(`\n!!! ${msg}; Redis tests are skipped on this machine.\n`);
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await redis?.stop();
    await pg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
}
