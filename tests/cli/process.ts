import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BIN = resolve('bin/omnihub.js');

export interface HubProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  waitForLog(msg: string, ms?: number): Promise<Record<string, unknown>>;
}

/** Runs `omnihub <args>` as a real process (through bin/, as a merchant would) and collects its JSON log lines. */
export function runOmnihub(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): HubProcess {
  const env = { ...process.env, ...options.env } as Record<string, string>;
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffer = '';
  const onData = (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    lines,
    exited,
    async waitForLog(msg, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        for (const l of lines) {
          try {
            const entry = JSON.parse(l) as Record<string, unknown>;
            if (entry.msg === msg) return entry;
          } catch {
            // not a JSON log line
          }
        }
        if (child.exitCode !== null) throw new Error(`omnihub exited (${child.exitCode}) before logging "${msg}":\n${lines.join('\n')}`);
        if (Date.now() > deadline) throw new Error(`no "${msg}" within ${ms} ms:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** PIDs of live processes whose command line mentions `needle` (to prove nothing was left behind). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(join('/proc', entry, 'stat'), 'utf8').split(' ')[2];
      if (cmd.includes(needle) && state !== 'Z') found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
