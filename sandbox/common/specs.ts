import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the channels' machine-readable specs live. The simulators validate every request against them, so a
 * missing spec is a startup error, never a silently permissive simulator.
 * `OMNIHUB_SPECS_DIR` overrides the default `<repo>/../shared/specs`.
 */
export function specsDir(): string {
  const fromEnv = process.env.OMNIHUB_SPECS_DIR;
  if (fromEnv) return resolve(fromEnv);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return join(repoRoot, '..', 'shared', 'specs');
}

export function specPath(relative: string): string {
  const full = join(specsDir(), relative);
  if (!existsSync(full)) {
    throw new Error(`sandbox: spec file ${full} not found (set OMNIHUB_SPECS_DIR to the folder holding the channel specs)`);
  }
  return full;
}

export function readSpec(relative: string): string {
  return readFileSync(specPath(relative), 'utf8');
}
