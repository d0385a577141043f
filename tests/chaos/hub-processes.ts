import { type HubProcess, runOmnihub } from '../cli/process.ts';

/**
 * The hub as it runs when scaled out: one `omnihub start` (HTTP ingress + workers) and several `omnihub worker`
 * processes, all real processes started through bin/omnihub.js, so the suite can `kill -9` any of them.
 */
export interface HubFleet {
  readonly hub: HubProcess;
  readonly configFile: string;
  workers(): HubProcess[];
  /** SIGKILL one worker (no drain, no cleanup: its jobs stay locked until the lock expires) and start a replacement after `downMs`. */
  killWorker(index: number, downMs: number): Promise<void>;
  /** Every process's log lines that are errors or warnings, for the report of a failed run. */
  problems(): string[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(url: string, ms: number, proc: HubProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`the hub exited (${proc.child.exitCode}) while starting:\n${proc.lines.slice(-40).join('\n')}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the hub did not answer /healthz within ${ms} ms:\n${proc.lines.slice(-40).join('\n')}`);
    await sleep(200);
  }
}

async function terminate(p: HubProcess, ms = 20_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const done = await Promise.race([p.exited.then(() => true), sleep(ms).then(() => false)]);
  if (!done) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}

export async function startFleet(options: { cwd: string; config: string; url: string; env: Record<string, string>; workers: number }): Promise<HubFleet> {
  const spawnOne = (role: 'start' | 'worker') => runOmnihub(['-c', options.config, role], { cwd: options.cwd, env: options.env });
  const retired: HubProcess[] = [];
  const hub = spawnOne('start');
  await waitHealthy(options.url, 90_000, hub);
  const workers = Array.from({ length: options.workers }, () => spawnOne('worker'));
  return {
    hub,
    configFile: options.config,
    workers: () => workers,
    async killWorker(index, downMs) {
      const victim = workers[index]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      retired.push(victim);
      await sleep(downMs);
      workers[index] = spawnOne('worker');
    },
    problems() {
      const out: string[] = [];
      for (const p of [hub, ...workers, ...retired]) {
        for (const l of p.lines) {
          try {
            const e = JSON.parse(l) as { level?: number };
            if ((e.level ?? 0) >= 40) out.push(l);
          } catch {
            if (l.trim()) out.push(l);
          }
        }
      }
      return out;
    },
    async stop() {
      await Promise.all([...workers, hub].map((p) => terminate(p)));
    },
  };
}
