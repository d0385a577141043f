import type { Redis } from 'ioredis';
import type { RateLimit, RateLimiter } from '../sdk/rate-limiter.ts';

// A token bucket kept in Redis, so every worker process of a connection spends one budget. Returns the ms to wait
// (0 = taken). Keys: bucket hash {tokens, ts}, block key with a TTL.
const TAKE = `
local block = redis.call('PTTL', KEYS[2])
if block > 0 then return block end
local cap = tonumber(ARGV[1]); local rate = tonumber(ARGV[2]); local cost = tonumber(ARGV[3]); local now = tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or cap; local ts = tonumber(b[2]) or now
tokens = math.min(cap, tokens + (now - ts) / 1000 * rate)
if tokens >= cost then
  redis.call('HSET', KEYS[1], 'tokens', tokens - cost, 'ts', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate * 1000) + 1000)
  return 0
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
return math.ceil((cost - tokens) / rate * 1000)
`;

export function redisRateLimiter(redis: Redis, key: string, limit: RateLimit): RateLimiter {
  const capacity = limit.burst ?? Math.max(1, limit.perSecond);
  return {
    async acquire(cost = 1) {
      const need = Math.min(cost, capacity);
      for (;;) {
        // Redis' own clock keeps processes on different machines in step.
        const [seconds, micros] = await redis.time();
        const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
        const wait = Number(await redis.eval(TAKE, 2, `omnihub:rl:${key}`, `omnihub:rl:${key}:block`, capacity, limit.perSecond, need, now));
        if (wait <= 0) return;
        await new Promise((r) => setTimeout(r, Math.min(wait, 60_000)));
      }
    },
    async block(ms) {
      if (ms > 0) await redis.set(`omnihub:rl:${key}:block`, '1', 'PX', Math.ceil(ms));
    },
  };
}
