import { AuthError, type ConnectorContext, type Vault } from '../../core/sdk/index.ts';
import type { AllegroConfig } from './config.ts';
import { authErrorFrom, isGrantRevoked, OAuthError, oauthPost, tokenResponse, type TokenResponse } from './oauth.ts';

/**
 * The seller's tokens, kept in the connection's vault (encrypted at rest by the hub):
 * - `refresh_token`: from the device flow; Allegro rotates it on every refresh (the old pair stops working at once),
 *   so the new one is stored before anything else.
 * - `access_token` + `access_token_expires_at` (ms since epoch): cached so every request does not refresh.
 */
export const VAULT_KEYS = {
  refreshToken: 'allegro.refresh_token',
  accessToken: 'allegro.access_token',
  expiresAt: 'allegro.access_token_expires_at',
} as const;

/** Stores a fresh token pair. Used by the device flow and by every refresh. */
export async function storeTokens(vault: Vault, tokens: TokenResponse, now: Date): Promise<void> {
  if (tokens.refresh_token) await vault.set(VAULT_KEYS.refreshToken, tokens.refresh_token);
  await vault.set(VAULT_KEYS.accessToken, tokens.access_token);
  await vault.set(VAULT_KEYS.expiresAt, String(now.getTime() + tokens.expires_in * 1000));
}

/**
 * One refresh at a time per vault in this process: two requests seeing an expired token must not both spend the
 * same (single-use) refresh token. Across processes the loser re-reads the vault (see `refresh`).
 */
const inFlight = new WeakMap<Vault, Promise<string>>();

async function refresh(ctx: ConnectorContext<AllegroConfig>): Promise<string> {
  const used = await ctx.vault.get(VAULT_KEYS.refreshToken);
  if (!used) throw new AuthError('Allegro account not connected: run the device flow (connectAllegro) for this connection');
  try {
    const tokens = await oauthPost(ctx.config, 'token', { grant_type: 'refresh_token', refresh_token: used }, tokenResponse);
    await storeTokens(ctx.vault, tokens, ctx.now());
    ctx.log.info({ expiresInSeconds: tokens.expires_in }, 'allegro access token refreshed');
    return tokens.access_token;
  } catch (err) {
    if (err instanceof OAuthError && isGrantRevoked(err)) {
      // Another worker may have rotated the pair meanwhile: its new refresh token is in the vault.
      const current = await ctx.vault.get(VAULT_KEYS.refreshToken);
      if (current && current !== used) {
        const token = await ctx.vault.get(VAULT_KEYS.accessToken);
        if (token) return token;
      }
      await ctx.vault.delete(VAULT_KEYS.accessToken);
      throw new AuthError('Allegro refused the refresh token; connect the Allegro account again (device flow)', { detail: err.code });
    }
    throw authErrorFrom(err, 'refreshing the Allegro token');
  }
}

/** A valid access token: the cached one unless it expires within `refreshBeforeExpirySeconds`. */
export async function accessToken(ctx: ConnectorContext<AllegroConfig>, options: { force?: boolean } = {}): Promise<string> {
  if (!options.force) {
    const [token, expiresAt] = await Promise.all([ctx.vault.get(VAULT_KEYS.accessToken), ctx.vault.get(VAULT_KEYS.expiresAt)]);
    const margin = ctx.config.refreshBeforeExpirySeconds * 1000;
    if (token && expiresAt && Number(expiresAt) - margin > ctx.now().getTime()) return token;
  }
  let pending = inFlight.get(ctx.vault);
  if (!pending) {
    pending = refresh(ctx).finally(() => inFlight.delete(ctx.vault));
    inFlight.set(ctx.vault, pending);
  }
  return pending;
}

/** Forgets the cached access token (Allegro said it is no longer valid), so the next request refreshes. */
export async function dropAccessToken(ctx: ConnectorContext<AllegroConfig>): Promise<void> {
  await ctx.vault.delete(VAULT_KEYS.accessToken);
  await ctx.vault.delete(VAULT_KEYS.expiresAt);
}
