import { describe, expect, it } from 'vitest';
import { forEachLimit } from './limit.ts';

describe('forEachLimit', () => {
  it('never has more than the limit in flight, starts items in order and finishes all', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    await forEachLimit(Array.from({ length: 20 }, (_, i) => i), 3, async (i) => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 1 + (i % 4)));
      inFlight--;
    });
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(inFlight).toBe(0);
  });
});
