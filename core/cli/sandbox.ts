import type { Command } from 'commander';
import { startSandbox } from '../../sandbox/registry.ts';

/**
 * `omnihub sandbox [--seed demo] [--free-ports]`: every channel simulator alone, for people writing connectors.
 * Prints each simulator's URL and the (sandbox-only) credentials it accepts; Ctrl-C stops them.
 */
export function sandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('run the local channel simulators alone (Shopify, PrestaShop, Allegro, Meta, Odoo) and print their URLs and credentials')
    .option('--seed <name>', 'load a data set: "demo" (the demo shop) or "none" (each simulator\'s default state)', 'none')
    .option('--free-ports', 'take free ports instead of 8801–8805')
    .action(async (opts: { seed: string; freePorts?: boolean }) => {
      if (opts.seed !== 'demo' && opts.seed !== 'none') {
        process.stderr.write(`omnihub sandbox: --seed must be "demo" or "none", got "${opts.seed}"\n`);
        process.exit(2);
      }
      const sandbox = await startSandbox({ seed: opts.seed, ports: opts.freePorts ? 'free' : 'fixed' });
      const out = (line: string) => process.stdout.write(`${line}\n`);
      out(`channel simulators running (seed: ${opts.seed}); sandbox credentials only, nothing here reaches a real channel:`);
      for (const e of Object.values(sandbox.endpoints)) {
        out(`\n${e.name}  ${e.url}`);
        out(`  ${e.note}`);
        out(`  admin: GET ${e.url}/__sandbox/state · POST /__sandbox/seed · POST /__sandbox/reset · POST /__sandbox/faults`);
        out(`  config: ${JSON.stringify(e.credentials)}`);
      }
      out('\nCtrl-C stops them.');
      let stopping = false;
      const stop = () => {
        if (stopping) process.exit(1);
        stopping = true;
        sandbox.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
