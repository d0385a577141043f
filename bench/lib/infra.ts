import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '../../core/log/logger.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../core/store/embedded-postgres.ts';

/**
 * The real infrastructure a benchmark runs on: a private embedded PostgreSQL in a temporary folder (never the
 * developer's `.omnihub`), and a private `redis-server` when a scenario compares queue backends.
 */
export interface BenchPostgres {
  url: string;
  dataDir: string;
  fresh(label: string): Promise<{ url: string; name: string; drop(): Promise<void> }>;
  /** CPU seconds (user + system) used so far by every process of this server. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const CLK_TCK = 100;

/** CPU seconds of every process whose command line mentions `needle` (PostgreSQL backends name their cluster). */
function cpuOfProcesses(match: (cmdline: string, pid: number) => boolean): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!match(cmd, Number(entry))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime are fields 14–17 of /proc/<pid>/stat (11–14 after the name).
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended while we read it
    }
  }
  return ticks / CLK_TCK;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

export async function startPostgres(label: string): Promise<BenchPostgres> {
  const tmp = mkdtempSync(join(tmpdir(), `omnihub-bench-${label}-`));
  chmodSync(tmp, 0o755); // the server runs as "postgres" when the bench runs as root
  const dataDir = join(tmp, 'pg');
  const server: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, log: createLogger({ level: 'warn', format: 'json' }), database: 'postgres' });
  const postmaster = (): number | undefined => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (cmd.includes(dataDir) && cmd.includes('postgres')) return Number(entry);
      } catch {
        /* gone */
      }
    }
    return undefined;
  };
  const master = postmaster();
  return {
    url: server.url,
    dataDir,
    async fresh(name) {
      const db = `${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${db}"`);
      await admin.end();
      const url = new URL(server.url);
      url.pathname = `/${db}`;
      return {
        url: url.toString(),
        name: db,
        async drop() {
          const c = new pg.Client({ connectionString: server.url });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
          await c.end();
        },
      };
    },
    cpuSeconds: () => (master === undefined ? Number.NaN : cpuOfProcesses((_cmd, pid) => pid === master || parentOf(pid) === master)),
    async stop() {
      await server.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
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

export interface BenchRedis {
  url: string;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** A private redis-server, or a clear error when none is installed. */
export async function startRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    setTimeout(() => resolve(child.exitCode === null), 400);
  });
  if (!started) throw new Error('redis-server could not be started (is it installed? apt-get install -y redis-server)');
  return {
    url: `redis://127.0.0.1:${port}`,
    cpuSeconds: () => cpuOfProcesses((_cmd, pid) => pid === child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** This process's CPU seconds (user + system). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
