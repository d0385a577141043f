import fc from 'fast-check';

/**
 * Payload mutations for fuzzing parsers: start from a real sample and break it the ways the wire does — a field
 * missing, a field of the wrong type (type confusion), a value absurdly large, an array where an object was, a body
 * cut short, bytes that are not UTF-8.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

function paths(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function update(value: Json, path: Path, fn: (v: Json) => Json | undefined): Json {
  if (path.length === 0) return fn(value) ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = update(copy[head as number] ?? null, rest, fn);
    if (rest.length === 0 && fn(copy[head as number] ?? null) === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, Json> = { ...value };
    if (rest.length === 0) {
      const replaced = fn(copy[head as string] ?? null);
      if (replaced === undefined) delete copy[head as string];
      else copy[head as string] = replaced;
    } else copy[head as string] = update(copy[head as string] ?? null, rest, fn);
    return copy;
  }
  return value;
}

/** Values that confuse a parser expecting something else. */
export const confusing: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, '', ' ', '0', 'null', 'undefined', 'NaN', '-1', '1e999', [], {}, [[]], [{}], JSON.parse('{"__proto__":{"polluted":true}}') as Json, { constructor: { prototype: { x: 1 } } }, '\u0000', '\ud800', '💥'.repeat(3), 'a'.repeat(5000)),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.string({ unit: 'binary', maxLength: 40 }),
  // Longer than any index entry PostgreSQL can hold once it is an id (random, so it does not compress).
  fc.string({ unit: 'grapheme-ascii', minLength: 2800, maxLength: 4000 }),
  fc.integer(),
  fc.double(),
);

export type Mutation = { at: number; op: 'delete' | 'replace' | 'wrap' | 'duplicate'; value: Json };
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom<Mutation['op']>('delete', 'replace', 'replace', 'wrap', 'duplicate'), value: confusing }),
  { minLength: 1, maxLength: 4 },
);

export function mutate(sample: Json, ms: Mutation[]): Json {
  let doc = sample;
  for (const m of ms) {
    const all = paths(doc);
    const path = all[m.at % all.length]!;
    doc = update(doc, path, (v) => {
      switch (m.op) {
        case 'delete':
          return path.length === 0 ? null : undefined;
        case 'replace':
          return m.value;
        case 'wrap':
          return [v];
        case 'duplicate':
          return Array.isArray(v) ? [...v, ...v] : v;
      }
    });
  }
  return doc;
}

/** How the serialised body is then damaged: not at all, cut short, or with bytes that are not UTF-8. */
export type Damage = { kind: 'none' } | { kind: 'truncate'; at: number } | { kind: 'bytes'; at: number; bytes: Uint8Array };
export const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Damage>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
);

export function serialise(doc: Json, d: Damage): Buffer {
  const raw = Buffer.from(JSON.stringify(doc) ?? 'null', 'utf8');
  if (d.kind === 'truncate') return raw.subarray(0, d.at % (raw.length + 1));
  if (d.kind === 'bytes') {
    const at = d.at % (raw.length + 1);
    return Buffer.concat([raw.subarray(0, at), Buffer.from(d.bytes), raw.subarray(at)]);
  }
  return raw;
}
