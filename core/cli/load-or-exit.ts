import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type HubConfig, loadConfig } from '../config/load.ts';
import { formatProblem } from '../config/problems.ts';
import { fileResolver } from '../connectors/registry.ts';

/** Exit code for a broken config, so scripts can tell it from a crash. */
export const EXIT_CONFIG = 2;

/**
 * The config named by `--config` (or OMNIHUB_CONFIG), else ./omnihub.yaml when present, else defaults.
 * A named file that does not exist is an error; a missing default file is not.
 */
export function configPath(explicit: string | undefined): { file: string | undefined; explicit: boolean } {
  const named = explicit ?? process.env.OMNIHUB_CONFIG;
  if (named) return { file: resolve(named), explicit: true };
  const fallback = resolve('omnihub.yaml');
  return { file: existsSync(fallback) ? fallback : undefined, explicit: false };
}

/** Loads the config or prints every problem and exits with code 2. */
export async function loadOrExit(explicit: string | undefined): Promise<HubConfig> {
  const { file } = configPath(explicit);
  const result = await loadConfig({
    ...(file ? { file } : {}),
    resolver: fileResolver(file ? { configDir: resolve(file, '..') } : {}),
  });
  if (!result.ok) {
    const where = file ?? 'the configuration';
    process.stderr.write(`${where} has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}:\n`);
    for (const p of result.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
    process.exit(EXIT_CONFIG);
  }
  return result.config;
}
