import { createServer, connect, type Server } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import type { Logger } from '../log/logger.ts';
import { createDatabase } from './database.ts';
import { describeDatabase, waitForDatabase } from './wait-for-database.ts';

function captureLog() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The run's PostgreSQL URL with another host port (and optionally password). */
function urlAt(port: number, password?: string): string {
  const u = new URL(inject('databaseUrl'));
  u.hostname = '127.0.0.1';
  u.port = String(port);
  if (password !== undefined) u.password = password;
  return u.toString();
}

describe('waitForDatabase: an external PostgreSQL that is not up yet', () => {
  it('waits while the server refuses connections, then goes on once it answers', async () => {
    const real = new URL(inject('databaseUrl'));
    const port = await freePort();
    const db = createDatabase(urlAt(port));
    const { log, lines } = captureLog();
    let proxy: Server | undefined;
    // PostgreSQL "comes up" after a moment: a TCP relay to the run's real server starts listening on the port.
    const later = setTimeout(() => {
      proxy = createServer((socket) => socket.pipe(connect(Number(real.port || 5432), real.hostname)).pipe(socket));
      proxy.listen(port, '127.0.0.1');
    }, 700);
    try {
      await waitForDatabase(db, { log, where: describeDatabase(urlAt(port)), timeoutMs: 20_000 });
      expect(lines.filter((l) => l.msg === 'waiting for PostgreSQL').length).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'PostgreSQL is answering' });
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      clearTimeout(later);
      await db.end();
      await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
    }
  });

  it('gives up after the timeout with the server named and the reason', async () => {
    const port = await freePort();
    const db = createDatabase(urlAt(port));
    const { log } = captureLog();
    try {
      await expect(waitForDatabase(db, { log, where: describeDatabase(urlAt(port)), timeoutMs: 300, sleep: async () => undefined })).rejects.toThrow(
        new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port}/\\S+ did not answer within 0 s: .*ECONNREFUSED`),
      );
    } finally {
      await db.end();
    }
  });

  it('fails at once on a refusal waiting cannot fix, without printing the password', async () => {
    const real = new URL(inject('databaseUrl'));
    const url = urlAt(Number(real.port || 5432), 'not-the-password-x9');
    const db = createDatabase(url);
    const { log, lines } = captureLog();
    try {
      const err = await waitForDatabase(db, { log, where: describeDatabase(url), timeoutMs: 20_000 }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/refused the hub: password authentication failed/);
      expect((err as Error).message).not.toContain('not-the-password-x9');
      expect(lines).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
