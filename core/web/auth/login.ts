import type { Database } from '../../store/database.ts';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { createSession } from './sessions.ts';

/** Failed sign-ins tolerated per account and per address within the window, before further attempts get 429. */
export const LOGIN_LIMITS = { perAccount: 5, perIp: 20, windowMinutes: 15 } as const;

export type LoginResult =
  | { ok: true; token: string; userId: string }
  | { ok: false; status: 401 | 429; message: string };

/**
 * Checks an e-mail and password, rate-limited per account and per address. Unknown accounts cost the same time as
 * known ones and get the same message, so the form does not reveal who has an account.
 */
export async function login(db: Database, input: { email: string; password: string; ip: string; userAgent?: string }): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const { rows: counts } = await db.query<{ account: string; ip: string }>(
    `SELECT (SELECT count(*) FROM web_login_attempts WHERE NOT succeeded AND lower(email) = $1 AND at > now() - make_interval(mins => $3)) AS account,
            (SELECT count(*) FROM web_login_attempts WHERE NOT succeeded AND ip = $2 AND at > now() - make_interval(mins => $3)) AS ip`,
    [email, input.ip, LOGIN_LIMITS.windowMinutes],
  );
  if (Number(counts[0]!.account) >= LOGIN_LIMITS.perAccount || Number(counts[0]!.ip) >= LOGIN_LIMITS.perIp) {
    return { ok: false, status: 429, message: `Too many failed sign-in attempts. Wait ${LOGIN_LIMITS.windowMinutes} minutes and try again, or ask an admin to reset your password.` };
  }
  const { rows } = await db.query<{ id: string; password_hash: string; disabled: boolean }>(
    'SELECT id, password_hash, disabled FROM web_users WHERE lower(email) = $1',
    [email],
  );
  const user = rows[0];
  const valid = await verifyPassword(input.password, user?.password_hash ?? (await dummyHash()));
  const ok = Boolean(user && valid && !user.disabled);
  await db.query('INSERT INTO web_login_attempts (email, ip, succeeded) VALUES ($1, $2, $3)', [email, input.ip, ok]);
  if (!ok || !user) return { ok: false, status: 401, message: 'Wrong e-mail or password, or the account is disabled.' };
  if (needsRehash(user.password_hash)) {
    await db.query('UPDATE web_users SET password_hash = $2 WHERE id = $1', [user.id, await hashPassword(input.password)]);
  }
  const token = await createSession(db, user.id, { ip: input.ip, ...(input.userAgent ? { userAgent: input.userAgent } : {}) });
  return { ok: true, token, userId: user.id };
}
