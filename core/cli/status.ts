import type { Command } from 'commander';
import { type ConnectionStatus, statusReport } from '../sync/status-report.ts';
import { printJson, withCli } from './context.ts';
import { reauthCommand } from './reauth.ts';

function line(c: ConnectionStatus): string {
  const health = c.health === 'ok' ? 'ok' : `${c.health.toUpperCase()}${c.reason ? ` — ${c.reason}` : ''}`;
  return [
    `${c.connection} (${c.connector}): ${health}`,
    `  last hint: ${c.lastHintAt ?? 'never'}`,
    `  pending requests: inbound ${c.pending.inbound}, outbound ${c.pending.outbound}${c.retrying ? ` (${c.retrying} retrying)` : ''}`,
    `  dead letters: ${c.deadLetters}   open drift: ${c.drift}   unlinked: ${c.unlinked}`,
    `  owns: ${c.owns.join(', ') || 'nothing'}   receives: ${c.receives.join(', ') || 'nothing'}`,
    ...(c.health === 'needs_reauth' ? [`  → fix the credentials, then run: omnihub reauth ${c.connection}`] : []),
  ].join('\n');
}

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description('per connection: health, last hint, pending work and queue depth per lane, dead letters, drift, unlinked items')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withCli(program.opts().config, 'status', {}, async (cli) => {
        const report = await statusReport(cli.store.db, cli.connections, cli.queues);
        if (opts.json) return printJson(report);
        const out: string[] = [];
        if (report.connections.length === 0) out.push('no connections are configured');
        for (const c of report.connections) out.push(line(c), '');
        if (report.queue.lanes) {
          const lanes = Object.entries(report.queue.lanes).map(([lane, n]) => `${lane}: ${n.waiting ?? 0} waiting, ${n.active ?? 0} active, ${n.delayed ?? 0} delayed, ${n.failed ?? 0} failed`);
          out.push(`queue (${report.queue.backend}):`, ...lanes.map((l) => `  ${l}`));
        } else {
          out.push(`queue (${report.queue.backend}): unreachable — ${report.queue.error ?? 'unknown error'}`);
        }
        if (report.otherDeadLetters) out.push(`other open dead letters (hub jobs, removed connections): ${report.otherDeadLetters}`);
        process.stdout.write(`${out.join('\n')}\n`);
      }),
    );


  // Registered with status: it is the operator's answer to the needs_reauth that status reports.
  reauthCommand(program);
}
