import { cpus, totalmem, loadavg } from 'node:os';

/** What a figure was measured on: without it a number cannot be compared with another run's. */
export function machineInfo() {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    ramMiB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    // The machine is shared with other engineers' test runs: the load average says how disturbed a run was.
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    date: new Date().toISOString(),
  };
}
