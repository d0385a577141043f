import { classifyFailure, type ItemResult } from '../../core/sdk/index.ts';

/** A batch item's failure as an ItemResult (kinds from the SDK's classification), so the other items still count. */
export function failed(err: unknown): ItemResult {
  const e = classifyFailure(err);
  const retryAfterMs = (e as { retryAfterMs?: number }).retryAfterMs;
  return { ok: false, kind: e.kind, message: e.detail && !e.message.includes(e.detail) ? `${e.message}: ${e.detail}` : e.message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** Runs one item, turning a throw into its failed result. */
export async function perItem<T>(items: T[], run: (item: T) => Promise<ItemResult>): Promise<ItemResult[]> {
  const out: ItemResult[] = [];
  for (const item of items) {
    try {
      out.push(await run(item));
    } catch (err) {
      out.push(failed(err));
    }
  }
  return out;
}
