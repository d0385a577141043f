import type { Problem } from './problems.ts';
import { joinPath } from './problems.ts';

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML document with the environment's values;
 * `$${` writes a literal `${`. A variable that is unset (and has no default) is a problem at the field's path, so
 * a missing secret is reported like any other config error instead of becoming an empty credential.
 */
export function interpolate(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  problems: Problem[],
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const found = env[name!];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push({ path: joinPath(path), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, problems, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, problems, [...path, k])]),
    );
  }
  return value;
}
