import type { Auth } from './auth.ts';
import type { Db } from './store.ts';

/** What the route modules share: the database, credentials and the server's identity. */
export interface ServerContext {
  db: Db;
  auth: Auth;
  /** Database name (`X-Odoo-Database`, first argument of every JSON-RPC call). */
  database: string;
  version: string;
  /** `[major, minor, micro, releaselevel, serial, suffix]` as in `odoo.release.version_info`. */
  versionInfo: [number | string, number, number, string, number, string];
  major: number;
}

export const NOT_FOUND_HTML =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';

/** Client address, the key Odoo's login throttling uses. */
export function clientAddress(env: unknown): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}
