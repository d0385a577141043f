import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { redisRateLimiter } from './redis-rate-limiter.ts';

describe('the Redis rate limiter shares one budget between processes', () => {
  const url = inject('redisUrl');
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const c of clients) await c.quit();
  });

  it('two limiters on the same connection spend one bucket, and a block holds both', async () => {
    if (!url) throw new Error('Redis is required');
    const a = new Redis(url);
    const b = new Redis(url);
    clients.push(a, b);
    const key = `test-${Date.now()}`;
    const la = redisRateLimiter(a, key, { perSecond: 5, burst: 4 });
    const lb = redisRateLimiter(b, key, { perSecond: 5, burst: 4 });
    const started = Date.now();
    for (let i = 0; i < 4; i++) await (i % 2 ? la : lb).acquire();
    const burst = Date.now() - started;
    await la.acquire();
    await lb.acquire();
    // Two more than the burst at 5/s need about 0.4 s; without sharing, each process would have had its own 4.
    expect(Date.now() - started - burst).toBeGreaterThanOrEqual(300);

    await la.block(500);
    const blockedAt = Date.now();
    await lb.acquire();
    expect(Date.now() - blockedAt).toBeGreaterThanOrEqual(400);
  });
});
