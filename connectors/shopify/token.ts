import { z } from 'zod';
import { AuthError, RetryableError, type ConnectorContext } from '../../core/sdk/index.ts';
import type { ShopifyConfig } from './config.ts';

/**
 * The Admin API access token for a request.
 * - Custom app: the configured `accessToken`, as is.
 * - Client credentials grant (Dev Dashboard apps, shopify.dev "client credentials grant"; shopify-api
 *   `auth.clientCredentials`): `POST /admin/oauth/access_token` with `{client_id, client_secret, grant_type}` answers
 *   `{access_token, scope, expires_in}` (24 h). The token is cached in the connection's vault and fetched again
 *   REFRESH_MARGIN_MS before it expires, so a long job never starts with a token about to lapse.
 */
export const VAULT_KEY = 'shopify.clientCredentialsToken';
export const REFRESH_MARGIN_MS = 10 * 60_000;

const cachedToken = z.object({ token: z.string().min(1), expiresAt: z.number() });
const tokenResponse = z.object({
  access_token: z.string().min(1),
  scope: z.string().optional(),
  expires_in: z.number().positive(),
});

export async function accessToken(ctx: ConnectorContext<ShopifyConfig>): Promise<string> {
  const { config } = ctx;
  if (config.accessToken) return config.accessToken.reveal();
  const now = ctx.now().getTime();
  const raw = await ctx.vault.get(VAULT_KEY);
  if (raw) {
    const cached = cachedToken.safeParse(safeJson(raw));
    if (cached.success && cached.data.expiresAt - REFRESH_MARGIN_MS > now) return cached.data.token;
  }
  return fetchClientCredentialsToken(ctx, now);
}

/** Forgets the cached token (Shopify refused it before its expiry: revoked, secret rotated). */
export async function dropCachedToken(ctx: ConnectorContext<ShopifyConfig>): Promise<boolean> {
  if (ctx.config.accessToken) return false;
  await ctx.vault.delete(VAULT_KEY);
  return true;
}

async function fetchClientCredentialsToken(ctx: ConnectorContext<ShopifyConfig>, now: number): Promise<string> {
  const { clientId, clientSecret } = ctx.config;
  const res = await ctx.http.post('admin/oauth/access_token', {
    json: { client_id: clientId, client_secret: clientSecret!.reveal(), grant_type: 'client_credentials' },
    headers: { Accept: 'application/json' },
    throwHttpErrors: false,
  });
  if (res.status === 429 || res.status >= 500) throw new RetryableError(`Shopify token endpoint answered ${res.status}`);
  const body = safeJson(await res.text());
  if (!res.ok) {
    // The body names the OAuth error (`invalid_client`…) and never echoes the secret.
    const reason = z.object({ error: z.string() }).safeParse(body);
    throw new AuthError(`Shopify refused the client credentials grant (${res.status}${reason.success ? `: ${reason.data.error}` : ''})`);
  }
  const parsed = tokenResponse.safeParse(body);
  if (!parsed.success) {
    throw new AuthError(`Shopify token response is malformed at ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`);
  }
  const token = parsed.data.access_token;
  await ctx.vault.set(VAULT_KEY, JSON.stringify({ token, expiresAt: now + parsed.data.expires_in * 1000 }));
  return token;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
