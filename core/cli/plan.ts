import type { Command } from 'commander';
import { buildPlan, type ConnectionPlan, type PlanWrite } from '../sync/plan.ts';
import { promotionsFromConfig } from '../sync/promotions.ts';
import { CliError, printJson, selectConnections, withCli } from './context.ts';

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function describeWrite(w: PlanWrite): string {
  if (w.operation === 'promotions.apply' || w.operation === 'promotions.remove') {
    const v = w.value as { promotion?: string; price?: string; regular?: string; currency?: string };
    const what = w.operation === 'promotions.apply' ? `${w.sku} → ${v.price} ${v.currency ?? ''} (regular ${v.regular}) "${v.promotion}"` : `${w.sku} → remove "${v.promotion}"`;
    return `${w.operation.padEnd(17)} ${what}${w.because.length ? `  because: ${w.because.join('; ')}` : ''}`;
  }
  const what = w.operation === 'prices.set' || w.operation === 'stock.set'
    ? `${w.sku} → ${w.operation === 'prices.set' ? priceText(w.value) : show(w.value)}`
    : `${w.skus.join(', ') || w.productId} [${w.groups.join(', ')}]`;
  return `${w.operation.padEnd(15)} ${what}${w.because.length ? `  because: ${w.because.join('; ')}` : ''}`;
}

function priceText(value: unknown): string {
  const p = value as { gross?: string; currency?: string } | undefined;
  return p?.gross !== undefined ? `${p.gross} ${p.currency ?? ''}`.trim() : show(value);
}

function printConnection(p: ConnectionPlan): void {
  const out: string[] = [];
  const total = p.writes.length;
  const counts = Object.entries(p.counts).map(([op, n]) => `${n} ${op}`).join(', ');
  out.push(`${p.connection} (${p.connector}) — receives: ${p.receives.join(', ') || 'nothing'}`);
  out.push(`  ${total === 0 ? 'up to date: no writes' : `${total} write${total === 1 ? '' : 's'}: ${counts}`}`);
  for (const note of p.notes) out.push(`  note: ${note}`);
  for (const w of p.writes) out.push(`    ${describeWrite(w)}`);
  if (p.unlinked.length) {
    out.push(`  ${p.unlinked.length} unlinked item${p.unlinked.length === 1 ? '' : 's'}:`);
    for (const u of p.unlinked) out.push(`    ${u.kind} ${u.externalId}${u.sku ? ` (${u.sku})` : ''} ${u.linkState}: ${u.reason ?? 'no reason recorded'}`);
  }
  if (p.drift.length) {
    out.push(`  ${p.drift.length} open drift:`);
    for (const d of p.drift) out.push(`    ${d.sku ?? d.externalId ?? '?'} ${d.field}: channel shows ${show(d.actual)}, should be ${show(d.expected)} (since ${d.since})`);
  }
  process.stdout.write(`${out.join('\n')}\n\n`);
}

export function planCommand(program: Command): void {
  program
    .command('plan')
    .description('show what every channel would get and why, writing nothing (no channel is written to, no job is enqueued)')
    .option('--connection <name>', 'only this connection')
    .option('--sku <sku>', 'only the product carrying this SKU')
    .option('--json', 'machine-readable output')
    .option('--at <time>', 'what each channel would show at that moment (ISO 8601, e.g. 2025-11-28T09:00:00+01:00), promotions included')
    .action((opts: { connection?: string; sku?: string; json?: boolean; at?: string }) =>
      withCli(program.opts().config, 'plan', {}, async (cli) => {
        const connections = selectConnections(cli, opts.connection);
        const at = opts.at === undefined ? undefined : new Date(opts.at);
        if (at && (Number.isNaN(at.getTime()) || !/\d{4}-\d{2}-\d{2}/.test(opts.at!))) throw new CliError(`--at "${opts.at}" is not a date and time: use ISO 8601 such as 2025-11-28T09:00:00+01:00`);
        // Promotions as the file says now (the running hub syncs them at its next start): plan shows what the file will do.
        const promotions = promotionsFromConfig(cli.config.promotions, cli.config.promotionCombine);
        const plan = await buildPlan(cli.store.db, cli.engine.bindings, connections, { ...(opts.sku ? { sku: opts.sku } : {}), ...(at ? { at } : {}), promotions });
        if (!opts.json && at) process.stdout.write(`planned for ${at.toISOString()}\n\n`);
        if (opts.json) return printJson(plan);
        if (opts.sku && plan.products === 0) process.stdout.write(`no product carries SKU "${opts.sku}"\n`);
        if (connections.length === 0) process.stdout.write('no connections are configured: nothing to plan\n');
        for (const p of plan.connections) printConnection(p);
        const writes = plan.connections.reduce((n, p) => n + p.writes.length, 0);
        process.stdout.write(`${plan.products} product${plan.products === 1 ? '' : 's'} planned: ${writes} write${writes === 1 ? '' : 's'} across ${plan.connections.length} connection${plan.connections.length === 1 ? '' : 's'}. Nothing was written.\n`);
      }),
    );
}
