import type { KyInstance } from 'ky';
import type { Hint } from './model.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** The logger a connector gets: pino's signature, with secrets already scrubbed from every line. */
export interface ConnectorLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export type BindingKind = 'product' | 'variant' | 'order' | 'conversation' | 'message' | (string & {});

/** Read-only look-ups in the hub's bindings for this connection. Writing bindings is the engine's job. */
export interface BindingLookup {
  /** The SKU (variants) or internal id linked to a channel id, if linked. */
  byExternalId(kind: BindingKind, externalId: string): Promise<{ internalId: string; sku?: string } | undefined>;
  /** The channel id linked to a SKU (variants) or internal id, if linked. */
  externalIdOf(kind: BindingKind, key: { sku?: string; internalId?: string }): Promise<string | undefined>;
}

/** Durable per-connection state for polls: cursors, watermarks, last event ids. Values are JSON. */
export interface CheckpointStore {
  get<T>(name: string): Promise<T | undefined>;
  set<T>(name: string, value: T): Promise<void>;
}

/** Per-connection secrets the connector obtains at run time (OAuth refresh tokens), encrypted at rest. */
export interface Vault {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * Everything a connector may use. Connectors are functions of this context: no globals, no database access, no
 * imports from the hub's internals.
 */
export interface ConnectorContext<Config = unknown> {
  /** The connection's name in omnihub.yaml. */
  connection: string;
  /** The connection's `config:` block, parsed by the connector's schema. */
  config: Config;
  /**
   * HTTP client (ky) for the channel: base URL and auth from the connector's `http` declaration, the
   * connection's rate limiter, GET/PUT/DELETE retries honouring Retry-After, and request logging with secrets
   * redacted. Non-idempotent requests (POST, PATCH) are never retried here: the job retries them as a whole.
   */
  http: KyInstance;
  /** The connection's request budget (already applied by `http`; use it directly for cost-based limits). */
  limiter: RateLimiter;
  log: ConnectorLogger;
  bindings: BindingLookup;
  checkpoints: CheckpointStore;
  vault: Vault;
  /**
   * Reports that entities may have changed (from a poll). Repeats of a hint still waiting coalesce into one
   * request, which the engine hydrates. `eventId` names the change for humans; it never makes the engine drop a
   * hint (poll timestamps have one-second resolution: two changes in one second would share an id).
   */
  emit(hint: Hint, options?: { eventId?: string }): Promise<void>;
  /** The hub's clock (tests move it). */
  now(): Date;
}
