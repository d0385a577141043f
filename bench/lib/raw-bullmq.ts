import { Queue, Worker } from 'bullmq';
import { backendParts, type QueueBackend } from '../../core/queue/backend.ts';

/**
 * BullMQ's own ceiling on a backend: `jobs` no-op jobs added in bulk and processed by one worker at the hub's
 * outbound concurrency. Returns wall seconds from the first add to the last completion.
 */
export async function rawBullmq(backend: QueueBackend, jobs: number, concurrency: number): Promise<{ seconds: number }> {
  const parts = backendParts(backend);
  const name = `raw${Math.random().toString(36).slice(2, 8)}`;
  const prefix = parts.prefix ? { prefix: parts.prefix } : {};
  const queue = new Queue(name, { connection: parts.connection(), ...prefix }, parts.factory as never);
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const worker = new Worker(name, async () => undefined, { connection: parts.connection(), ...prefix, concurrency, autorun: false }, parts.factory as never);
  worker.on('completed', () => {
    if (++done === jobs) finish();
  });
  await queue.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  void worker.run();
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await parts.close();
  return { seconds };
}
