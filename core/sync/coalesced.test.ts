import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesced.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('coalesced', () => {
  it('calls made while a run is in flight share one follow-up run that starts after them', async () => {
    const gates = [gate(), gate(), gate()];
    const starts: number[] = [];
    let calls = 0;
    const run = coalesced(async () => {
      const n = calls++;
      starts.push(n);
      await gates[n]!.opened;
    });
    const first = run();
    const during = [run(), run(), run()];
    expect(starts).toEqual([0]);
    gates[0]!.open();
    await first;
    await Promise.resolve();
    gates[1]!.open();
    await Promise.all(during);
    // Three calls during the first run: exactly one more run, which began after they were made.
    expect(starts).toEqual([0, 1]);
    gates[2]!.open();
    await run();
    expect(calls).toBe(3);
  });

  it('a failed run rejects its own callers and does not swallow the follow-up', async () => {
    let calls = 0;
    const run = coalesced(async () => {
      calls++;
      if (calls === 1) throw new Error('queue unreachable');
    });
    const first = run();
    const second = run();
    await expect(first).rejects.toThrow('queue unreachable');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
