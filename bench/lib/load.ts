import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadRequest {
  headers: Record<string, string>;
  body: string;
  /** Path on the target; the URL's own path when omitted. */
  path?: string;
}

export interface LoadResult {
  seconds: number;
  /** Milliseconds per request, in request order. */
  latencies: number[];
  /** Count per HTTP status (or "error: CODE"). */
  statuses: Record<string, number>;
}

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'load-worker.mjs');

/** Sends every request with `concurrency` keep-alive connections from a separate process. */
export function runLoad(url: string, requests: LoadRequest[], concurrency: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send({ url, requests, concurrency });
  });
}
