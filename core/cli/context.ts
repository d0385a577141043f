import type { HubConfig } from '../config/load.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import type { QueueBackend } from '../queue/backend.ts';
import { QueueSystem } from '../queue/queue-system.ts';
import { openStore, type Store } from '../runtime.ts';
import { migrate } from '../store/migrate.ts';
import { createEngine } from '../sync/create-engine.ts';
import type { Engine } from '../sync/engine.ts';
import type { RuntimeConnection } from '../sync/runtime.ts';
import { loadOrExit } from './load-or-exit.ts';

/** Everything an operator command works with: config, store (migrated), connections, engine, queues. */
export interface CliContext {
  config: HubConfig;
  log: Logger;
  store: Store;
  connections: RuntimeConnection[];
  engine: Engine;
  /** Connects to the queue backend only when a queue is first used: read-only commands never touch it. */
  queues: QueueSystem;
  queueBackend: QueueBackend;
  close(): Promise<void>;
}

/** A failure the operator can act on: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {}

/**
 * Operator commands' output is on stdout (and `--json` must stay parseable), so logs go to stderr, and only
 * warnings unless the config asks for more detail.
 */
function cliLogger(config: HubConfig): Logger {
  const level = ['debug', 'trace'].includes(config.log.level) ? config.log.level : 'warn';
  return createLogger({ level, format: 'json', secrets: config.secrets, destination: process.stderr });
}

/**
 * Loads the config (exit 2 when broken), opens and migrates the store, and builds the connections. With
 * `workers: true` the rate limits are shared through Redis when configured, exactly as a worker process does.
 */
export async function openCli(configFile: string | undefined, command: string, options: { workers?: boolean } = {}): Promise<CliContext> {
  const config = await loadOrExit(configFile);
  const log = cliLogger(config);
  const store = await openStore(config, log);
  let queues: QueueSystem | undefined;
  let closeEngine: (() => Promise<void>) | undefined;
  try {
    await migrate(store.db);
    const redisUrl = config.queue.redisUrl?.reveal();
    const queueBackend: QueueBackend = redisUrl ? { kind: 'redis', redisUrl } : { kind: 'postgres', databaseUrl: store.url };
    queues = new QueueSystem(queueBackend, { db: store.db, log });
    const built = createEngine(config, { db: store.db, queues, log, sharedLimitsRedisUrl: options.workers ? redisUrl : undefined });
    closeEngine = built.close;
    const engine = built.engine;
    let closing: Promise<void> | undefined;
    const q = queues;
    return {
      config,
      log,
      store,
      connections: engine.connections,
      engine,
      queues,
      queueBackend,
      close() {
        closing ??= (async () => {
          await closeEngine?.();
          await q.close().catch(() => undefined);
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await closeEngine?.().catch(() => undefined);
    await queues?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Runs a command body with a context and always closes it. A CliError prints its message; anything else prints
 * "omnihub <command> failed: …"; both exit 1 (set as exitCode so pending output is flushed).
 */
export async function withCli(
  configFile: string | undefined,
  command: string,
  options: { workers?: boolean },
  body: (cli: CliContext) => Promise<number | void>,
): Promise<void> {
  let cli: CliContext | undefined;
  try {
    cli = await openCli(configFile, command, options);
    const code = await body(cli);
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    process.stderr.write(err instanceof CliError ? `${err.message}\n` : `omnihub ${command} failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await cli?.close().catch(() => undefined);
  }
}

/** Names of the selected connections, refusing names that are not configured (or are disabled). */
export function selectConnections(cli: CliContext, only: string | undefined): RuntimeConnection[] {
  if (!only) return cli.connections;
  const found = cli.connections.find((c) => c.name === only);
  if (!found) {
    const known = cli.connections.map((c) => c.name);
    throw new CliError(`no enabled connection named "${only}"${known.length ? ` (configured: ${known.join(', ')})` : ' (omnihub.yaml defines none)'}`);
  }
  return [found];
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
