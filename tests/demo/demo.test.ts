import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesMentioning, runOmnihub } from '../cli/process.ts';

/**
 * The out-of-the-box demo, as a newcomer runs it: `omnihub start` in a folder without omnihub.yaml. The story's
 * checks read each simulator's own state, so the lines asserted here are proofs, not claims.
 */
describe('omnihub start without omnihub.yaml runs the demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnihub-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the story on the terminal, shows it at the web address, and stops cleanly on SIGTERM', async () => {
    const hub = runOmnihub(['start'], {
      cwd: dir,
      // Free ports for the hub and the simulators; never an external database or Redis.
      env: { OMNIHUB_DEMO_PORT: '0', DATABASE_URL: undefined, REDIS_URL: undefined, OMNIHUB_CONFIG: undefined },
    });
    const waitFor = async (pattern: RegExp, ms: number): Promise<RegExpMatchArray> => {
      const deadline = Date.now() + ms;
      for (;;) {
        for (const l of hub.lines) {
          const m = l.match(pattern);
          if (m) return m;
          if (l.startsWith('[demo] ✘')) throw new Error(`the demo failed:\n${hub.lines.filter((x) => x.startsWith('[demo]')).join('\n')}`);
        }
        if (hub.child.exitCode !== null) throw new Error(`omnihub exited (${hub.child.exitCode}):\n${hub.lines.join('\n')}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${hub.lines.filter((x) => x.startsWith('[demo]')).join('\n')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      expect((await hub.waitForLog('no omnihub.yaml: running the demo with local simulators; copy omnihub.example.yaml to omnihub.yaml for a real setup')).level).toBe(40);
      const sims = await waitFor(/^\[demo\] simulators: (.*)$/, 30_000);
      const simUrls = [...sims[1]!.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => m[0]);
      expect(simUrls).toHaveLength(5);
      // Tests never take the fixed ports.
      for (const u of simUrls) expect([8801, 8802, 8803, 8804, 8805]).not.toContain(Number(new URL(u).port));
      const url = (await waitFor(/^\[demo\] hub listening at (http:\/\/127\.0\.0\.1:\d+)\//, 60_000))[1]!;

      await waitFor(/^\[demo\] ✔ initial sync done: Shopify 50 products \/ 88 variants, PrestaShop 50 products \/ 88 variants, Facebook 88 items, Allegro 9 offers/, 150_000);
      const sale = await waitFor(/^\[demo\] ✔ the sale lowered stock on every other channel: Odoo (\d+), PrestaShop (\d+), Allegro (\d+), Facebook (\d+) \(was (\d+)\); Odoo has sale order S\d+/, 60_000);
      const [, odoo, ps, allegro, facebook, was] = sale.map(Number);
      expect([odoo, ps, allegro, facebook]).toEqual([was! - 2, was! - 2, was! - 2, was! - 2]);
      await waitFor(/^\[demo\] ✔ the WhatsApp message from Anna Kowalska arrived/, 60_000);
      await waitFor(/^\[demo\] ✔ the story is complete/, 10_000);

      const page = await (await fetch(`${url}/`)).text();
      expect(page).toContain('<strong id="products">50 products</strong>');
      expect(page).toContain('<strong id="variants">88 variants</strong>');
      // Customer messages are behind sign-in (the inbox); the public page only points there.
      expect(page).not.toContain('Dzień dobry! Czy kubek jest dostępny w kolorze czerwonym?');
      expect(page).toContain('sign in to read them');
      expect(page).toMatch(/<td>shopify<\/td><td>gid:\/\/shopify\/Order\/\d+<\/td><td>paid<\/td><td>KUB-001 × 2<\/td>/);
      expect(page).toMatch(/<td>KUB-001<\/td><td>-2<\/td><td>order_line<\/td><td>shopify<\/td>/);
      for (const name of ['erp', 'shopify', 'prestashop', 'allegro', 'facebook', 'messenger', 'whatsapp']) expect(page).toContain(`<td>${name}</td>`);

      hub.child.kill('SIGTERM');
      expect(await hub.exited).toBe(0);
      // The embedded PostgreSQL ran from this folder; nothing of it (or of the hub) is left.
      expect(processesMentioning(dir)).toEqual([]);
      for (const u of [...simUrls, url]) await expect(fetch(`${u}/__sandbox/state`)).rejects.toThrow();
    } finally {
      if (hub.child.exitCode === null) {
        hub.child.kill('SIGKILL');
        await hub.exited;
      }
    }
  }, 300_000);
});
