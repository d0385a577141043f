import type { Hint } from './model.ts';

/** A webhook delivery as it arrived: the raw body is kept byte for byte, because signatures are computed over it. */
export interface WebhookRequest {
  method: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
  rawBody: Buffer;
}

export type Verification = { ok: true } | { ok: false; reason: string };

/**
 * Webhook ingress for a connection, served at `/webhooks/<connection>`. The hub answers fast: it verifies,
 * deduplicates durably by event id, enqueues the hints and returns 200; all channel reads happen in workers.
 */
export interface Webhooks<C> {
  /**
   * Answers a subscription handshake (Messenger/WhatsApp `GET ?hub.mode=subscribe&hub.verify_token=…`).
   * Return undefined when the request is not a handshake. Called before `verify`.
   */
  handshake?(req: WebhookRequest, config: C): { status: number; body: string } | undefined;
  /**
   * Checks the signature over the raw body (and the timestamp, where the channel sends one). Called for every
   * delivery; a failed verification is answered 401 with nothing stored, and the reason is logged (never the
   * secret). Compare signatures in constant time.
   */
  verify(req: WebhookRequest, config: C, now: Date): Verification;
  /**
   * Turns a verified delivery into hints. `eventId` is the channel's delivery or event id, used for durable
   * deduplication: a redelivery with the same id is acknowledged and ignored. Throw an Error for a body that
   * cannot be understood: the hub answers 400 and logs the reason, and nothing is stored.
   */
  parse(req: WebhookRequest, config: C): { eventId?: string; hints: Hint[] };
}
