import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HubConfig, loadConfig } from '../../core/config/load.ts';
import { memoryResolver } from '../../core/connectors/registry.ts';

/** A temporary folder the embedded PostgreSQL (run as "postgres" under root) can reach. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `omnihub-${label}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** A valid HubConfig from YAML text, for tests that start a hub in-process. */
export async function hubConfig(text: string, env: Record<string, string> = {}): Promise<HubConfig> {
  const result = await loadConfig({ text, env, resolver: memoryResolver([]) });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}
