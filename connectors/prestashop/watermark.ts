import type { ConnectorContext } from '../../core/sdk/index.ts';
import { list } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { dateRowSchema } from './schemas.ts';
import { minusSeconds, toShopTime } from './shop-time.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/** A date watermark in the shop's local clock (`Y-m-d H:i:s`). */
export interface Watermark {
  since: string;
}

export function isWatermark(v: unknown): v is Watermark {
  return typeof v === 'object' && v !== null && typeof (v as Watermark).since === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test((v as Watermark).since);
}

/**
 * Ids of `resource` records changed in `[since − overlap, now]`, read by `date_upd` (`date=1` makes the date
 * fields filterable; the interval is an inclusive BETWEEN), sorted `[date_upd_ASC,id_ASC]`, paged with
 * `limit=offset,count`. `now` is captured BEFORE the read, so a record saved during the read falls in the next
 * window. The run reads at most `maxPagesPerPoll` pages; when it stops early the next watermark is the last
 * `date_upd` read (re-reading the same second is harmless, skipping is not).
 */
export async function changedSince(ctx: Ctx, resource: string, checkpoint: unknown, initialSince: string): Promise<{ ids: number[]; rows: Array<{ id: number; date_upd: string }>; next: Watermark }> {
  const tz = ctx.config.timezone;
  const now = toShopTime(ctx.now(), tz);
  const since = isWatermark(checkpoint) ? checkpoint.since : initialSince;
  const from = minusSeconds(since, ctx.config.overlapSeconds, tz);
  const size = ctx.config.pageSize;
  const found: Array<{ id: number; date_upd: string }> = [];
  const done = (next: Watermark) => ({ ids: found.map((r) => r.id), rows: found, next });
  for (let page = 0; page < ctx.config.maxPagesPerPoll; page++) {
    const rows = await list(ctx, resource, dateRowSchema, {
      display: '[id,date_upd]',
      date: 1,
      'filter[date_upd]': `[${from},${now}]`,
      sort: '[date_upd_ASC,id_ASC]',
      limit: `${page * size},${size}`,
    });
    found.push(...rows);
    if (rows.length < size) return done({ since: now });
    if (page === ctx.config.maxPagesPerPoll - 1) return done({ since: rows.at(-1)!.date_upd });
  }
  return done({ since: now });
}
