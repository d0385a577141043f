import { hintKey } from '../sync/intake.ts';
import type { Hint } from '../sdk/model.ts';

/**
 * PostgreSQL cannot store U+0000 in text or jsonb, nor an unpaired UTF-16 surrogate in jsonb: a delivery carrying
 * one would fail its transaction and be answered 500 (and retried by the channel for days). Such characters are
 * replaced with U+FFFD, so a customer's message is kept, marked where it was damaged, rather than lost.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** A deep copy of plain data (objects, arrays) with every string made storable; other values are kept as they are. */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((v) => storable(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storable(v)])) as T;
  }
  return value;
}

/** Longest event id or entity key a delivery may name: keys are indexed, and channels' ids are far shorter. */
export const MAX_KEY_LENGTH = 1024;

/** Why a parsed delivery cannot be recorded as it is, or undefined when it can. */
export function unstorableReason(parsed: { eventId?: string; hints: Hint[] }): string | undefined {
  if (parsed.eventId !== undefined && parsed.eventId.length > MAX_KEY_LENGTH) return `event id is longer than ${MAX_KEY_LENGTH} characters`;
  for (const h of parsed.hints) {
    if (hintKey(h).length > MAX_KEY_LENGTH) return `the ${h.kind} id is longer than ${MAX_KEY_LENGTH} characters`;
  }
  return undefined;
}
