/**
 * Runs `fn` over `items` with at most `limit` calls in flight, in order of the items. Each call's failure is its
 * own: `fn` must catch what it wants to report (this never rejects for one item's sake).
 */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
