import type { Command } from 'commander';
import { CliError, selectConnections, withCli } from './context.ts';

/** `omnihub reauth <connection>`: after the operator fixed the credentials, the connection's paused work resumes. */
export function reauthCommand(program: Command): void {
  program
    .command('reauth')
    .description('mark a connection that needed re-authorisation as ok again (after fixing its credentials), so its paused work resumes')
    .argument('<connection>', 'the connection name')
    .action((name: string) =>
      withCli(program.opts().config, 'reauth', {}, async (cli) => {
        const [conn] = selectConnections(cli, name);
        const { rows } = await cli.store.db.query<{ status: string; status_reason: string | null }>('SELECT status, status_reason FROM connection_state WHERE connection = $1', [conn!.name]);
        const was = rows[0];
        if (!was || was.status === 'ok') {
          process.stdout.write(`${conn!.name} is already ok: nothing to resume\n`);
          return;
        }
        if (was.status !== 'needs_reauth') throw new CliError(`${conn!.name} is ${was.status}${was.status_reason ? ` (${was.status_reason})` : ''}, not needs_reauth: reauth only clears an authorisation failure`);
        await cli.engine.setConnectionState(conn!.name, 'ok', null);
        await cli.store.db.query("INSERT INTO audit_log (actor, action, subject_kind, subject_id, details) VALUES ('cli', 'connection.reauth', 'connection', $1, $2)", [
          conn!.name, JSON.stringify({ previous: was.status, reason: was.status_reason }),
        ]);
        // Its pending requests resume now if workers run (and on the engine's next tick in any case).
        await cli.engine.kick(conn!.name, 'inbound');
        await cli.engine.kick(conn!.name, 'outbound');
        process.stdout.write(`${conn!.name} is ok again (was needs_reauth: ${was.status_reason ?? 'no reason recorded'}); its paused work resumes\n`);
      }),
    );
}
