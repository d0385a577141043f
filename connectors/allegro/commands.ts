import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError, type ItemResult } from '../../core/sdk/index.ts';
import { type AllegroContext, call, query, sleep } from './client.ts';
import { statusOf, summarize } from './errors.ts';
import { type CommandTask, generalReport, taskReport } from './schemas.ts';

/**
 * Allegro's batch commands (`PUT /sale/<command>/{commandId}`, then `GET …/{commandId}` and `…/tasks`).
 *
 * The command id is a UUID we choose, and a reused id is answered 409, so a PUT is never retried blindly:
 * 1. the id is saved in a checkpoint keyed by the command's content *before* the PUT;
 * 2. a later attempt with the same content (the job retried after a timeout, a crash, a 5xx) first GETs that id:
 *    if Allegro has it, we follow that command instead of sending again; if it answers 404, the PUT never landed
 *    and the content is sent again under a **new** id;
 * 3. once every task is final the checkpoint is cleared, so the same content sent later (a price going back to
 *    a previous value) is a new command.
 * Tasks are polled at most `commandPollAttempts` times; offers whose task is still NEW come back retryable, and the
 * checkpoint is kept so the retry resumes the same command.
 */

export type CommandKind = 'price' | 'quantity' | 'publication';

/** How long an unfinished command may be resumed by a retry with the same content. */
const RESUME_WINDOW_MS = 60 * 60 * 1000;

const PATHS: Record<CommandKind, string> = {
  price: 'sale/offer-price-change-commands',
  quantity: 'sale/offer-quantity-change-commands',
  publication: 'sale/offer-publication-commands',
};

export interface CommandBody {
  offerCriteria: Array<{ type: 'CONTAINS_OFFERS'; offers: Array<{ id: string }> }>;
  [key: string]: unknown;
}

export interface CommandOutcome {
  commandId: string;
  /** Per offer id, the task Allegro reported (absent when Allegro listed none). */
  tasks: Map<string, CommandTask>;
}

interface RecordedCommand {
  id: string;
  sentAt: string;
}

/** Offers of one CONTAINS_OFFERS criterion, sorted so the same batch always has the same content key. */
export function criteria(offerIds: string[]): CommandBody['offerCriteria'] {
  return [{ type: 'CONTAINS_OFFERS', offers: [...new Set(offerIds)].sort().map((id) => ({ id })) }];
}

export function commandKey(kind: CommandKind, body: CommandBody): string {
  return `allegro.command.${kind}.${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40)}`;
}

async function exists(ctx: AllegroContext, kind: CommandKind, id: string): Promise<boolean> {
  try {
    await call(ctx, 'GET', `${PATHS[kind]}/${id}`, { schema: generalReport });
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

/** Sends (or resumes) a command and waits, boundedly, for its tasks. */
export async function runCommand(ctx: AllegroContext, kind: CommandKind, body: CommandBody): Promise<CommandOutcome> {
  const key = commandKey(kind, body);
  const recorded = await ctx.checkpoints.get<RecordedCommand | null>(key);
  let commandId: string | undefined;
  let justSent = false;
  // A command recorded long ago belongs to an earlier intent that happened to have the same content (its attempt
  // was abandoned when the desired state moved on): following it would report its old result as today's.
  const fresh = recorded && ctx.now().getTime() - Date.parse(recorded.sentAt) < RESUME_WINDOW_MS;
  if (recorded && fresh) {
    if (await exists(ctx, kind, recorded.id)) {
      commandId = recorded.id;
      ctx.log.info({ kind, commandId }, 'allegro command already registered by an earlier attempt; following it');
    } else {
      ctx.log.info({ kind, previousId: recorded.id }, 'allegro command of an earlier attempt never arrived; sending it under a new id');
    }
  }
  if (!commandId) {
    commandId = randomUUID();
    await ctx.checkpoints.set<RecordedCommand>(key, { id: commandId, sentAt: ctx.now().toISOString() });
    try {
      await call(ctx, 'PUT', `${PATHS[kind]}/${commandId}`, { body, schema: z.unknown() });
      justSent = true;
    } catch (err) {
      // 409: Allegro already has this id (an earlier PUT of ours landed after all): follow it.
      if (!(statusOf(err) === 409 && (await exists(ctx, kind, commandId)))) throw err;
    }
  }

  const { commandPollAttempts, commandPollIntervalMs } = ctx.config;
  let completed = false;
  for (let attempt = 0; attempt < commandPollAttempts; attempt++) {
    // Allegro runs a command asynchronously: one just sent is never complete at once, so its first check waits.
    if (attempt === 0 && justSent) await sleep(commandPollIntervalMs);
    const { data } = await call(ctx, 'GET', `${PATHS[kind]}/${commandId}`, { schema: generalReport });
    if (data.completedAt) {
      completed = true;
      break;
    }
    if (attempt + 1 < commandPollAttempts) await sleep(commandPollIntervalMs);
  }

  const tasks = new Map<string, CommandTask>();
  const pageSize = 1000;
  for (let offset = 0; ; offset += pageSize) {
    const { data } = await call(ctx, 'GET', `${PATHS[kind]}/${commandId}/tasks`, { searchParams: query({ limit: pageSize, offset }), schema: taskReport });
    for (const t of data.tasks) tasks.set(t.offer.id, t);
    // Allegro allows offset ≤ 999 here; our batches never exceed 1000 offers.
    if (data.tasks.length < pageSize || offset + pageSize > 999) break;
  }
  const allFinal = [...tasks.values()].every((t) => t.status === 'SUCCESS' || t.status === 'FAIL');
  if (completed && allFinal) await ctx.checkpoints.set(key, null);
  else ctx.log.warn({ kind, commandId }, 'allegro command still running after polling; the retry will resume it');
  return { commandId, tasks };
}

/** Error codes in a failed task that go away by themselves. */
const TRANSIENT_CODES = /TOO_MANY|TIMEOUT|INTERNAL|UNAVAILABLE|CONFLICT|LOCK/i;

/** One offer's task → its ItemResult. */
export function taskResult(outcome: CommandOutcome, offerId: string): ItemResult {
  const task = outcome.tasks.get(offerId);
  if (!task) return { ok: false, kind: 'retryable', message: `Allegro listed no task for offer ${offerId} in command ${outcome.commandId}` };
  if (task.status === 'SUCCESS') return { ok: true, externalId: offerId };
  if (task.status === 'FAIL') {
    const errors = task.errors ?? [];
    const text = summarize(errors) || task.message || 'failed';
    const transient = errors.some((e) => e.code && TRANSIENT_CODES.test(e.code));
    return { ok: false, kind: transient ? 'retryable' : 'business', message: `Allegro refused the change of offer ${offerId}: ${text}` };
  }
  return { ok: false, kind: 'retryable', message: `command ${outcome.commandId} still running for offer ${offerId}` };
}

/**
 * A failure of a whole command (the PUT refused, Allegro unreachable) as the result of each of its items. An auth
 * failure is thrown instead: the connection needs re-linking, not per-item retries.
 */
export function failedItem(err: unknown): ItemResult {
  if (err instanceof ConnectorError) {
    if (err.kind === 'auth') throw err;
    const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
    return { ok: false, kind: err.kind, message: err.message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { ok: false, kind: 'retryable', message: (err as Error)?.message ?? String(err) };
}
