import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { hubConfig, tempDir } from '../../tests/support/hub-config.ts';
import { createLogger } from '../log/logger.ts';
import { type Hub, startHub } from '../runtime.ts';

describe('/healthz and /metrics on a hub with its own embedded PostgreSQL', () => {
  const dir = tempDir('health');
  let hub: Hub | undefined;
  afterAll(async () => {
    await hub?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200 while the store and queue are reachable, and 503 with the reason once PostgreSQL stops', async () => {
    const config = await hubConfig(`dataDir: ${dir}\nhttp: { port: 0 }\nlog: { level: error, format: json }\n`);
    hub = await startHub(config, { role: 'all', log: createLogger({ level: 'silent' }) });
    const ok = await fetch(`${hub.url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', checks: { database: 'ok', queue: 'ok' } });

    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/omnihub_queue_jobs\{lane="inbound",state="waiting"\} 0/);
    expect(metrics).toMatch(/omnihub_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);

    await hub.store.embedded!.stop();
    const down = await fetch(`${hub.url}/healthz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('unavailable');
    expect(body.checks.database).toMatch(/^unavailable: /);
    expect(body.checks.queue).toMatch(/^unavailable: postgres: /);
    expect(JSON.stringify(body)).not.toContain(hub.store.embedded!.password);
  });

  it('rejects bodies over the configured limit with 413', async () => {
    const res = await fetch(`${hub!.url}/healthz`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
  });
});
