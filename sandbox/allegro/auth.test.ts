import { describe, expect, it } from 'vitest';
import { basic, setup } from './test-helpers.ts';

const ID = 'hub-client';
const SECRET = 'hub-secret';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

function oauthEnv(extra = {}) {
  const env = setup({ clientId: ID, clientSecret: SECRET, devicePollIntervalSeconds: 5, ...extra });
  const post = async (path: string, params: Record<string, string>, auth = basic(ID, SECRET)) => {
    const res = await env.sim.app.request(path, {
      method: 'POST',
      headers: { ...form, authorization: auth },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  return { ...env, post };
}

describe('allegro OAuth', () => {
  it('device flow: pending, slow_down when polled too fast, then approved gives a working token pair', async () => {
    const env = oauthEnv();
    const dev = await env.post('/auth/oauth/device', { client_id: ID });
    expect(dev.status).toBe(200);
    expect(dev.json).toMatchObject({ expires_in: 3600, interval: 5 });
    expect(dev.json.user_code).toMatch(/^[a-z0-9]{9}$/);
    expect(dev.json.verification_uri_complete).toBe(`${dev.json.verification_uri}?code=${dev.json.user_code}`);

    const grant = { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: dev.json.device_code };
    const first = await env.post('/auth/oauth/token', grant);
    expect(first).toEqual({
      status: 400,
      json: { error: 'authorization_pending', error_description: 'User has not authorized the device code yet.' },
    });
    const tooFast = await env.post('/auth/oauth/token', grant);
    expect(tooFast.status).toBe(400);
    expect(tooFast.json.error).toBe('slow_down');

    // slow_down added 5 s to the interval: 10 s later it is pending again, not slow_down.
    env.advance(10_000);
    expect((await env.post('/auth/oauth/token', grant)).json.error).toBe('authorization_pending');

    const approve = await env.admin('/oauth/device/approve', { user_code: dev.json.user_code });
    expect(approve.status).toBe(200);
    env.advance(10_000);
    const tokens = await env.post('/auth/oauth/token', grant);
    expect(tokens.status).toBe(200);
    expect(tokens.json).toMatchObject({ token_type: 'bearer', expires_in: 43_199 });
    expect(tokens.json.refresh_token).toEqual(expect.any(String));

    const offers = await env.call('GET', '/sale/offers', { token: tokens.json.access_token });
    expect(offers.status).toBe(200);
    // A device code is single-use.
    env.advance(10_000);
    expect((await env.post('/auth/oauth/token', grant)).json.error).toBe('invalid_request');
  });

  it('device code expires', async () => {
    const env = oauthEnv({ deviceCodeTtlSeconds: 60 });
    const dev = await env.post('/auth/oauth/device', { client_id: ID });
    env.advance(61_000);
    const res = await env.post('/auth/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: dev.json.device_code,
    });
    expect(res).toEqual({ status: 400, json: { error: 'expired_token', error_description: 'Device code expired' } });
    expect((await env.admin('/oauth/device/approve', { user_code: dev.json.user_code })).status).toBe(404);
  });

  it('rejects a wrong client secret with 401, and never echoes it', async () => {
    const env = oauthEnv();
    const res = await env.post('/auth/oauth/token', { grant_type: 'client_credentials' }, basic(ID, 'wrong-secret'));
    expect(res).toEqual({ status: 401, json: { error: 'Unauthorized', error_description: 'Unauthorized' } });
    expect(JSON.stringify(res.json)).not.toContain('wrong-secret');
  });

  it('client_credentials tokens have no refresh token and cannot read seller data (403)', async () => {
    const env = oauthEnv();
    const res = await env.post('/auth/oauth/token', { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.json.refresh_token).toBeUndefined();
    const offers = await env.call('GET', '/sale/offers', { token: res.json.access_token });
    expect(offers.status).toBe(403);
    expect(offers.json.errors[0].code).toBe('AccessDenied');
  });

  it('access tokens expire (401 invalid_token) and refresh rotates the pair', async () => {
    const env = oauthEnv({ accessTokenTtlSeconds: 60 });
    const dev = await env.post('/auth/oauth/device', { client_id: ID });
    await env.admin('/oauth/device/approve', { user_code: dev.json.user_code });
    const pair = await env.post('/auth/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: dev.json.device_code,
    });
    expect(pair.json.expires_in).toBe(59);

    env.advance(61_000);
    const expired = await env.call('GET', '/sale/offers', { token: pair.json.access_token });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ error: 'invalid_token', error_description: 'Access token expired' });

    const next = await env.post('/auth/oauth/token', { grant_type: 'refresh_token', refresh_token: pair.json.refresh_token });
    expect(next.status).toBe(200);
    expect(next.json.refresh_token).not.toBe(pair.json.refresh_token);
    expect((await env.call('GET', '/sale/offers', { token: next.json.access_token })).status).toBe(200);

    // The old refresh token is spent; the access token it replaced is dead.
    const replay = await env.post('/auth/oauth/token', { grant_type: 'refresh_token', refresh_token: pair.json.refresh_token });
    expect(replay).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: 'Invalid refresh token' } });
    const again = await env.post('/auth/oauth/token', { grant_type: 'refresh_token', refresh_token: next.json.refresh_token });
    expect(again.status).toBe(200);
    expect((await env.call('GET', '/sale/offers', { token: next.json.access_token })).json.error).toBe('invalid_token');
  });

  it('answers Allegro’s AuthError bodies for a missing or forged bearer token', async () => {
    const env = oauthEnv();
    const missing = await env.call('GET', '/sale/offers', { token: null });
    expect(missing).toMatchObject({
      status: 401,
      json: { error: 'unauthorized', error_description: 'Full authentication is required to access this resource' },
    });
    const forged = await env.call('GET', '/sale/offers', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' });
    expect(forged.status).toBe(401);
    expect(forged.json.error).toBe('invalid_token');
  });
});

describe('allegro simulator over TCP', () => {
  it('serves OAuth and the REST API on 127.0.0.1', async () => {
    const { listen } = await import('../common/simulator.ts');
    const env = oauthEnv();
    const running = await listen(env.sim);
    try {
      const tokenRes = await fetch(`${running.url}/auth/oauth/token?grant_type=client_credentials`, {
        method: 'POST',
        headers: { authorization: basic(ID, SECRET) },
      });
      expect(tokenRes.status).toBe(200);
      const dev = await fetch(`${running.url}/auth/oauth/device`, {
        method: 'POST',
        headers: { ...form, authorization: basic(ID, SECRET) },
        body: `client_id=${ID}`,
      });
      const body = (await dev.json()) as { verification_uri: string };
      expect(body.verification_uri.startsWith(running.url)).toBe(true);
      const offers = await fetch(`${running.url}/sale/offers`, {
        headers: { authorization: `Bearer ${env.token}`, accept: 'application/vnd.allegro.public.v1+json' },
      });
      expect(offers.status).toBe(200);
      expect(offers.headers.get('content-type')).toBe('application/vnd.allegro.public.v1+json;charset=UTF-8');
    } finally {
      await running.close();
    }
  });
});
