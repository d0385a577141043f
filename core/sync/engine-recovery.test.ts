import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testchannel from '../../tests/fixtures/testchannel/index.ts';
import { createTestChannel } from '../../tests/fixtures/testchannel/server.ts';
import { type EngineHarness, serveApp, startEngine } from '../../tests/support/engine-harness.ts';
import { until } from '../../tests/support/until.ts';

/** What the engine does for itself after the queue's store lost data, or a channel stayed down through every try. */
describe('engine recovery', () => {
  const shop = createTestChannel();
  const servers: Array<{ close(): Promise<void> }> = [];
  let h: EngineHarness;

  beforeAll(async () => {
    const s = await serveApp(shop.app);
    servers.push(s);
    shop.addProduct({ id: 's1', title: 'Tea', variants: [{ id: 'sv1', sku: 'TEA-1', gross: '1.00', stock: 2 }] });
    h = await startEngine(`connections:\n  shop: { connector: testchannel, config: { url: "${s.url}", webhookSecret: s1 } }\n`, [testchannel]);
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.close();
  });

  it('registers a sweep schedule again when the queue no longer has it (Redis lost its data)', async () => {
    const sweeps = h.queues.queue('sweeps');
    expect(await sweeps.getJobScheduler('sweep/shop')).toBeTruthy();
    await sweeps.removeJobScheduler('sweep/shop');
    expect(await sweeps.getJobScheduler('sweep/shop')).toBeFalsy();
    await until('the schedule is back', async () => ((await sweeps.getJobScheduler('sweep/shop')) ? true : 'missing'), 20_000);
  });

  it('a sweep whose channel fails on every try is no dead letter: the next scheduled sweep is the retry', async () => {
    // The channel goes away (connection refused): a retryable failure on every try. It is the last test.
    await servers.pop()!.close();
    const job = await h.queues.add('sweeps', 'sweep', { connection: 'shop' }, { jobId: 'recovery-sweep', attempts: 2 });
    await until('the sweep job finished', async () => ((await job.getState()) === 'completed' ? true : await job.getState()), 30_000);
    const done = await h.queues.queue('sweeps').getJob('recovery-sweep');
    // One try failed and was retried by the queue; the last one failed too and ended the job without a sweep.
    expect(done?.attemptsMade).toBe(2);
    expect(done?.returnvalue).toEqual({ seen: 0, deleted: 0 });
    const { rows } = await h.db.query('SELECT job_name, error FROM dead_letters');
    expect(rows).toEqual([]);
  });
});
