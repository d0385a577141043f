import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Clock } from '../common/rate-limit.ts';
import { authErrorResponse } from './errors.ts';
import type { AllegroOptions } from './options.ts';

/**
 * Allegro's OAuth server (`https://allegro.pl/auth/oauth/...`): client_credentials, refresh_token and the device
 * flow, all authenticated with HTTP Basic `client_id:client_secret`. Parameters are read from the query string
 * (Allegro's own examples put them there) or from an `application/x-www-form-urlencoded` body.
 *
 * Tokens are JWT-shaped like Allegro's (payload: user_name, scope, exp, client_id, jti...), signed with a secret of
 * this simulator instance. A refresh rotates the pair: the old access and refresh tokens stop working at once
 * (Allegro: "after a new pair is issued the previous pair loses validity", allegro-api issue #3516).
 */

export type TokenKind = 'user' | 'application';

export interface TokenInfo {
  kind: TokenKind;
  clientId: string;
  userId?: string;
  scopes: string[];
  expiresAt: number;
}

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  expiresAt: number;
  intervalMs: number;
  lastPollAt?: number;
  state: 'pending' | 'approved' | 'denied' | 'used';
}

type Verdict = { ok: true; token: TokenInfo } | { ok: false; status: 401; error: string; description: string };

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export class OAuthServer {
  private readonly signingKey = randomBytes(32);
  /** jti → live access token. */
  private access = new Map<string, TokenInfo>();
  /** jti of access tokens replaced by a refresh: they answer "expired", as Allegro does. */
  private revoked = new Set<string>();
  private refresh = new Map<string, { info: TokenInfo; expiresAt: number; accessJti: string }>();
  private devices = new Map<string, DeviceCode>();

  constructor(
    private readonly opts: AllegroOptions,
    private readonly clock: Clock,
  ) {}

  reset(): void {
    this.access.clear();
    this.revoked.clear();
    this.refresh.clear();
    this.devices.clear();
  }

  summary() {
    return {
      accessTokens: this.access.size,
      refreshTokens: this.refresh.size,
      deviceCodes: [...this.devices.values()].map((d) => ({ userCode: d.userCode, state: d.state })),
    };
  }

  private b64(obj: unknown): string {
    return Buffer.from(JSON.stringify(obj)).toString('base64url');
  }

  private sign(payload: Record<string, unknown>): string {
    const head = `${this.b64({ alg: 'HS256', typ: 'JWT' })}.${this.b64(payload)}`;
    return `${head}.${createHmac('sha256', this.signingKey).update(head).digest('base64url')}`;
  }

  private decode(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.signingKey).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2]!, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  /** Issues a token pair (application tokens get no refresh token, as in Allegro's client_credentials flow). */
  issue(kind: TokenKind, clientId: string, scopes: string[]) {
    const now = this.clock();
    const jti = randomUUID();
    const info: TokenInfo = {
      kind,
      clientId,
      ...(kind === 'user' ? { userId: this.opts.seller.id } : {}),
      scopes,
      expiresAt: now + this.opts.accessTokenTtlSeconds * 1000,
    };
    const payload = {
      ...(kind === 'user' ? { user_name: this.opts.seller.id } : {}),
      scope: scopes,
      allegro_api: true,
      iss: 'https://allegro.pl',
      exp: Math.floor(info.expiresAt / 1000),
      jti,
      client_id: clientId,
    };
    this.access.set(jti, info);
    const body: Record<string, unknown> = {
      access_token: this.sign(payload),
      token_type: 'bearer',
      expires_in: this.opts.accessTokenTtlSeconds - 1,
      scope: scopes.join(' '),
      allegro_api: true,
      iss: 'https://allegro.pl',
      jti,
    };
    if (kind === 'user') {
      const refreshJti = randomUUID();
      const refreshToken = this.sign({ ...payload, ati: jti, jti: refreshJti, exp: undefined });
      this.refresh.set(refreshToken, {
        info,
        expiresAt: now + this.opts.refreshTokenTtlSeconds * 1000,
        accessJti: jti,
      });
      body.refresh_token = refreshToken;
    }
    return body;
  }

  /** Checks an `Authorization` header value; the answers are Allegro's AuthError bodies. */
  verify(header: string | undefined): Verdict {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) {
      return { ok: false, status: 401, error: 'unauthorized', description: 'Full authentication is required to access this resource' };
    }
    const payload = this.decode(m[1]!);
    const jti = payload?.jti as string | undefined;
    if (!payload || !jti) {
      return { ok: false, status: 401, error: 'invalid_token', description: 'Cannot convert access token to JSON' };
    }
    const info = this.access.get(jti);
    // Allegro appends the token itself to this text; the simulator never echoes secrets.
    if (this.revoked.has(jti) || (info && info.expiresAt <= this.clock())) {
      return { ok: false, status: 401, error: 'invalid_token', description: 'Access token expired' };
    }
    if (!info) return { ok: false, status: 401, error: 'invalid_token', description: 'Invalid access token' };
    return { ok: true, token: info };
  }

  /** Test/demo helper: a user token without going through the device flow. */
  userToken(): string {
    return this.issue('user', this.opts.clientId, this.opts.scopes).access_token as string;
  }

  approveDevice(userCode: string, approve = true): boolean {
    const d = [...this.devices.values()].find((x) => x.userCode === userCode && x.state === 'pending');
    if (!d || d.expiresAt <= this.clock()) return false;
    d.state = approve ? 'approved' : 'denied';
    return true;
  }

  private clientFrom(c: Context): string | undefined {
    const m = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    const [id, secret] = [decoded.slice(0, i), decoded.slice(i + 1)];
    const a = Buffer.from(`${id}:${secret}`);
    const b = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`);
    return a.length === b.length && timingSafeEqual(a, b) ? id : undefined;
  }

  private async params(c: Context): Promise<Record<string, string>> {
    const out: Record<string, string> = { ...c.req.query() };
    if ((c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded')) {
      const body = new URLSearchParams(await c.req.text());
      for (const [k, v] of body) out[k] = v;
    }
    return out;
  }

  routes(): Hono {
    const app = new Hono();
    const unauthorized = (c: Context) => authErrorResponse(c, 401, 'Unauthorized', 'Unauthorized');

    app.post('/auth/oauth/device', async (c) => {
      const clientId = this.clientFrom(c);
      if (!clientId) return unauthorized(c);
      const p = await this.params(c);
      if (p.client_id !== undefined && p.client_id !== clientId) {
        return authErrorResponse(c, 400, 'invalid_request', 'client_id does not match the authenticated client');
      }
      const deviceCode = randomBytes(24).toString('base64url');
      // Allegro's user codes look like "bhmg4lm1i": nine lowercase letters and digits.
      const userCode = randomBytes(16).toString('hex').replace(/[^a-z0-9]/g, '').slice(0, 9);
      const intervalMs = this.opts.devicePollIntervalSeconds * 1000;
      this.devices.set(deviceCode, {
        deviceCode,
        userCode,
        clientId,
        expiresAt: this.clock() + this.opts.deviceCodeTtlSeconds * 1000,
        intervalMs,
        state: 'pending',
      });
      const origin = new URL(c.req.url).origin;
      const verificationUri = `${origin}/uzytkownik/bezpieczenstwo/skojarz-aplikacje`;
      return c.json({
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?code=${userCode}`,
        expires_in: this.opts.deviceCodeTtlSeconds,
        interval: this.opts.devicePollIntervalSeconds,
      });
    });

    app.post('/auth/oauth/token', async (c) => {
      const clientId = this.clientFrom(c);
      if (!clientId) return unauthorized(c);
      const p = await this.params(c);
      switch (p.grant_type) {
        case 'client_credentials':
          return c.json(this.issue('application', clientId, []));
        case 'refresh_token': {
          const entry = p.refresh_token ? this.refresh.get(p.refresh_token) : undefined;
          if (!entry || entry.expiresAt <= this.clock() || entry.info.clientId !== clientId) {
            return authErrorResponse(c, 400, 'invalid_grant', 'Invalid refresh token');
          }
          this.refresh.delete(p.refresh_token!);
          this.access.delete(entry.accessJti);
          this.revoked.add(entry.accessJti);
          return c.json(this.issue('user', clientId, entry.info.scopes));
        }
        case DEVICE_GRANT: {
          const d = p.device_code ? this.devices.get(p.device_code) : undefined;
          if (!d || d.clientId !== clientId || d.state === 'used') {
            return authErrorResponse(c, 400, 'invalid_request', 'Invalid device code');
          }
          const now = this.clock();
          if (d.expiresAt <= now) return authErrorResponse(c, 400, 'expired_token', 'Device code expired');
          if (d.state === 'denied') return authErrorResponse(c, 400, 'access_denied', 'User denied access');
          const tooSoon = d.lastPollAt !== undefined && now - d.lastPollAt < d.intervalMs;
          d.lastPollAt = now;
          if (d.state === 'pending') {
            if (tooSoon) {
              // RFC 8628 §3.5: the client must add 5 s to its interval from now on.
              d.intervalMs += 5000;
              return authErrorResponse(c, 400, 'slow_down', 'Polling too frequently, slow down');
            }
            return authErrorResponse(c, 400, 'authorization_pending', 'User has not authorized the device code yet.');
          }
          d.state = 'used';
          return c.json(this.issue('user', clientId, this.opts.scopes));
        }
        case undefined:
          return authErrorResponse(c, 400, 'invalid_request', 'Missing grant type');
        default:
          return authErrorResponse(c, 400, 'unsupported_grant_type', `Unsupported grant type: ${p.grant_type}`);
      }
    });

    // The page a user opens from `verification_uri_complete`: one button that approves the code (demo aid).
    app.get('/uzytkownik/bezpieczenstwo/skojarz-aplikacje', (c) => {
      const code = (c.req.query('code') ?? '').replace(/[^a-z0-9]/gi, '');
      return c.html(
        `<!doctype html><title>Allegro sandbox: link application</title><h1>Link application</h1>` +
          `<p>Code: <b>${code}</b></p><form method="post" action="/__sandbox/oauth/device/approve">` +
          `<input type="hidden" name="user_code" value="${code}"><button>Approve</button></form>`,
      );
    });
    return app;
  }
}
