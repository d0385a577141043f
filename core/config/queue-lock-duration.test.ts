import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.ts';

describe('queue.lockDuration', () => {
  it('defaults to 30 s, reads a duration, and refuses one too short for a channel call or absurdly long', () => {
    expect(configSchema.parse({}).queue.lockDuration).toBe(30_000);
    expect(configSchema.parse({ queue: { lockDuration: '5s' } }).queue.lockDuration).toBe(5_000);
    expect(configSchema.safeParse({ queue: { lockDuration: '500ms' } }).success).toBe(false);
    expect(configSchema.safeParse({ queue: { lockDuration: '2h' } }).success).toBe(false);
    expect(configSchema.safeParse({ queue: { lockDuration: 30 } }).success).toBe(false);
  });
});
