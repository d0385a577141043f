import type { OdooConfig } from './config.ts';

export type Protocol = 'jsonrpc' | 'json2';

/**
 * What the connector learns once per connection and reuses: the protocol (from `/web/version`), the server's
 * major version (field names differ: `is_storable` from 18) and the JSON-RPC uid. The SDK offers no per-connection
 * memory, so it is kept here keyed by the connection's parsed config object: nothing global leaks between
 * connections, and a fresh config (reload) starts a fresh session.
 */
export interface Session {
  protocol?: Promise<{ protocol: Protocol; major: number }>;
  uid?: Promise<number>;
  /** JSON-RPC request id counter. */
  nextId: number;
}

const sessions = new WeakMap<OdooConfig, Session>();

export function sessionOf(config: OdooConfig): Session {
  let s = sessions.get(config);
  if (!s) {
    s = { nextId: 1 };
    sessions.set(config, s);
  }
  return s;
}
