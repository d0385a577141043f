import { allegroView, facebookView, odooView, prestashopView, shopifyView, type ChannelView } from '../../sandbox/demo/scenario.ts';

/**
 * Reads the simulators' state in a process of its own (forked by `view-watcher.ts`) and sends the parent only what
 * changed: parsing every simulator's whole state ten times a second took a quarter of the measured hub process's
 * CPU when it ran there. argv[2]: `{ channel: [kind, url] }`; argv[3]: the least milliseconds between two reads.
 */
const channels = JSON.parse(process.argv[2] ?? '{}') as Record<string, [string, string]>;
const intervalMs = Number(process.argv[3] ?? 100);
const readers: Record<string, (url: string) => Promise<ChannelView>> = { odoo: odooView, shopify: shopifyView, prestashop: prestashopView, allegro: allegroView, facebook: facebookView };
const last = new Map<string, Map<string, number>>();
let stopped = false;
process.on('disconnect', () => {
  stopped = true;
  process.exit(0);
});

while (!stopped) {
  const started = Date.now();
  try {
    const views = await Promise.all(Object.entries(channels).map(async ([name, [kind, url]]) => [name, await readers[kind]!(url)] as const));
    const diff: Record<string, { products: number; stock: Array<[string, number]> }> = {};
    for (const [name, view] of views) {
      const before = last.get(name) ?? new Map<string, number>();
      const changed = [...view.stock].filter(([sku, n]) => before.get(sku) !== n);
      diff[name] = { products: view.products, stock: changed };
      last.set(name, view.stock);
    }
    process.send!({ diff, startedAt: started });
  } catch (err) {
    process.send!({ error: (err as Error).message });
  }
  const wait = intervalMs - (Date.now() - started);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
