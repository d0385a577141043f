/** Summary statistics over repeated measurements: never report a single run. */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** The middle value; with an even count, the mean of the two middle ones (two rounds are not their lower one). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (v: number, digits = 3) => Number(v.toFixed(digits));

export function summarize(values: number[], digits = 3): Summary {
  return {
    n: values.length,
    median: round(median(values), digits),
    p90: round(percentile(values, 90), digits),
    p99: round(percentile(values, 99), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
  };
}

export const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : round(a / b, 3));
