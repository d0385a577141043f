import { type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from '../log/logger.ts';
import type { HubMetrics } from '../metrics.ts';
import type { Database } from '../store/database.ts';
import { backendParts, type BackendParts, type QueueBackend } from './backend.ts';
import { type Lane, LANES } from './lanes.ts';

/**
 * Handles one kind of job. Thrown errors are retried with backoff; an error carrying `retryAfterMs` (a channel
 * said "429, retry in N s") waits exactly that long; an `UnrecoverableError` (a business error retrying cannot fix)
 * goes straight to the dead-letter list. A job that exhausts its attempts lands there too: nothing is dropped.
 */
export type JobHandler<Data = unknown> = (job: Job<Data>) => Promise<unknown>;
export type LaneHandlers = Partial<Record<Lane, Record<string, JobHandler<any>>>>;

export interface QueueTuning {
  /** How long a worker holds a job before another may assume it died (BullMQ lock). Default 30 s. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died (stalled). Default 30 s. */
  stalledIntervalMs?: number;
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'omnihub' },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

const MAX_BACKOFF_MS = 10 * 60_000;

/** Exponential from 1 s with ±20 % jitter, capped at 10 min; a channel's own Retry-After wins. */
export function backoffDelay(attemptsMade: number, err: unknown, random = Math.random): number {
  const retryAfter = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfter === 'number' && retryAfter >= 0) return Math.min(retryAfter, MAX_BACKOFF_MS);
  const base = Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.8 + random() * 0.4));
}

export class QueueSystem {
  readonly backend: QueueBackend;
  private readonly parts: BackendParts;
  private readonly queues = new Map<Lane, Queue>();
  private readonly workers: Worker[] = [];

  constructor(
    backend: QueueBackend,
    private readonly deps: { db: Database; log: Logger; metrics?: HubMetrics; tuning?: QueueTuning },
  ) {
    this.backend = backend;
    this.parts = backendParts(backend);
  }

  private prefix(): { prefix?: string } {
    return this.parts.prefix ? { prefix: this.parts.prefix } : {};
  }

  queue(lane: Lane): Queue {
    let q = this.queues.get(lane);
    if (!q) {
      q = new Queue(lane, { connection: this.parts.connection(), defaultJobOptions: DEFAULT_JOB_OPTIONS, ...this.prefix() }, this.parts.factory as never);
      q.on('error', (err) => this.deps.log.warn({ lane, err: err.message }, 'queue connection error'));
      this.queues.set(lane, q);
    }
    return q;
  }

  /**
   * Enqueues a job. A `jobId` makes it idempotent: adding the same id again while the first is still queued is a
   * no-op, which is how bursts of hints for one entity coalesce.
   */
  async add<Data>(lane: Lane, name: string, data: Data, options: JobsOptions = {}): Promise<Job<Data>> {
    if (options.jobId !== undefined && /:/.test(options.jobId)) {
      throw new Error(`job id "${options.jobId}" must not contain ":" (BullMQ reserves it); use "/" or "|"`);
    }
    return (await this.queue(lane).add(name, data, options)) as Job<Data>;
  }

  /** Starts one worker per lane that has handlers. A job whose name has no handler fails without retry, loudly. */
  startWorkers(handlers: LaneHandlers, concurrency: Record<Lane, number>): void {
    const { log, metrics, tuning } = this.deps;
    for (const lane of LANES) {
      const byName = handlers[lane];
      if (!byName || Object.keys(byName).length === 0) continue;
      const worker = new Worker(
        lane,
        async (job: Job) => {
          const handler = byName[job.name];
          if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" in lane ${lane}`);
          return handler(job);
        },
        {
          connection: this.parts.connection(),
          ...this.prefix(),
          concurrency: concurrency[lane],
          lockDuration: tuning?.lockDurationMs ?? 30_000,
          stalledInterval: tuning?.stalledIntervalMs ?? 30_000,
          maxStalledCount: 5,
          settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => backoffDelay(attemptsMade, err) },
        },
        this.parts.factory as never,
      );
      worker.on('error', (err) => log.warn({ lane, err: err.message }, 'worker connection error'));
      worker.on('completed', (job) => metrics?.jobs.inc({ lane, name: job.name, outcome: 'completed' }));
      worker.on('failed', (job, err) => {
        if (!job) return;
        const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
        metrics?.jobs.inc({ lane, name: job.name, outcome: final ? 'dead' : 'retried' });
        if (!final) {
          log.warn({ lane, job: job.name, id: job.id, attempt: job.attemptsMade, err: err.message }, 'job failed; will retry');
          return;
        }
        log.error({ lane, job: job.name, id: job.id, attempts: job.attemptsMade, err: err.message }, 'job moved to dead letters');
        void this.deps.db
          .query('INSERT INTO dead_letters (queue, job_name, job_id, data, error, attempts) VALUES ($1, $2, $3, $4, $5, $6)', [
            lane,
            job.name,
            job.id ?? null,
            JSON.stringify(job.data ?? null),
            err.message,
            job.attemptsMade,
          ])
          .catch((dbErr: Error) => log.error({ err: dbErr.message, id: job.id }, 'could not record dead letter (job stays in the failed set)'));
      });
      this.workers.push(worker);
    }
  }

  /** Job counts per lane and state. */
  async counts(): Promise<Record<Lane, Record<string, number>>> {
    const out = {} as Record<Lane, Record<string, number>>;
    for (const lane of LANES) {
      out[lane] = await this.queue(lane).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    }
    return out;
  }

  /** Throws when the queue's store cannot be reached within `timeoutMs`. */
  async ping(timeoutMs = 3_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.queue('inbound').getJobCounts('waiting'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`queue (${this.backend.kind}) did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops taking new jobs and waits for the in-flight ones to finish (graceful shutdown). */
  async closeWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
  }

  async close(): Promise<void> {
    await this.closeWorkers();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    await this.parts.close();
  }
}
