import { AuthError, type ConnectorContext, Secret } from '../../core/sdk/index.ts';
import { allegroConfig, type AllegroConfig } from './config.ts';
import { deviceCodeResponse, OAuthError, oauthPost, tokenResponse } from './oauth.ts';
import { storeTokens } from './tokens.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface ConnectTarget {
  /** The connection's config, parsed (a ConnectorContext's) or raw from omnihub.yaml. */
  config: AllegroConfig | Record<string, unknown>;
  vault: ConnectorContext['vault'];
  now?: () => Date;
}

export interface ConnectOptions {
  /** Waits between polls; tests inject one that moves a fake clock. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Links a seller's Allegro account to a connection with OAuth2's device flow (RFC 8628, Allegro's
 * `/auth/oauth/device`): asks for a code, prints where the merchant approves it, polls the token endpoint every
 * `interval` seconds (adding 5 s whenever Allegro answers `slow_down`) until approved, denied or expired, then stores
 * the refresh token (and the first access token) in the connection's vault. The hub's CLI wires this to a command.
 *
 * Throws AuthError when the merchant denies access, the code expires, or the app credentials are refused.
 */
export async function connectAllegro(target: ConnectTarget, print: (line: string) => void, options: ConnectOptions = {}): Promise<{ scope: string | undefined }> {
  const config: AllegroConfig =
    (target.config as AllegroConfig).clientSecret instanceof Secret ? (target.config as AllegroConfig) : allegroConfig.parse(target.config);
  const sleep = options.sleep ?? realSleep;
  const now = target.now ?? (() => new Date());

  let device;
  try {
    device = await oauthPost(config, 'device', { client_id: config.clientId }, deviceCodeResponse);
  } catch (err) {
    if (err instanceof OAuthError) throw new AuthError(`Allegro refused to start the device flow: ${err.code} (check clientId/clientSecret)`);
    throw err;
  }
  print(`Open ${device.verification_uri_complete ?? device.verification_uri} and confirm the code ${device.user_code} to link your Allegro account.`);
  if (device.verification_uri_complete) print(`(or go to ${device.verification_uri} and type ${device.user_code})`);

  let intervalMs = device.interval * 1000;
  let waited = 0;
  const lifetimeMs = device.expires_in * 1000;
  for (;;) {
    if (waited >= lifetimeMs) throw new AuthError('the Allegro device code expired before it was confirmed; start again');
    await sleep(intervalMs);
    waited += intervalMs;
    try {
      const tokens = await oauthPost(config, 'token', { grant_type: DEVICE_GRANT, device_code: device.device_code }, tokenResponse);
      if (!tokens.refresh_token) throw new AuthError('Allegro issued no refresh token for the device grant');
      await storeTokens(target.vault, tokens, now());
      print('Allegro account linked.');
      return { scope: tokens.scope };
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      switch (err.code) {
        case 'authorization_pending':
          continue;
        case 'slow_down':
          intervalMs += 5000;
          continue;
        case 'access_denied':
          throw new AuthError('the merchant denied access to the Allegro account');
        case 'expired_token':
          throw new AuthError('the Allegro device code expired before it was confirmed; start again');
        default:
          throw new AuthError(`Allegro refused the device grant: ${err.code}`);
      }
    }
  }
}
