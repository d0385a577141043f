/**
 * Polls `check` until it returns something other than a string (the value waited for); a string says what is
 * still missing, and ends up in the timeout error so a failure names its cause.
 */
export async function until<T>(what: string, check: () => Promise<T | string>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const r = await check();
      if (typeof r !== 'string') return r;
      last = r;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${ms} ms (${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
