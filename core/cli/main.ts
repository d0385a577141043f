import { Command } from 'commander';
import { createLogger, type Logger } from '../log/logger.ts';
import type { HubConfig } from '../config/load.ts';
import { startHub } from '../runtime.ts';
import { openStore } from '../runtime.ts';
import { migrate } from '../store/migrate.ts';
import { loadOrExit } from './load-or-exit.ts';
import { startDemo } from './demo.ts';
import { sandboxCommand } from './sandbox.ts';
import { deadLettersCommand } from './dead-letters.ts';
import { planCommand } from './plan.ts';
import { statusCommand } from './status.ts';
import { syncCommand } from './sync.ts';
import { usersCommand } from './users.ts';

function loggerFor(config: HubConfig): Logger {
  return createLogger({ level: config.log.level, ...(config.log.format ? { format: config.log.format } : {}), secrets: config.secrets });
}

/** SIGTERM / SIGINT stop gracefully; a second signal forces the exit. */
function stopOnSignals(stop: () => Promise<void>, log: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function run(role: 'all' | 'worker', configFile: string | undefined): Promise<void> {
  const config = await loadOrExit(configFile);
  const log = loggerFor(config);
  if (!config.file && role === 'all') {
    log.warn('no omnihub.yaml: running the demo with local simulators; copy omnihub.example.yaml to omnihub.yaml for a real setup');
    try {
      const demo = await startDemo();
      stopOnSignals(() => demo.stop(), log);
      demo.story.then(
        () => process.stdout.write('[demo] ✔ the story is complete; the hub and the simulators keep running — Ctrl-C stops them\n'),
        (err: Error) => err.message !== 'stopped' && process.stdout.write(`[demo] ✘ ${err.message}\n`),
      );
    } catch (err) {
      log.fatal({ err: (err as Error).message }, 'could not start the demo');
      process.exit(1);
    }
    return;
  }
  if (!config.file) log.warn('no omnihub.yaml found: running with no connections (copy omnihub.example.yaml to omnihub.yaml to add some)');
  if (Object.keys(config.connections).length === 0 && config.file) log.warn('omnihub.yaml defines no connections');
  try {
    const hub = await startHub(config, { role, log });
    stopOnSignals(() => hub.stop(), log);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'could not start');
    process.exit(1);
  }
}

/** Entry points later issues fill: they say so and change nothing, instead of pretending. */
function notBuilt(program: Command, name: string, description: string, what: string): void {
  program
    .command(name)
    .description(`${description} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      process.stderr.write(`omnihub ${name}: not built yet — ${what}. Nothing was done.\n`);
      process.exit(1);
    });
}

const program = new Command()
  .name('omnihub')
  .description('Omnichannel integration hub: catalogue, prices, promotions, stock and customer inquiries in sync across channels.')
  .option('-c, --config <file>', 'configuration file (default: ./omnihub.yaml, or OMNIHUB_CONFIG)')
  .showHelpAfterError();

program
  .command('start')
  .description('run the HTTP server and the workers in one process (the single-machine default)')
  .action(() => run('all', program.opts().config));

program
  .command('worker')
  .description('run workers only, to scale out next to a hub (needs DATABASE_URL, and REDIS_URL for several machines)')
  .action(() => run('worker', program.opts().config));

program
  .command('validate')
  .description('check the configuration and print every problem with its path')
  .action(async () => {
    const config = await loadOrExit(program.opts().config);
    const names = Object.keys(config.connections);
    process.stdout.write(
      `${config.file ?? 'default configuration'} is valid: ${names.length} connection${names.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}\n`,
    );
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const config = await loadOrExit(program.opts().config);
    const log = loggerFor(config);
    const store = await openStore(config, log);
    try {
      const { applied } = await migrate(store.db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'migration failed');
      process.exitCode = 1;
    } finally {
      await store.close();
    }
  });

planCommand(program);
statusCommand(program);
syncCommand(program);
deadLettersCommand(program);
sandboxCommand(program);
usersCommand(program);

await program.parseAsync(process.argv);
