import { createAllegroSimulator, type AllegroOptionsInput, type AllegroSeed } from './index.ts';
import { PUBLIC_MEDIA } from './spec.ts';

/**
 * Shared by the Allegro simulator tests: an in-process simulator with a hand-driven clock, `validateResponses` on
 * (every JSON answer must match the spec's response schema, or it becomes a 500), and a small request helper.
 */

export const T0 = Date.parse('2026-03-02T09:00:00.000Z');

export interface CallOptions {
  body?: unknown;
  rawBody?: string | Uint8Array;
  token?: string | null;
  accept?: string | null;
  contentType?: string | null;
  headers?: Record<string, string>;
}

export function setup(options: AllegroOptionsInput = {}) {
  let now = T0;
  const sim = createAllegroSimulator({ validateResponses: true, clock: () => now, ...options });
  const token = sim.oauth.userToken();

  async function call(method: string, path: string, o: CallOptions = {}) {
    const headers: Record<string, string> = { ...o.headers };
    const tok = o.token === undefined ? token : o.token;
    if (tok) headers.authorization = `Bearer ${tok}`;
    const accept = o.accept === undefined ? PUBLIC_MEDIA : o.accept;
    if (accept) headers.accept = accept;
    let body: string | Uint8Array | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      const ctype = o.contentType === undefined ? PUBLIC_MEDIA : o.contentType;
      if (ctype) headers['content-type'] = ctype;
    } else if (o.rawBody !== undefined && o.contentType) {
      headers['content-type'] = o.contentType;
    }
    const res = await sim.app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  async function admin(path: string, body: unknown = {}) {
    const res = await sim.app.request(`/__sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  async function seedWith(doc: AllegroSeed) {
    const res = await admin('/seed', doc);
    if (res.status !== 200) throw new Error(`seed failed: ${JSON.stringify(res.json)}`);
  }

  return {
    sim,
    token,
    call,
    admin,
    seed: seedWith,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
