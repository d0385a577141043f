import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sandbox, SandboxOptions, SimulatorName } from '../../sandbox/registry.ts';

export interface SandboxProcess {
  endpoints: Sandbox['endpoints'];
  /** API requests a simulator has received since the last `clearRequests` (its `/__sandbox/requests` log). */
  requests(name: SimulatorName): Promise<Array<{ method: string; path: string; status: number }>>;
  clearRequests(): Promise<void>;
  /** CPU seconds (user + system) the simulators' process has used so far. */
  cpuSeconds(): number;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Starts every simulator in a child process (see `sandbox-child.ts`) and returns their endpoints. */
export async function startSandboxProcess(options: Omit<SandboxOptions, 'ports'> = {}): Promise<SandboxProcess> {
  const child = fork(join(here, 'sandbox-child.ts'), [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const endpoints = await new Promise<Sandbox['endpoints']>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { endpoints: Sandbox['endpoints'] }).endpoints));
    child.once('exit', (code) => reject(new Error(`the simulators' process exited with code ${code} before it was ready`)));
  });
  const names = Object.keys(endpoints) as SimulatorName[];
  return {
    endpoints,
    async requests(name) {
      const res = await fetch(`${endpoints[name].url}/__sandbox/requests`);
      if (!res.ok) throw new Error(`${name} simulator: GET /__sandbox/requests answered ${res.status}`);
      return (await res.json()) as Array<{ method: string; path: string; status: number }>;
    },
    async clearRequests() {
      await Promise.all(names.map((n) => fetch(`${endpoints[n].url}/__sandbox/requests`, { method: 'DELETE' })));
    },
    cpuSeconds() {
      return procCpuSeconds(child.pid!);
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** utime + stime of a process from /proc (Linux), in seconds. */
function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
