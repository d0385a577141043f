import { z } from 'zod';
import { secret } from '../../core/sdk/index.ts';

/** Allegro's public REST media type: sent on Accept and Content-Type of every call (a plain JSON Accept is 406). */
export const PUBLIC_MEDIA = 'application/vnd.allegro.public.v1+json';
/** The beta media type, for resources the spec marks beta (none of the ones this connector calls today). */
export const BETA_MEDIA = 'application/vnd.allegro.beta.v1+json';

const HOSTS = {
  production: { api: 'https://api.allegro.pl', auth: 'https://allegro.pl' },
  sandbox: { api: 'https://api.allegro.pl.allegrosandbox.pl', auth: 'https://allegro.pl.allegrosandbox.pl' },
} as const;

/**
 * The `config:` block of an Allegro connection.
 *
 * One Allegro app (client id + secret) serves every merchant; each connection links one seller account through the
 * device flow (`connectAllegro`), whose refresh token lives in the connection's vault, not here.
 */
export const allegroConfig = z
  .strictObject({
    /** Which Allegro: `production` (allegro.pl) or `sandbox` (allegrosandbox.pl); credentials differ between them. */
    environment: z.enum(['production', 'sandbox']).default('production'),
    /** Overrides the REST API base URL (the local simulator: its URL). */
    apiUrl: z.url().optional(),
    /** Overrides the OAuth server base URL (`…/auth/oauth/token` is appended). */
    authUrl: z.url().optional(),
    clientId: z.string().min(1),
    clientSecret: secret(),
    /** Marketplace whose price the hub sets (`allegro-pl`, `allegro-cz`…). */
    marketplaceId: z.string().min(1).default('allegro-pl'),
    /** When the hub sets stock 0 Allegro ends the offer; re-activate it when stock returns (only offers we ended). */
    reactivateWhenRestocked: z.boolean().default(true),
    /** Batch commands run asynchronously: how often and how many times to read their state before giving up. */
    commandPollIntervalMs: z.number().int().nonnegative().default(1000),
    commandPollAttempts: z.number().int().positive().default(30),
    /** Refresh the access token this long before it expires. */
    refreshBeforeExpirySeconds: z.number().int().nonnegative().default(300),
    /** Page size of offer listings: Allegro's largest (1000), so a sweep of 10,000 offers is 10 calls, not 100. */
    pageSize: z.number().int().min(1).max(1000).default(1000),
    /** Order events read per page (1..1000) and pages per poll. */
    orderEventsPageSize: z.number().int().min(1).max(1000).default(100),
    maxPagesPerPoll: z.number().int().positive().default(20),
  });

export type AllegroConfig = z.output<typeof allegroConfig>;

/** The REST and OAuth base URLs of a connection, without trailing slash. */
export function hosts(config: AllegroConfig): { api: string; auth: string } {
  const base = HOSTS[config.environment];
  const trim = (u: string) => u.replace(/\/+$/, '');
  return { api: trim(config.apiUrl ?? base.api), auth: trim(config.authUrl ?? base.auth) };
}
