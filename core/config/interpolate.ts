import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Problem } from './problems.ts';
import { joinPath } from './problems.ts';

const REF = /\$\$\{|\$\{file:([^}]+)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML document with the environment's values,
 * and `${file:path}` with a file's content (Docker and Kubernetes secrets; one trailing newline dropped; a relative
 * path is read from `baseDir`, the config file's folder); `$${` writes a literal `${`. A variable that is unset (and
 * has no default) or an unreadable file is a problem at the field's path, so a missing secret is reported like any
 * other config error instead of becoming an empty credential. A file's content never appears in a problem.
 */
export function interpolate(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
  path: PropertyKey[] = [],
  baseDir = process.cwd(),
): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (match, file: string | undefined, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      if (file !== undefined) {
        const where = resolve(baseDir, file.trim());
        try {
          return readFileSync(where, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          problems.push({ path: joinPath(path), message: `cannot read secret file ${where}: ${code === 'ENOENT' ? 'file not found' : code}` });
          return '';
        }
      }
      const found = env[name!];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push({ path: joinPath(path), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, problems, [...path, i], baseDir));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, problems, [...path, k], baseDir)]),
    );
  }
  return value;
}
