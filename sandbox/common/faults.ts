import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';

/**
 * Faults a test or benchmark injects into a simulator through its admin endpoint. Each rule matches requests by
 * method and path (a regular expression over the path) and fires `times` times (default: until cleared).
 * - `latency`: delays the request by `ms`, then serves it normally.
 * - `status`: answers `status` with `body` (and `headers`) instead of serving the request.
 * - `timeout`: never answers within `ms` (default 30 s); the client's own timeout must fire.
 * - `garbage`: answers 200 with a body that is not what the channel would send.
 * - `reset`: destroys the TCP connection without an answer.
 */
export const faultRuleSchema = z.object({
  kind: z.enum(['latency', 'status', 'timeout', 'garbage', 'reset']),
  method: z.string().toUpperCase().optional(),
  path: z.string().optional(),
  times: z.number().int().positive().optional(),
  ms: z.number().int().nonnegative().optional(),
  status: z.number().int().min(100).max(599).optional(),
  body: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

interface ActiveRule extends FaultRule {
  id: number;
  fired: number;
  pathRe?: RegExp;
}

export class FaultPlan {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  add(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules.push({ ...rule, id, fired: 0, ...(rule.path ? { pathRe: new RegExp(rule.path) } : {}) });
    return id;
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<FaultRule & { id: number; fired: number }> {
    return this.rules.map(({ pathRe: _re, ...r }) => r);
  }

  /** Returns the first rule matching the request and counts it as fired; exhausted rules are dropped. */
  take(method: string, path: string): ActiveRule | undefined {
    const rule = this.rules.find(
      (r) => (!r.method || r.method === method) && (!r.pathRe || r.pathRe.test(path)),
    );
    if (!rule) return undefined;
    rule.fired++;
    if (rule.times !== undefined && rule.fired >= rule.times) {
      this.rules = this.rules.filter((r) => r !== rule);
    }
    return rule;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hono middleware applying a FaultPlan. Admin paths (`/__sandbox/…`) are never faulted. */
export function faultMiddleware(plan: FaultPlan): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith('/__sandbox')) return next();
    const rule = plan.take(c.req.method, c.req.path);
    if (!rule) return next();
    switch (rule.kind) {
      case 'latency':
        await sleep(rule.ms ?? 0);
        return next();
      case 'timeout':
        await sleep(rule.ms ?? 30_000);
        return c.body(null, 504);
      case 'status':
        return c.body(rule.body ?? '', (rule.status ?? 500) as 500, rule.headers ?? {});
      case 'garbage':
        return c.body(rule.body ?? '<html><body>502 Bad Gateway</body></html>{"truncated', 200, {
          'content-type': 'application/json',
        });
      case 'reset': {
        // @hono/node-server exposes the raw socket through env.incoming.
        const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
        incoming?.socket?.destroy();
        return c.body(null, 500);
      }
    }
  };
}
