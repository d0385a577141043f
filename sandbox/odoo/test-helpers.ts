import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specPath } from '../common/specs.ts';
import type { OdooSimulator } from './index.ts';

/** Helpers shared by the Odoo simulator tests (in-process requests through hono's `app.request`). */
export const DOC_KEY = '6578616d706c65206a736f6e20617069206b6579';

export function sample(name: string): string {
  return readFileSync(specPath(join('samples', 'odoo', name)), 'utf8');
}

export function sampleJson<T = unknown>(name: string): T {
  return JSON.parse(sample(name)) as T;
}

/** A fixed clock that tests move explicitly. */
export function fixedClock(start: string): { now: () => number; set(at: string): void; advance(seconds: number): void } {
  let t = Date.parse(start.replace(' ', 'T') + 'Z');
  return {
    now: () => t,
    set(at) {
      t = Date.parse(at.replace(' ', 'T') + 'Z');
    },
    advance(seconds) {
      t += seconds * 1000;
    },
  };
}

export async function rpc(sim: OdooSimulator, service: string, method: string, args: unknown[], id = 1) {
  const res = await sim.app.request('/jsonrpc', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }),
  });
  return { status: res.status, body: (await res.json()) as { jsonrpc: string; id: unknown; result?: any; error?: any } };
}

/** `execute_kw` as the default admin user (uid 2, password "admin"). */
export async function kw(sim: OdooSimulator, model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
  return rpc(sim, 'object', 'execute_kw', ['mycompany', 2, 'admin', model, method, args, kwargs]);
}

export async function json2(
  sim: OdooSimulator, model: string, method: string, body: unknown = {}, headers: Record<string, string> = {},
) {
  const res = await sim.app.request(`/json/2/${model}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `bearer ${DOC_KEY}`, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: json };
}

/** Same keys, recursively, and the same JSON type at each key (arrays compared by their first element). */
export function sameShape(actual: unknown, expected: unknown, path = '$'): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(actual) !== kind(expected)) return [`${path}: ${kind(actual)} instead of ${kind(expected)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length && actual.length) return sameShape(actual[0], expected[0], `${path}[0]`);
    return [];
  }
  if (expected && typeof expected === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const out: string[] = [];
    for (const k of Object.keys(e)) if (!(k in a)) out.push(`${path}.${k}: missing`);
    for (const k of Object.keys(a)) if (!(k in e)) out.push(`${path}.${k}: unexpected`);
    for (const k of Object.keys(e)) if (k in a) out.push(...sameShape(a[k], e[k], `${path}.${k}`));
    return out;
  }
  return [];
}
