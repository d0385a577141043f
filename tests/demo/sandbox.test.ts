import { describe, expect, it } from 'vitest';
import { runOmnihub } from '../cli/process.ts';

describe('omnihub sandbox', () => {
  it('runs every simulator with the demo shop, prints URLs and credentials, and stops on SIGINT', async () => {
    const run = runOmnihub(['sandbox', '--seed', 'demo', '--free-ports'], { cwd: process.cwd() });
    try {
      const deadline = Date.now() + 30_000;
      while (!run.lines.includes('Ctrl-C stops them.')) {
        if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no simulators:\n${run.lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const urls = Object.fromEntries(run.lines.flatMap((l) => [...l.matchAll(/^(shopify|prestashop|allegro|meta|odoo) {2}(http:\/\/127\.0\.0\.1:\d+)$/g)].map((m) => [m[1]!, m[2]!])));
      expect(Object.keys(urls).sort()).toEqual(['allegro', 'meta', 'odoo', 'prestashop', 'shopify']);
      expect(run.lines.some((l) => l.includes('"key":"SIMULATORKEY0000000000000000000K"'))).toBe(true);
      const odoo = (await (await fetch(`${urls.odoo}/__sandbox/state`)).json()) as { records: Record<string, unknown[]> };
      expect(odoo.records['product.template']).toHaveLength(50);
      const allegro = (await (await fetch(`${urls.allegro}/__sandbox/state`)).json()) as { offers: unknown[] };
      expect(allegro.offers).toHaveLength(9);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      for (const u of Object.values(urls)) await expect(fetch(`${u}/__sandbox/state`)).rejects.toThrow();
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });
});
