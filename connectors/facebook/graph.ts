import { HTTPError } from 'ky';
import { z } from 'zod';
import { AuthError, BusinessError, type ConnectorContext, type ConnectorError, parseRetryAfter, RetryableError } from '../../core/sdk/index.ts';

/**
 * Graph API plumbing: one request helper that turns Graph's error envelope (`{ error: { code, error_subcode, … } }`)
 * into the SDK's retryable / auth / business errors, and validates every answer with a zod schema.
 * Meta asks integrators to classify on `code`/`error_subcode`, never on the HTTP status (rate limits come as 400).
 */
export const graphErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
    error_user_msg: z.string().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export interface GraphFailure {
  status: number;
  code: number | undefined;
  subcode: number | undefined;
  message: string;
  transient: boolean;
  /** Wait the channel asked for (Retry-After, or the business-use-case "time to regain access"). */
  retryAfterMs: number | undefined;
}

/** Codes for throttling: app (4), user (17), page (32), custom (613), business use case (80000–80099). */
const THROTTLED = new Set([4, 17, 32, 613]);
/** Token / session problems and missing permissions. */
const AUTH = new Set([102, 190, 463, 467, 10]);
const DEFAULT_THROTTLE_WAIT_MS = 60_000;

/** Minutes until access returns, from `X-Business-Use-Case-Usage` (`{ "<id>": [{ estimated_time_to_regain_access }] }`). */
export function bucWaitMs(header: string | null): number | undefined {
  if (!header) return undefined;
  try {
    const parsed = JSON.parse(header) as Record<string, Array<{ estimated_time_to_regain_access?: number }>>;
    const minutes = Object.values(parsed)
      .flat()
      .map((u) => u.estimated_time_to_regain_access ?? 0);
    const max = Math.max(0, ...minutes);
    return max > 0 ? max * 60_000 : undefined;
  } catch {
    return undefined;
  }
}

export function classifyGraphFailure(f: GraphFailure): ConnectorError {
  const detail = `Graph error ${f.code ?? '?'}${f.subcode ? `/${f.subcode}` : ''}: ${f.message}`;
  const code = f.code ?? -1;
  if (THROTTLED.has(code) || (code >= 80000 && code <= 80099)) {
    return new RetryableError(`Meta rate limit reached (code ${code})`, { retryAfterMs: f.retryAfterMs ?? DEFAULT_THROTTLE_WAIT_MS, detail });
  }
  if (AUTH.has(code) || (code >= 200 && code <= 299) || f.status === 401) {
    return new AuthError(`Meta refused the access token or its permissions (code ${code})`, { detail });
  }
  if (f.transient || code === 1 || code === 2 || f.status === 429 || f.status >= 500) {
    return new RetryableError(`Meta is temporarily unavailable (code ${code})`, { ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}), detail });
  }
  return new BusinessError(`Meta rejected the request: ${f.message}`, { detail });
}

/** Reads a ky HTTPError into a GraphFailure; undefined for anything that is not an HTTP answer. */
export async function readGraphFailure(err: unknown): Promise<GraphFailure | undefined> {
  if (!(err instanceof HTTPError)) return undefined;
  const res = err.response;
  const text = await res.text().catch(() => '');
  let body: z.infer<typeof graphErrorSchema>['error'] | undefined;
  try {
    const parsed = graphErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data.error;
  } catch {
    // not JSON: fall back to the status
  }
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after')) ?? bucWaitMs(res.headers.get('x-business-use-case-usage'));
  return {
    status: res.status,
    code: body?.code,
    subcode: body?.error_subcode,
    message: body?.error_user_msg ?? body?.message ?? `HTTP ${res.status}`,
    transient: body?.is_transient === true,
    retryAfterMs,
  };
}

export interface GraphRequest {
  method?: 'get' | 'post' | 'delete';
  searchParams?: Record<string, string | number | boolean>;
  json?: unknown;
}

/**
 * Calls Graph and validates the answer. `what` names the operation in error messages ("items_batch").
 * `override` lets a caller map channel codes it knows better (e.g. a messaging window) before the default table.
 */
export async function graph<T>(
  ctx: ConnectorContext<unknown>,
  path: string,
  schema: z.ZodType<T>,
  what: string,
  request: GraphRequest = {},
  override?: (f: GraphFailure) => ConnectorError | undefined,
): Promise<T> {
  let body: unknown;
  try {
    body = await ctx.http(path, {
      method: request.method ?? 'get',
      ...(request.searchParams ? { searchParams: request.searchParams } : {}),
      ...(request.json !== undefined ? { json: request.json } : {}),
    }).json();
  } catch (err) {
    // A 2xx whose body is cut short or not JSON (a proxy's page): transient as far as we can tell, and named.
    if (err instanceof SyntaxError) throw new RetryableError(`Meta ${what}: the answer is not valid JSON (${err.message})`, { cause: err });
    const failure = await readGraphFailure(err);
    if (!failure) throw err;
    throw override?.(failure) ?? classifyGraphFailure(failure);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Meta ${what}: unexpected answer at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
