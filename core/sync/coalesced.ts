/**
 * Wraps an idempotent async action so that calls made while it runs share one follow-up run instead of each
 * starting their own. Every call still resolves only after a run that started after the call was made, so
 * nothing asked for is skipped — only repeated.
 */
export function coalesced(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const run = (): Promise<void> => {
    if (!running) {
      running = action().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return run();
      });
    return queued;
  };
  return run;
}
