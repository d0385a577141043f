import { inspect } from 'node:util';
import { z } from 'zod';

const REDACTED = '[redacted]';

/**
 * A credential from config. It prints, serialises and inspects as `[redacted]`, so it cannot leak through a log
 * line, an error message or a JSON response by accident; `reveal()` is the one explicit way to read it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The raw value. Call it only where the value leaves for its channel (an auth header, a signature key). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * A config field holding a credential: a non-empty string, parsed into a {@link Secret}.
 *
 * @example
 * config: z.object({ shop: z.string(), accessToken: secret() })
 */
export function secret() {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
    .min(1, { message: 'must not be empty' })
    .transform((value) => new Secret(value));
}

/** Every Secret inside a parsed config, so the logger can also redact their raw values wherever they appear. */
export function collectSecrets(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (value instanceof Secret) {
    found.add(value.reveal());
  } else if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, found);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collectSecrets(v, found);
  }
  return found;
}
