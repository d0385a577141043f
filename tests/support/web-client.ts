import type { Hono } from 'hono';

/**
 * A cookie-keeping client for a hono app in-process (`app.request`), for tests of pages and forms: it signs in
 * through the real form and remembers the session and CSRF token as a browser would.
 */
export class WebClient {
  private cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly app: Pick<Hono<any>, 'request'>, private readonly ip = '203.0.113.7') {}

  async request(path: string, init: RequestInit & { form?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    let body = init.body;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    // conninfo reads the peer address from the node request; in-process requests carry it as env.incoming.
    const env = { incoming: { socket: { remoteAddress: this.ip, remotePort: 1, remoteFamily: 'IPv4' } } };
    const res = await this.app.request(path, { ...init, headers, body: body ?? null }, env);
    for (const set of res.headers.getSetCookie()) {
      const [pair, ...attrs] = set.split(';');
      const [name, value] = pair!.split('=') as [string, string];
      if (attrs.some((a) => /max-age=0\b/i.test(a.trim())) || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Reads the CSRF token a page embeds (`<meta name="csrf-token">` or a `_csrf` field). */
  static csrfOf(html: string): string {
    return /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  }

  async signIn(email: string, password: string): Promise<Response> {
    const form = await this.request('/login');
    const res = await this.request('/login', { method: 'POST', form: { email, password, _csrf: WebClient.csrfOf(await form.text()), next: '/inbox' } });
    if (res.status === 303) {
      const page = await this.request('/inbox');
      this.csrf = WebClient.csrfOf(await page.text());
    }
    return res;
  }

  /** Posts a form with the session's CSRF token. */
  post(path: string, form: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { method: 'POST', form: { _csrf: this.csrf, ...form } });
  }
}
