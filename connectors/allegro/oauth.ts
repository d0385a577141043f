import { z } from 'zod';
import { AuthError, RetryableError } from '../../core/sdk/index.ts';
import { type AllegroConfig, hosts } from './config.ts';

/**
 * Calls to Allegro's OAuth server (`/auth/oauth/token`, `/auth/oauth/device`): HTTP Basic with the app's client id
 * and secret, parameters in a form body (never the query string, so tokens stay out of URLs and logs). These do not
 * go through `ctx.http`, whose base URL is the REST API and whose `authorize` hook would call us back.
 */

export const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponse>;

export const deviceCodeResponse = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.string().min(1),
  verification_uri_complete: z.string().optional(),
  expires_in: z.number().positive(),
  interval: z.number().nonnegative().default(5),
});
export type DeviceCodeResponse = z.infer<typeof deviceCodeResponse>;

/** An OAuth error answer (`{"error":"authorization_pending",…}`); the code drives the device flow. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string | undefined,
  ) {
    super(`Allegro OAuth answered ${status} ${code}${description ? `: ${description}` : ''}`);
    this.name = 'OAuthError';
  }
}

const oauthErrorBody = z.object({ error: z.string(), error_description: z.string().optional() });

export async function oauthPost<T>(config: AllegroConfig, path: 'token' | 'device', params: Record<string, string>, schema: z.ZodType<T>): Promise<T> {
  const basic = Buffer.from(`${config.clientId}:${config.clientSecret.reveal()}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(`${hosts(config).auth}/auth/oauth/${path}`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new RetryableError(`Allegro OAuth server unreachable: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const body = oauthErrorBody.safeParse(json);
    if (res.status >= 500 || res.status === 429) {
      throw new RetryableError(`Allegro OAuth server answered ${res.status}`);
    }
    throw new OAuthError(res.status, body.success ? body.data.error : 'unknown', body.success ? body.data.error_description : undefined);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // Never quote the body: it holds tokens.
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new RetryableError(`Allegro OAuth ${path} answer is malformed (fields: ${fields})`);
  }
  return parsed.data;
}

/** OAuth errors that mean the grant is gone for good: the merchant must connect again. */
export function isGrantRevoked(err: unknown): boolean {
  return err instanceof OAuthError && (err.status === 401 || ['invalid_grant', 'invalid_token', 'unauthorized'].includes(err.code));
}

export function authErrorFrom(err: unknown, what: string): Error {
  if (err instanceof OAuthError) {
    if (err.code === 'invalid_client' || err.status === 401) return new AuthError(`${what}: Allegro refused the app credentials (clientId/clientSecret)`);
    return new AuthError(`${what}: ${err.code}; connect the Allegro account again (device flow)`);
  }
  return err as Error;
}
