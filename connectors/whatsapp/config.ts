import { z } from 'zod';
import { secret } from '../../core/sdk/index.ts';

/** Connection config of the WhatsApp Cloud API connector: one WhatsApp Business Account with its numbers. */
export const whatsappConfig = z.strictObject({
  /** WhatsApp Business Account id: owns the numbers and the message templates. */
  wabaId: z.string().regex(/^\d+$/, { message: 'must be the numeric WhatsApp Business Account id' }),
  /** System-user token with whatsapp_business_messaging and whatsapp_business_management. */
  accessToken: secret(),
  /** The Meta App Secret: signs every webhook delivery (X-Hub-Signature-256). */
  appSecret: secret(),
  /** The token entered in the App's webhook settings, echoed back in the subscription handshake. */
  verifyToken: secret(),
  /**
   * The business numbers this connection answers for, by Cloud API phone-number id. Webhooks are routed on
   * `metadata.phone_number_id`; deliveries for any other number are ignored.
   */
  phoneNumbers: z
    .array(z.strictObject({ id: z.string().regex(/^\d+$/, { message: 'must be the numeric phone-number id' }), displayNumber: z.string().min(1) }))
    .min(1, { message: 'at least one phone number is required' }),
  graphVersion: z.string().regex(/^v\d+\.\d+$/, { message: 'must look like v26.0' }).default('v26.0'),
  /** Graph host; point it at the sandbox simulator in tests and demos. */
  graphUrl: z.url().default('https://graph.facebook.com'),
  /** Messages per second (80 by default per business number; 20 for numbers shared with the Business app). */
  throughputPerSecond: z.number().positive().default(80),
  /** How long the approved-template list is reused before it is fetched again. */
  templateCacheSeconds: z.number().int().nonnegative().default(300),
});

export type WhatsAppConfig = z.output<typeof whatsappConfig>;
