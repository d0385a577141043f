import { z } from 'zod';
import type { Database } from '../../store/database.ts';
import { hashPassword, passwordProblem } from './password.ts';

import type { Role } from './guard.ts';

export type { Role };
export const ROLES: readonly Role[] = ['admin', 'agent'];

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  created_at: Date;
}

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: 'not a valid e-mail address' }));
export const newUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, 'a name is required').max(200),
  role: z.enum(['admin', 'agent']),
  password: z.string().superRefine((p, ctx) => {
    const problem = passwordProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

/** A problem the person managing users can fix (duplicate e-mail, unknown user, weak password). */
export class UserError extends Error {}

const COLUMNS = 'id, email, name, role, disabled, created_at';

export async function listUsers(db: Database): Promise<UserRow[]> {
  return (await db.query<UserRow>(`SELECT ${COLUMNS} FROM web_users ORDER BY lower(email)`)).rows;
}

export async function findUser(db: Database, emailOrId: string): Promise<UserRow | undefined> {
  const isId = /^[0-9a-f-]{36}$/i.test(emailOrId);
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM web_users WHERE ${isId ? 'id = $1::uuid' : 'lower(email) = lower($1)'}`, [emailOrId]);
  return rows[0];
}

export async function addUser(db: Database, input: z.input<typeof newUserSchema>): Promise<UserRow> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  const u = parsed.data;
  const hash = await hashPassword(u.password);
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO web_users (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [u.email, u.name, u.role, hash],
    );
    return rows[0]!;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new UserError(`a user with e-mail ${u.email} already exists`);
    throw err;
  }
}

async function mustFind(db: Database, emailOrId: string): Promise<UserRow> {
  const user = await findUser(db, emailOrId);
  if (!user) throw new UserError(`no user ${emailOrId}`);
  return user;
}

/** Refuses to leave the hub without an enabled admin (nobody could manage users any more). */
async function assertAdminRemains(db: Database, changing: string): Promise<void> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM web_users WHERE role = 'admin' AND NOT disabled AND id <> $1`, [changing]);
  if (Number(rows[0]!.n) === 0) throw new UserError('this is the last enabled admin; add or promote another admin first');
}

export async function setRole(db: Database, emailOrId: string, role: Role): Promise<UserRow> {
  if (!ROLES.includes(role)) throw new UserError(`role must be one of ${ROLES.join(', ')}`);
  const user = await mustFind(db, emailOrId);
  if (user.role === 'admin' && role !== 'admin') await assertAdminRemains(db, user.id);
  await db.query('UPDATE web_users SET role = $2, updated_at = now() WHERE id = $1', [user.id, role]);
  return { ...user, role };
}

/** Disables (or re-enables) a user; disabling also ends their sessions at once. */
export async function setDisabled(db: Database, emailOrId: string, disabled: boolean): Promise<UserRow> {
  const user = await mustFind(db, emailOrId);
  if (disabled && user.role === 'admin') await assertAdminRemains(db, user.id);
  await db.query('UPDATE web_users SET disabled = $2, updated_at = now() WHERE id = $1', [user.id, disabled]);
  if (disabled) await db.query('DELETE FROM web_sessions WHERE user_id = $1', [user.id]);
  return { ...user, disabled };
}

/** Sets a new password and ends every session of that user (whoever knew the old one is signed out). */
export async function resetPassword(db: Database, emailOrId: string, password: string): Promise<UserRow> {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(problem);
  const user = await mustFind(db, emailOrId);
  await db.query('UPDATE web_users SET password_hash = $2, updated_at = now() WHERE id = $1', [user.id, await hashPassword(password)]);
  await db.query('DELETE FROM web_sessions WHERE user_id = $1', [user.id]);
  return user;
}
