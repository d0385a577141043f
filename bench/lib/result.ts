import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.ts';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export interface ScenarioResult {
  scenario: string;
  mode: 'short' | 'full';
  parameters: Record<string, unknown>;
  figures: Record<string, unknown>;
  /** measured ÷ floor or baseline; each key says what it divides. */
  ratios: Record<string, number>;
  targets: Record<string, { target: string; met: boolean }>;
  notes: string[];
}

/** Where a scenario's result is written: `<scenario>.json` (short) or `<scenario>-full.json`, side by side. */
export const resultFile = (scenario: string, mode: 'short' | 'full') => `${scenario}${mode === 'full' ? '-full' : ''}.json`;

/** Prints the scenario's one JSON object on stdout and writes it to bench/results/ (see `resultFile`). */
export function report(result: ScenarioResult): void {
  const doc = { ...result, machine: machineInfo() };
  const text = JSON.stringify(doc, null, 2);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, resultFile(result.scenario, result.mode)), `${text}\n`);
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}

export interface Args {
  full: boolean;
}

export function parseArgs(argv = process.argv.slice(2)): Args {
  return { full: argv.includes('--full') };
}

/** Progress goes to stderr so stdout carries only the result object. */
export function progress(scenario: string, message: string): void {
  process.stderr.write(`[${scenario}] ${message}\n`);
}
