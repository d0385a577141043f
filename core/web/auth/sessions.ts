import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../store/database.ts';
import type { Role } from './users.ts';

/** Idle sessions end after this long; an active one is extended up to the absolute limit. */
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_MAX_MS = 14 * 24 * 3600_000;
export const SESSION_COOKIE = 'omnihub_session';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a session and returns the cookie token (256 random bits); only its hash is stored. */
export async function createSession(db: Database, userId: string, meta: { ip?: string; userAgent?: string } = {}): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO web_sessions (token_hash, user_id, csrf_secret, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)`,
    [hashToken(token), userId, randomBytes(32).toString('base64url'), SESSION_IDLE_MS / 1000, meta.ip ?? null, meta.userAgent?.slice(0, 300) ?? null],
  );
  return token;
}

/**
 * The session behind a cookie token, or undefined when it is unknown, expired, or its user is disabled. A valid
 * session's idle deadline moves forward (at most once a minute, to keep page loads read-mostly).
 */
export async function readSession(db: Database, token: string | undefined): Promise<Session | undefined> {
  if (!token || token.length > 100) return undefined;
  const { rows } = await db.query<{ id: string; email: string; name: string; role: SessionUser['role']; csrf_secret: string; expires_at: Date; stale: boolean }>(
    `SELECT u.id, u.email, u.name, u.role, s.csrf_secret, s.expires_at, s.last_seen_at < now() - interval '1 minute' AS stale
       FROM web_sessions s JOIN web_users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) return undefined;
  let expiresAt = row.expires_at;
  if (row.stale) {
    const updated = await db.query<{ expires_at: Date }>(
      `UPDATE web_sessions SET last_seen_at = now(),
         expires_at = LEAST(now() + make_interval(secs => $2), created_at + make_interval(secs => $3))
       WHERE token_hash = $1 RETURNING expires_at`,
      [hashToken(token), SESSION_IDLE_MS / 1000, SESSION_MAX_MS / 1000],
    );
    expiresAt = updated.rows[0]?.expires_at ?? expiresAt;
  }
  return { user: { id: row.id, email: row.email, name: row.name, role: row.role }, csrfToken: row.csrf_secret, expiresAt };
}

export async function endSession(db: Database, token: string | undefined): Promise<void> {
  if (token) await db.query('DELETE FROM web_sessions WHERE token_hash = $1', [hashToken(token)]);
}

/** Housekeeping: expired sessions and old login attempts. */
export async function pruneAuth(db: Database): Promise<void> {
  await db.query('DELETE FROM web_sessions WHERE expires_at < now()');
  await db.query(`DELETE FROM web_login_attempts WHERE at < now() - interval '30 days'`);
}
