import type { LaneHandlers, QueueSystem } from '../core/queue/queue-system.ts';
import type { Database } from '../core/store/database.ts';
import { pruneActivity, pruneEarlyReceipts, pruneInboundEvents } from './maintenance.ts';

export interface WorkerContext {
  db: Database;
  queues: QueueSystem;
}

/** Every job the hub runs, by lane and job name. */
export function laneHandlers(ctx: WorkerContext): LaneHandlers {
  return {
    sweeps: {
      'maintenance.prune-inbound-events': async () => pruneInboundEvents(ctx.db),
      'maintenance.prune-activity': async () => {
        await pruneEarlyReceipts(ctx.db);
        return pruneActivity(ctx.db);
      },
    },
  };
}

/** Recurring jobs, registered idempotently at start (one schedule however many hubs start). */
export async function registerSchedules(ctx: WorkerContext): Promise<void> {
  await ctx.queues
    .queue('sweeps')
    .upsertJobScheduler('maintenance.prune-inbound-events', { every: 3_600_000 }, { name: 'maintenance.prune-inbound-events', data: {} });
  await ctx.queues.queue('sweeps').upsertJobScheduler('maintenance.prune-activity', { every: 3_600_000 }, { name: 'maintenance.prune-activity', data: {} });
}
