import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { tempDir } from '../support/hub-config.ts';
import { processesMentioning, runOmnihub } from './process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(yaml: string): string {
  const dir = tempDir('cli');
  dirs.push(dir);
  writeFileSync(join(dir, 'omnihub.yaml'), yaml);
  return dir;
}

const NO_EXTERNAL = { DATABASE_URL: undefined, REDIS_URL: undefined, LOG_FORMAT: undefined };

describe('omnihub start on embedded defaults', () => {
  it('answers /healthz 200 within 30 s, stops cleanly on SIGTERM and leaves no PostgreSQL behind', async () => {
    const dir = project('http: { port: 0 }\nlog: { format: json }\n');
    const started = Date.now();
    const hub = runOmnihub(['start'], { cwd: dir, env: NO_EXTERNAL });
    const { url } = (await hub.waitForLog('omnihub is listening', 30_000)) as { url: string };
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(30_000);
    const dataDir = join(dir, '.omnihub', 'pg');
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);

    // An operator command while the hub runs attaches to the hub's database instead of disturbing it.
    const status = runOmnihub(['status', '--json'], { cwd: dir, env: NO_EXTERNAL });
    expect(await status.exited).toBe(0);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);

    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    expect(hub.lines.some((l) => l.includes('embedded PostgreSQL stopped'))).toBe(true);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('recovers after being killed with SIGKILL: the orphaned server is stopped and the hub starts again', async () => {
    const dir = project('http: { port: 0 }\nlog: { format: json }\n');
    const dataDir = join(dir, '.omnihub', 'pg');
    const first = runOmnihub(['start'], { cwd: dir, env: NO_EXTERNAL });
    await first.waitForLog('omnihub is listening');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0); // the orphaned server (and maybe a forking backend)

    const second = runOmnihub(['start'], { cwd: dir, env: NO_EXTERNAL });
    const { url } = (await second.waitForLog('omnihub is listening')) as { url: string };
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(second.lines.some((l) => l.includes('still running'))).toBe(true);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});

describe('omnihub start with DATABASE_URL and REDIS_URL', () => {
  const redisUrl = inject('redisUrl');
  it('uses them and starts no embedded server', async () => {
    if (!redisUrl) throw new Error('Redis is required for this test');
    const db = await freshDatabase('cli_external');
    try {
      const dir = project('http: { port: 0 }\nlog: { format: json }\n');
      const hub = runOmnihub(['start'], { cwd: dir, env: { DATABASE_URL: db.url, REDIS_URL: redisUrl } });
      const { url } = (await hub.waitForLog('omnihub is listening')) as { url: string };
      expect(await hub.waitForLog('workers started')).toMatchObject({ queue: 'redis', database: 'external' });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(existsSync(join(dir, '.omnihub', 'pg'))).toBe(false);
      expect(hub.lines.join('\n')).not.toContain(new URL(db.url).password);
      hub.child.kill('SIGTERM');
      expect(await hub.exited).toBe(0);
    } finally {
      await db.drop();
    }
  });
});

describe('omnihub validate and unbuilt commands', () => {
  it('validate exits 2 and lists every problem with its path', async () => {
    const dir = project('htp: {}\nconnections:\n  shop:\n    connector: no-such-connector\n');
    const run = runOmnihub(['validate'], { cwd: dir, env: NO_EXTERNAL });
    expect(await run.exited).toBe(2);
    const out = run.lines.join('\n');
    expect(out).toContain('has 2 problems');
    expect(out).toContain('htp: unknown key (did you mean "http"?)');
    expect(out).toContain('connections.shop.connector: unknown connector "no-such-connector"');
  });

  it('validate accepts the documented example config, connector settings included', async () => {
    const run = runOmnihub(['validate', '--config', 'omnihub.example.yaml'], {
      cwd: process.cwd(),
      env: { ...NO_EXTERNAL, SHOPIFY_ADMIN_TOKEN: 'shpat_example', ODOO_API_KEY: 'odoo-example-key' },
    });
    expect(await run.exited).toBe(0);
    expect(run.lines.join('\n')).toMatch(/omnihub\.example\.yaml is valid: 2 connections \(erp, shop\)/);
  });

  it('migrate is idempotent from the command line', async () => {
    const db = await freshDatabase('cli_migrate');
    try {
      const first = runOmnihub(['migrate'], { cwd: process.cwd(), env: { DATABASE_URL: db.url } });
      expect(await first.exited).toBe(0);
      expect(first.lines.join('\n')).toContain('applied: 0001_core');
      const second = runOmnihub(['migrate'], { cwd: process.cwd(), env: { DATABASE_URL: db.url } });
      expect(await second.exited).toBe(0);
      expect(second.lines.join('\n')).toContain('database is up to date');
    } finally {
      await db.drop();
    }
  });
});
