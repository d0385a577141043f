import { z } from 'zod';
import { secret } from '../../core/sdk/index.ts';

/** Connection config of the Messenger connector: one Facebook Page. */
export const messengerConfig = z.strictObject({
  /** The Page id (digits); webhook entries for other Pages are ignored. */
  pageId: z.string().regex(/^\d+$/, { message: 'must be the numeric Page id' }),
  /** Page access token with pages_messaging: authenticates the Send API (`/me/messages`). */
  pageAccessToken: secret(),
  /** The Meta App Secret: signs every webhook delivery (X-Hub-Signature-256). */
  appSecret: secret(),
  /** The token entered in the App's webhook settings, echoed back in the subscription handshake. */
  verifyToken: secret(),
  graphVersion: z.string().regex(/^v\d+\.\d+$/, { message: 'must look like v26.0' }).default('v26.0'),
  /** Graph host; point it at the sandbox simulator in tests and demos. */
  graphUrl: z.url().default('https://graph.facebook.com'),
});

export type MessengerConfig = z.output<typeof messengerConfig>;
