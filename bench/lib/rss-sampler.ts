import { summarize, type Summary } from './stats.ts';

/**
 * Samples this process's resident set size at a fixed interval. Peak and median come from the samples, so a
 * short spike between two samples can be missed: the interval (250 ms) is stated with the figures.
 */
export class RssSampler {
  private samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(readonly intervalMs = 250) {}

  start(): void {
    this.samples = [];
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    this.samples.push(process.memoryUsage().rss / 1024 / 1024);
  }

  /** MiB: peak over the phase, and the summary of every sample. */
  stop(): { peakMiB: number; samplesMiB: Summary } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return { peakMiB: Number(Math.max(...this.samples).toFixed(1)), samplesMiB: summarize(this.samples, 1) };
  }
}

/** RSS in MiB after a garbage collection when `--expose-gc` is on (steady state: what the hub keeps). */
export async function steadyRssMiB(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 500));
  return Number((process.memoryUsage().rss / 1024 / 1024).toFixed(1));
}
