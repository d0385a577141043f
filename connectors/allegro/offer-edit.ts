import { z } from 'zod';
import { RetryableError } from '../../core/sdk/index.ts';
import { type AllegroContext, call, sleep } from './client.ts';
import { hosts } from './config.ts';
import { statusOf } from './errors.ts';

/**
 * `PATCH /sale/product-offers/{offerId}` for one offer, where no batch command fits (stock 0, which the quantity
 * command refuses). Allegro may apply the edit asynchronously: 202 with a `Location` of
 * `…/operations/{operationId}`, polled (at our `commandPollIntervalMs`, at most `commandPollAttempts` times) until
 * Allegro redirects to the offer. A 409 means a previous edit of the offer still runs: retryable.
 */
export async function patchOffer(ctx: AllegroContext, offerId: string, body: Record<string, unknown>): Promise<void> {
  let res;
  try {
    res = await call(ctx, 'PATCH', `sale/product-offers/${encodeURIComponent(offerId)}`, { body, schema: z.unknown() });
  } catch (err) {
    if (statusOf(err) === 409) {
      throw new RetryableError(`offer ${offerId}: a previous edit is still being processed by Allegro`, { cause: err, retryAfterMs: 5000 });
    }
    throw err;
  }
  if (res.status !== 202) return;
  const location = res.headers.get('location');
  if (!location) return; // accepted without a way to follow it: the next sweep reads the result
  const apiPath = new URL(hosts(ctx.config).api).pathname.replace(/\/+$/, '');
  const path = new URL(location, hosts(ctx.config).api).pathname.slice(apiPath.length).replace(/^\/+/, '');
  for (let attempt = 0; attempt < ctx.config.commandPollAttempts; attempt++) {
    await sleep(ctx.config.commandPollIntervalMs);
    // 202 while running; when done Allegro answers 303 to the offer, which fetch follows (200).
    const poll = await call(ctx, 'GET', path, { schema: z.unknown() });
    if (poll.status !== 202) return;
  }
  throw new RetryableError(`offer ${offerId}: Allegro is still applying the edit`);
}
