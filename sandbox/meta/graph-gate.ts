import type { MiddlewareHandler } from 'hono';
import { appRateLimited, GraphError, errorResponse, invalidToken, unknownPath } from './graph-errors.ts';
import { UsageWindow } from './usage-window.ts';

/**
 * What every Graph call goes through before its edge handler: the version segment, the access token
 * (`Authorization: Bearer …`, `?access_token=` or a form-body `access_token`) and the app-level call budget,
 * reported on every answer in `X-App-Usage`.
 */
export interface GateConfig {
  supportedVersions: string[];
  isValidToken(token: string): boolean;
  appUsage: UsageWindow;
}

export type GraphEnv = { Variables: { token: string; version: string } };

async function extractToken(req: Request, url: URL): Promise<string | undefined> {
  const auth = req.headers.get('authorization');
  if (auth) {
    const m = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(auth.trim());
    return m?.[1] ?? '';
  }
  const q = url.searchParams.get('access_token');
  if (q !== null) return q;
  const ct = req.headers.get('content-type') ?? '';
  if (req.method !== 'GET' && (ct.includes('application/x-www-form-urlencoded') || ct.includes('multipart/form-data'))) {
    const form = await req.clone().formData().catch(() => undefined);
    const v = form?.get('access_token');
    if (typeof v === 'string') return v;
  }
  if (req.method !== 'GET' && ct.includes('application/json')) {
    const body = (await req.clone().json().catch(() => undefined)) as { access_token?: unknown } | undefined;
    if (body && typeof body.access_token === 'string') return body.access_token;
  }
  return undefined;
}

export function appUsageHeader(usage: UsageWindow): string {
  const pct = usage.percent();
  return JSON.stringify({ call_count: pct, total_cputime: Math.min(pct, 1), total_time: Math.min(pct, 1) });
}

export function graphGate(cfg: GateConfig): MiddlewareHandler<GraphEnv> {
  return async (c, next) => {
    try {
      const url = new URL(c.req.url);
      const version = url.pathname.split('/')[1] ?? '';
      if (!cfg.supportedVersions.includes(version)) throw unknownPath(url.pathname);
      const token = await extractToken(c.req.raw, url);
      if (!token || !cfg.isValidToken(token)) throw invalidToken();
      if (!cfg.appUsage.take()) throw appRateLimited(appUsageHeader(cfg.appUsage));
      c.set('token', token);
      c.set('version', version);
    } catch (err) {
      if (err instanceof GraphError) return errorResponse(c, err);
      throw err;
    }
    await next();
    c.header('X-App-Usage', appUsageHeader(cfg.appUsage));
  };
}
