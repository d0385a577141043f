import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Vault } from '../sdk/context.ts';
import type { Database } from '../store/database.ts';

/**
 * The encryption key for secrets a connector obtains at run time (OAuth refresh tokens): from OMNIHUB_SECRET_KEY
 * when set (required when several machines share one database), else a random key kept in `dataDir/secret.key`
 * (mode 0600) for the single-machine default.
 */
export function vaultKey(dataDir: string, env: Record<string, string | undefined> = process.env): Buffer {
  const fromEnv = env.OMNIHUB_SECRET_KEY;
  if (fromEnv) return createHash('sha256').update(fromEnv).digest();
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return createHash('sha256').update(readFileSync(file, 'utf8').trim()).digest();
}

/** AES-256-GCM: `iv.tag.ciphertext`, base64url. Authenticated, so a tampered value fails loudly. */
export function encrypt(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

export function decrypt(key: Buffer, sealed: string): string {
  const [iv, tag, data] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !data) throw new Error('vault: malformed ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('vault: cannot decrypt (wrong OMNIHUB_SECRET_KEY, or the value was tampered with)');
  }
}

export function databaseVault(db: Database, connection: string, key: Buffer, onSecret: (value: string) => void): Vault {
  return {
    async get(name) {
      const { rows } = await db.query<{ ciphertext: string }>('SELECT ciphertext FROM vault WHERE connection = $1 AND name = $2', [connection, name]);
      if (!rows[0]) return undefined;
      const value = decrypt(key, rows[0].ciphertext);
      onSecret(value);
      return value;
    },
    async set(name, value) {
      onSecret(value);
      await db.query(
        `INSERT INTO vault (connection, name, ciphertext) VALUES ($1, $2, $3)
         ON CONFLICT (connection, name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
        [connection, name, encrypt(key, value)],
      );
    },
    async delete(name) {
      await db.query('DELETE FROM vault WHERE connection = $1 AND name = $2', [connection, name]);
    },
  };
}
