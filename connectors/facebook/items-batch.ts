import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ConnectorError, type ConnectorContext, type FailureKind, type ItemResult } from '../../core/sdk/index.ts';
import type { FacebookConfig } from './config.ts';
import { graph } from './graph.ts';
import type { BatchRequest, Built } from './map-item.ts';

/**
 * The Catalog Batch API round trip: `POST /{catalog_id}/items_batch` (synchronous checks come back in
 * `validation_status`), then `GET /{catalog_id}/check_batch_request_status?handle=…` until the batch is processed
 * (bounded by `batchPollAttempts`), then every error is mapped back to the input item by retailer id (or by line).
 */
const submitAnswer = z.object({
  handles: z.array(z.string()).min(1),
  validation_status: z
    .array(
      z.object({
        retailer_id: z.string(),
        errors: z.array(z.object({ message: z.string() })).default([]),
        warnings: z.array(z.object({ message: z.string() })).default([]),
      }),
    )
    .default([]),
});

const itemProblem = z.object({ line: z.number().int().optional(), id: z.string().optional(), message: z.string() });
const statusAnswer = z.object({
  data: z
    .array(
      z.object({
        handle: z.string().optional(),
        status: z.string(),
        errors: z.array(itemProblem).default([]),
        errors_total_count: z.number().optional(),
        warnings: z.array(itemProblem).default([]),
        ids_of_invalid_requests: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

/** Statuses after which a batch will not change any more. Anything else ("in_progress", "started") is polled. */
const FINISHED = new Set(['finished', 'complete', 'completed']);
const ABORTED = new Set(['error', 'failed', 'canceled', 'cancelled']);

interface Failure {
  kind: FailureKind;
  message: string;
  retryAfterMs?: number;
}

interface Chunk {
  units: number[];
  requests: BatchRequest[];
  /** Retailer id of each request line, to map line-numbered errors back. */
  lineIds: string[];
}

function chunk(built: Built[], limit: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk = { units: [], requests: [], lineIds: [] };
  built.forEach((b, index) => {
    if (!b.ok) return;
    if (current.requests.length > 0 && current.requests.length + b.requests.length > limit) {
      chunks.push(current);
      current = { units: [], requests: [], lineIds: [] };
    }
    current.units.push(index);
    for (const r of b.requests) {
      current.requests.push(r);
      current.lineIds.push(r.data.id);
    }
  });
  if (current.requests.length > 0) chunks.push(current);
  return chunks;
}

function failureOf(err: unknown): Failure {
  if (err instanceof ConnectorError) {
    const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
    return { kind: err.kind, message: err.detail ? `${err.message} (${err.detail})` : err.message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'retryable', message: (err as Error)?.message ?? String(err) };
}

/**
 * Sends the requests of every item and returns one ItemResult per item, in order. `externalIdOf` names the id a
 * successful item reports. A call-level failure before anything was accepted is thrown (the whole job retries or
 * pauses); after that, it is reported on the items of the affected call only.
 */
export async function runItemsBatch(
  ctx: ConnectorContext<FacebookConfig>,
  built: Built[],
  success: (index: number) => ItemResult & { ok: true },
): Promise<ItemResult[]> {
  const { catalogId, requestsPerCall, batchPollAttempts, batchPollIntervalMs } = ctx.config;
  // A set per retailer id: the status check repeats the synchronous validation errors.
  const problems = new Map<string, Set<string>>();
  const chunkFailure = new Map<number, Failure>();
  const note = (id: string, message: string) => problems.set(id, (problems.get(id) ?? new Set()).add(message));
  const chunks = chunk(built, requestsPerCall);

  const submitted: Array<{ chunk: Chunk; handle: string }> = [];
  for (const c of chunks) {
    try {
      const answer = await graph(ctx, `${catalogId}/items_batch`, submitAnswer, 'items_batch', {
        method: 'post',
        json: { item_type: 'PRODUCT_ITEM', allow_upsert: true, requests: c.requests },
      });
      for (const v of answer.validation_status) for (const e of v.errors) note(v.retailer_id, e.message);
      submitted.push({ chunk: c, handle: answer.handles[0]! });
    } catch (err) {
      if (submitted.length === 0 && chunkFailure.size === 0) throw err;
      for (const u of c.units) chunkFailure.set(u, failureOf(err));
    }
  }

  for (const { chunk: c, handle } of submitted) {
    try {
      const entry = await pollUntilDone(ctx, handle, batchPollAttempts, batchPollIntervalMs);
      if (!entry) {
        const failure: Failure = { kind: 'retryable', message: `Meta was still processing batch ${handle} after ${batchPollAttempts} checks` };
        for (const u of c.units) chunkFailure.set(u, failure);
        continue;
      }
      for (const e of entry.errors) {
        const id = e.id ?? (e.line !== undefined ? c.lineIds[e.line] : undefined);
        if (id !== undefined) note(id, e.message);
        else ctx.log.warn({ handle, error: e.message }, 'items_batch error without retailer id or line');
      }
      if (entry.warnings.length > 0) ctx.log.info({ handle, warnings: entry.warnings.slice(0, 20) }, 'items_batch warnings');
      if (ABORTED.has(entry.status.toLowerCase())) {
        for (const u of c.units) chunkFailure.set(u, { kind: 'retryable', message: `Meta reported batch ${handle} as ${entry.status}` });
      }
    } catch (err) {
      for (const u of c.units) chunkFailure.set(u, failureOf(err));
    }
  }

  return built.map((b, index): ItemResult => {
    if (!b.ok) return { ok: false, kind: 'business', message: b.message };
    const failed = chunkFailure.get(index);
    const messages = b.requests.flatMap((r) => [...(problems.get(r.data.id) ?? [])].map((m) => `${r.data.id}: ${m}`));
    if (messages.length > 0) return { ok: false, kind: 'business', message: messages.join('; ') };
    if (failed) return { ok: false, ...failed };
    return success(index);
  });
}

async function pollUntilDone(ctx: ConnectorContext<FacebookConfig>, handle: string, attempts: number, intervalMs: number) {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // Meta processes a batch asynchronously and never within the submitting call: a check right away only costs a
    // call against the catalogue's budget, so every check, the first included, comes one interval later.
    await sleep(intervalMs);
    const answer = await graph(ctx, `${ctx.config.catalogId}/check_batch_request_status`, statusAnswer, 'check_batch_request_status', {
      searchParams: { handle, load_ids_of_invalid_requests: true },
    });
    const entry = answer.data[0]!;
    const status = entry.status.toLowerCase();
    if (FINISHED.has(status) || ABORTED.has(status)) return entry;
  }
  return undefined;
}
