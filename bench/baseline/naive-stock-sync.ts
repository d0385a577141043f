import type { EngineHarness } from '../../core/conformance/engine.ts';

/**
 * The naive sync a merchant would write: read every product from the ERP, then for each SKU and each channel send
 * one write, one call at a time, waiting for each answer. It uses the same connector clients as the hub (auth,
 * rate limiting, retries on 429), so the only difference measured is the design: no batching, no concurrency, no
 * "only what changed". It is given the SKU → channel id map (from the hub's bindings) for free, which favours it:
 * a real script would also have to look every listing up.
 */
export async function naiveStockSync(
  hub: EngineHarness,
  erpName: string,
  channels: string[],
  /**
   * A channel said "wait this long" (Meta's hourly catalogue-batch budget, a 429). The script would sleep; the
   * bench instead moves that simulator's clock forward and counts the wait (`throttledSeconds`), so a run takes
   * minutes, not hours. Returns false where the clock cannot be moved (then the refusal is an error).
   */
  onThrottle: (channel: string, waitMs: number) => Promise<boolean> = async () => false,
  /**
   * Writes at most this many SKUs per channel and extrapolates the rest: the script is sequential, so its write time
   * is linear in the writes (10,000 SKUs on Allegro and Facebook alone would take hours of real time). A sampled
   * channel's throttle waits are NOT extrapolated: they depend on what the budget held when the sample began, not
   * on the number of writes. The caller adds the wait the channel's budget implies for every write
   * (`budgetWaitSeconds`).
   */
  perChannelLimit = Number.POSITIVE_INFINITY,
): Promise<NaiveSyncResult> {
  const t0 = performance.now();
  const erp = hub.engine.connection(erpName)!;
  const stock = new Map<string, number>();
  let erpReads = 0;
  let cursor: string | undefined;
  do {
    const page = await erp.def.capabilities.catalog!.read!.list(erp.ctx, cursor);
    erpReads++;
    for (const p of page.items) for (const v of p.variants) if (v.sku) stock.set(v.sku, v.stock?.available ?? 0);
    cursor = page.next;
  } while (cursor);
  let writes = 0;
  let throttledSeconds = 0;
  let seconds = (performance.now() - t0) / 1000;
  let extrapolated = false;
  const perChannel: NaiveSyncResult['perChannel'] = {};
  for (const name of channels) {
    const c0 = performance.now();
    const throttled0 = throttledSeconds;
    let written = 0;
    const conn = hub.engine.connection(name)!;
    const { rows } = await hub.db.query<{ sku: string; external_id: string; product_external_id: string | null }>(
      "SELECT sku, external_id, product_external_id FROM bindings WHERE connection = $1 AND kind = 'variant' AND link_state = 'linked' ORDER BY sku",
      [name],
    );
    const due = rows.filter((b) => stock.has(b.sku));
    for (const b of due.slice(0, perChannelLimit)) {
      const available = stock.get(b.sku)!;
      written++;
      for (;;) {
        let result;
        try {
          [result] = await conn.def.capabilities.stock!.write!.set(conn.ctx, [{ sku: b.sku, externalId: b.external_id, productExternalId: b.product_external_id ?? undefined, available, expected: undefined }]);
        } catch (err) {
          result = { ok: false as const, kind: 'thrown', message: (err as Error).message, retryAfterMs: (err as { retryAfterMs?: number }).retryAfterMs };
        }
        writes++;
        if (result?.ok) break;
        const wait = result && 'retryAfterMs' in result ? result.retryAfterMs : undefined;
        if (wait !== undefined && (await onThrottle(name, wait))) {
          throttledSeconds += wait / 1000;
          continue;
        }
        throw new Error(`baseline: ${name} refused ${b.sku}: ${result ? result.message : 'no result'}`);
      }
    }
    // The waits were not slept (the simulator's clock was moved): the real time is the writes' own.
    const perWriteSeconds = written === 0 ? 0 : (performance.now() - c0) / 1000 / written;
    const waitedSeconds = throttledSeconds - throttled0;
    const sampled = written < due.length;
    if (sampled) extrapolated = true;
    perChannel[name] = { due: due.length, written, perWriteSeconds, waitedSeconds };
    seconds += perWriteSeconds * due.length + (sampled ? 0 : waitedSeconds);
  }
  return { seconds, writes, erpReads, throttledSeconds, extrapolated, perChannel };
}

export interface NaiveSyncResult {
  /** The ERP read, then per channel the time per write × SKUs due, plus the waits met where every SKU was written. */
  seconds: number;
  /** Write calls made (retries after a wait included). */
  writes: number;
  erpReads: number;
  /** Throttle waits met (counted, not slept), all channels. */
  throttledSeconds: number;
  /** True when some channel was sampled: its time was extrapolated and its waits left to the caller. */
  extrapolated: boolean;
  perChannel: Record<string, { due: number; written: number; perWriteSeconds: number; waitedSeconds: number }>;
}

/**
 * The wait a sequential script meets writing `calls` one at a time against a budget of `perHour` calls an hour,
 * starting with a full budget: it spends each hour's budget, then waits for the next hour (less the time its
 * writes took). Meta's catalogue batch budget is 200 an hour.
 */
export function budgetWaitSeconds(calls: number, perWriteSeconds: number, perHour: number): number {
  const fullHours = Math.max(0, Math.ceil(calls / perHour) - 1);
  return fullHours * Math.max(0, 3600 - perHour * perWriteSeconds);
}
