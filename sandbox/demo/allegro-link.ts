import { z } from 'zod';

const deviceAnswer = z.object({ device_code: z.string(), user_code: z.string() });
const tokenAnswer = z.object({ access_token: z.string(), refresh_token: z.string(), expires_in: z.number() });

/**
 * Links the simulated seller account the way a merchant would, unattended: the OAuth device flow (RFC 8628)
 * against the Allegro simulator, with the "Approve" click done through its admin endpoint. Returns the seller's
 * refresh token, which the hub keeps in the connection's vault; the connector refreshes access tokens from it
 * exactly as it does against allegro.pl.
 */
export async function linkAllegroSeller(url: string, clientId: string, clientSecret: string): Promise<{ refreshToken: string }> {
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const form = (body: Record<string, string>) => ({
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
  const device = deviceAnswer.parse(await (await fetch(`${url}/auth/oauth/device`, form({ client_id: clientId }))).json());
  const approved = await fetch(`${url}/__sandbox/oauth/device/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_code: device.user_code }),
  });
  if (!approved.ok) throw new Error(`the Allegro simulator did not approve the device code: ${approved.status}`);
  const res = await fetch(`${url}/auth/oauth/token`, form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code }));
  if (!res.ok) throw new Error(`the Allegro simulator refused the device grant: ${res.status} ${await res.text()}`);
  return { refreshToken: tokenAnswer.parse(await res.json()).refresh_token };
}
