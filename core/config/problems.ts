import type { z } from 'zod';

/** One thing wrong with a config file, with the dotted path to it: `connections.shop.config.accessToken: required`. */
export interface Problem {
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

export function joinPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replace(/\.\[/g, '[');
}

/** Levenshtein distance, small inputs only (config keys). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The candidate closest to `word`, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

type Def = { type: string; [k: string]: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def: Def } })?._zod?.def;

/** Walks a zod schema along a data path to the object schema found there, and returns its keys. */
export function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let def = defOf(schema);
  let i = 0;
  while (def) {
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
        def = defOf(def.innerType);
        continue;
      case 'pipe':
        def = defOf(def.in);
        continue;
      case 'object':
        if (i === path.length) return Object.keys(def.shape as object);
        def = defOf((def.shape as Record<string, unknown>)[String(path[i++])]);
        continue;
      case 'record':
        if (i === path.length) return [];
        i++;
        def = defOf(def.valueType);
        continue;
      case 'array':
        if (i === path.length) return [];
        i++;
        def = defOf(def.element);
        continue;
      default:
        return [];
    }
  }
  return [];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? 'text' : typeof value;
}

const EXPECTED: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'text' };

/**
 * Turns zod issues into problems a merchant can act on. Values are never echoed except enum choices and unknown
 * key names, so a mistyped secret cannot end up on a terminal.
 */
export function problemsFromIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  schema: z.ZodType,
  prefix: ReadonlyArray<PropertyKey> = [],
): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = closest(key, knownKeysAt(schema, issue.path));
          out.push({
            path: joinPath([...path, key]),
            message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`,
          });
        }
        break;
      case 'invalid_type':
        out.push({
          path: joinPath(path),
          message:
            issue.input === undefined
              ? 'required'
              : `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describe(issue.input)}`,
        });
        break;
      case 'too_small': {
        const min = String(issue.minimum);
        const msg =
          issue.origin === 'string'
            ? issue.minimum === 1
              ? 'must not be empty'
              : `must be at least ${min} characters`
            : issue.origin === 'array'
              ? `must have at least ${min} item${issue.minimum === 1 ? '' : 's'}`
              : `must be ${issue.inclusive ? '≥' : '>'} ${min}`;
        out.push({ path: joinPath(path), message: msg });
        break;
      }
      case 'too_big': {
        const max = String(issue.maximum);
        const msg =
          issue.origin === 'string'
            ? `must be at most ${max} characters`
            : issue.origin === 'array'
              ? `must have at most ${max} items`
              : `must be ${issue.inclusive ? '≤' : '<'} ${max}`;
        out.push({ path: joinPath(path), message: msg });
        break;
      }
      case 'invalid_value': {
        const choices = issue.values.map((v) => JSON.stringify(v)).join(', ');
        const got = typeof issue.input === 'string' ? issue.input : undefined;
        const hint = got ? closest(got, issue.values.map(String)) : undefined;
        out.push({
          path: joinPath(path),
          message: `must be one of ${choices}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
        break;
      }
      case 'invalid_key':
        out.push({ path: joinPath(path), message: issue.issues[0]?.message ?? 'invalid key' });
        break;
      case 'invalid_union':
        out.push({ path: joinPath(path), message: 'does not match any allowed form' });
        break;
      case 'not_multiple_of':
        out.push({ path: joinPath(path), message: `must be a multiple of ${String(issue.divisor)}` });
        break;
      case 'invalid_format':
        out.push({
          path: joinPath(path),
          message: issue.message && !issue.message.startsWith('Invalid') ? issue.message : `must be a valid ${issue.format}`,
        });
        break;
      default:
        out.push({ path: joinPath(path), message: issue.message });
    }
  }
  return out;
}
