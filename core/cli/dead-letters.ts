import type { Command } from 'commander';
import { listDeadLetters, ReplayRefused, replayAll, replayDeadLetter, type ReplayDeps, type Replayed } from '../sync/dead-letters.ts';
import { type CliContext, CliError, printJson, withCli } from './context.ts';

function replayDeps(cli: CliContext): ReplayDeps {
  return { db: cli.store.db, queues: cli.queues, kick: (connection, lane) => cli.engine.kick(connection, lane) };
}

function describe(r: Replayed): string {
  return r.via === 'request'
    ? `dead letter ${r.id} replayed: ${r.replayJobId} is pending again${r.connection ? ` (drained by ${r.connection}'s workers)` : ''}`
    : `dead letter ${r.id} replayed as job ${r.replayJobId}`;
}

const oneLine = (text: string, max = 160): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function deadLettersCommand(program: Command): void {
  const group = program
    .command('dead-letters')
    .description('list and replay jobs that exhausted their retries');

  const list = (opts: { json?: boolean; all?: boolean }) =>
    withCli(program.opts().config, 'dead-letters', {}, async (cli) => {
      const rows = await listDeadLetters(cli.store.db, { includeReplayed: Boolean(opts.all) });
      if (opts.json) return printJson(rows);
      if (rows.length === 0) {
        process.stdout.write(opts.all ? 'no dead letters\n' : 'no open dead letters\n');
        return;
      }
      for (const d of rows) {
        const who = (d.data as { connection?: unknown } | null)?.connection;
        process.stdout.write(
          `#${d.id}  ${d.queue}/${d.jobName}${typeof who === 'string' ? `  ${who}` : ''}${d.jobId ? `  job ${d.jobId}` : ''}  attempts ${d.attempts}  failed ${d.failedAt}` +
            `${d.replayedAt ? `  replayed ${d.replayedAt} as ${d.replayJobId}` : ''}\n    ${oneLine(d.error)}\n`,
        );
      }
      if (!opts.all) process.stdout.write(`${rows.length} open; replay one with: omnihub dead-letters replay <id> (or --all)\n`);
    });

  group
    .command('list', { isDefault: true })
    .description('list open dead letters (id, lane, job, error, attempts, failed at)')
    .option('--all', 'include the ones already replayed')
    .option('--json', 'machine-readable output')
    .action(list);

  group
    .command('replay')
    .description('re-enqueue a dead letter (once): engine requests become pending again, jobs are re-added to their lane')
    .argument('[id]', 'the dead letter id, as listed')
    .option('--all', 'replay every open dead letter')
    .option('--json', 'machine-readable output')
    .action((id: string | undefined, opts: { all?: boolean; json?: boolean }) =>
      withCli(program.opts().config, 'dead-letters replay', {}, async (cli) => {
        const deps = replayDeps(cli);
        if (opts.all) {
          if (id !== undefined) throw new CliError('omnihub dead-letters replay: give either an id or --all, not both');
          const result = await replayAll(deps);
          if (opts.json) return printJson(result);
          for (const r of result.replayed) process.stdout.write(`${describe(r)}\n`);
          for (const r of result.refused) process.stderr.write(`${r.reason}\n`);
          process.stdout.write(`${result.replayed.length} replayed${result.refused.length ? `, ${result.refused.length} refused` : ''}\n`);
          return result.refused.length ? 1 : 0;
        }
        if (id === undefined || !/^\d+$/.test(id)) throw new CliError(`omnihub dead-letters replay: expected a dead letter id (a number) or --all${id !== undefined ? `, got "${id}"` : ''}`);
        try {
          const r = await replayDeadLetter(deps, Number(id));
          if (opts.json) return printJson(r);
          process.stdout.write(`${describe(r)}\n`);
        } catch (err) {
          if (err instanceof ReplayRefused) throw new CliError(`omnihub dead-letters replay: ${err.message}`);
          throw err;
        }
      }),
    );
}
