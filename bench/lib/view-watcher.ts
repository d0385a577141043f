import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelView } from '../../sandbox/demo/scenario.ts';

export interface ViewWatcher<C extends string> {
  /** The channels' stock as of the next state read that completes after this call (maps are live: read only). */
  next(): Promise<Record<C, ChannelView>>;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Watches what each channel shows (SKU → quantity) from a child process (`view-watcher-child.ts`) that reads the
 * simulators continuously and sends only the changes, so the measured process spends its CPU on the hub.
 */
export async function startViewWatcher<C extends string>(channels: Record<C, [kind: 'odoo' | 'shopify' | 'prestashop' | 'allegro' | 'facebook', url: string]>, intervalMs = 100): Promise<ViewWatcher<C>> {
  const child = fork(join(here, 'view-watcher-child.ts'), [JSON.stringify(channels), String(intervalMs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const views = Object.fromEntries(Object.keys(channels).map((c) => [c, { stock: new Map<string, number>(), products: 0 }])) as Record<C, ChannelView>;
  let waiting: Array<{ since: number; resolve(v: Record<C, ChannelView>): void; reject(e: Error): void }> = [];
  let exited: Error | undefined;
  child.on('message', (m: { diff?: Record<string, { products: number; stock: Array<[string, number]> }>; startedAt?: number; error?: string }) => {
    if (m.error) {
      for (const w of waiting.splice(0)) w.reject(new Error(`reading the simulators failed: ${m.error}`));
      return;
    }
    for (const [name, d] of Object.entries(m.diff ?? {})) {
      const v = views[name as C];
      v.products = d.products;
      for (const [sku, n] of d.stock) v.stock.set(sku, n);
    }
    // Only a read that started after `next()` was called can show what was there when it was called.
    const done = waiting.filter((w) => (m.startedAt ?? 0) >= w.since);
    waiting = waiting.filter((w) => !done.includes(w));
    for (const w of done) w.resolve(views);
  });
  child.once('exit', (code) => {
    exited = new Error(`the view watcher exited (code ${code})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  return {
    next: () => {
      const since = Date.now();
      return new Promise<Record<C, ChannelView>>((resolve, reject) => (exited ? reject(exited) : waiting.push({ since, resolve, reject })));
    },
    async close() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await gone;
    },
  };
}
