import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC of a raw body, in the encoding the channel uses (Shopify: base64; Meta: hex). */
export function hmac(algorithm: 'sha256' | 'sha1', key: string, body: Buffer | string, encoding: 'hex' | 'base64'): string {
  return createHmac(algorithm, key).update(body).digest(encoding);
}

/** Compares two signatures in constant time; false for different lengths or missing values. */
export function safeEqual(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
